// Batch norm and layer norm on contiguous C-order NCHW float32 arrays, each optionally fused with the
// ReLU that follows: one or two sweeps over the data instead of the 7-10 ND4J ops (a memory pass
// each) of the reference path. One call handles a range of channels (batch norm) or samples (layer
// norm); the Java side splits the ranges across threads. Within an H*W plane the loops are float
// vector math; partial sums are flushed into double every kBlock elements and across planes, so
// that the statistics do not lose precision on large arrays.
#include <jni.h>

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "dev_contrastive_core_layers_NativeLayers.h"
#include "jni_pinned.h"

namespace {

using contrastive::Pinned;

// Float accumulation run per flush into double: long enough to vectorise, short enough that float
// rounding stays far below the 1e-5 relative the kernels are tested to.
constexpr int64_t kBlock = 512;
// Planes smaller than this (e.g. (N, C, 1, 1) features) are walked in memory order, one loop over a
// sample's channel range (batch norm) or whole sample (layer norm), with the per-channel constants
// and accumulators spread out to one per element: plane-sized inner loops of 1-15 elements do not
// vectorise and cost several ns per element in loop overhead (measured ~10 ns in batch norm backward).
constexpr int kSmallPlane = 16;

// The affine and the ReLU mask, shared by forward and backward so that both take the same rounding
// (explicit fma, not left to the compiler's contraction) and the masks agree bit for bit.
inline float affine(float x, float scale, float shift) { return std::fma(x, scale, shift); }
// NaN passes through, as in torch.relu and libnd4j's relu: a diverged value must stay visible to the
// trainer's finite checks, not turn into 0.
inline float relu_of(float v) { return v < 0.0f ? 0.0f : v; }
inline float masked(bool relu, float pre, float dy) { return relu && !(pre > 0.0f) ? 0.0f : dy; }

// The sums over j in [0, len) of the pair of terms terms(j) returns: float sums over runs of
// kBlock (which vectorise), each flushed into double.
template <typename F>
std::pair<double, double> blocked_sums(int64_t len, F terms) {
  double s1 = 0.0;
  double s2 = 0.0;
  for (int64_t b = 0; b < len; b += kBlock) {
    const int64_t e = b + kBlock < len ? b + kBlock : len;
    float a1 = 0.0f;
    float a2 = 0.0f;
    for (int64_t j = b; j < e; ++j) {
      const std::pair<float, float> t = terms(j);
      a1 += t.first;
      a2 += t.second;
    }
    s1 += a1;
    s2 += a2;
  }
  return {s1, s2};
}

// Adds sum(p - shift) and sum((p - shift)^2) over len floats to s1 and s2. Shifting by a value of
// the data keeps the sums small when |mean| >> std.
void shifted_sums(const float* p, int64_t len, float shift, double* s1, double* s2) {
  const std::pair<double, double> sums = blocked_sums(len, [&](int64_t j) {
    const float d = p[j] - shift;
    return std::pair<float, float>(d, d * d);
  });
  *s1 += sums.first;
  *s2 += sums.second;
}

// Mean and biased variance of m values from sums shifted by `shift`.
void moments(double shift, double s1, double s2, double m, double* mean, double* var) {
  const double d = s1 / m;
  const double v = s2 / m - d * d;
  *mean = shift + d;
  *var = v > 0.0 ? v : 0.0;
}

// Per-channel values of channels [c_begin, c_begin + width) repeated hw times: index k * hw + j.
template <typename T, typename F>
std::vector<T> spread(int width, int hw, F value_of_channel) {
  std::vector<T> out(static_cast<int64_t>(width) * hw);
  for (int k = 0; k < width; ++k) {
    const T v = value_of_channel(k);
    for (int j = 0; j < hw; ++j) out[static_cast<int64_t>(k) * hw + j] = v;
  }
  return out;
}

// Adds each channel's per-element partials, the layout spread() makes: out[k] += sum over j of
// per_element[k * hw + j], for k in [0, width).
void reduce_planes(const std::vector<double>& per_element, int width, int hw, double* out) {
  for (int k = 0; k < width; ++k) {
    for (int j = 0; j < hw; ++j) out[k] += per_element[static_cast<int64_t>(k) * hw + j];
  }
}

// A double mean split into a float and a float remainder: (x - hi) - lo is accurate in float even
// when |mean| >> std, where x - (float)mean would lose the low bits of the mean.
struct SplitMean {
  float hi;
  float lo;
  explicit SplitMean(double mean)
      : hi(static_cast<float>(mean)), lo(static_cast<float>(mean - static_cast<float>(mean))) {}
  float centre(float x) const { return (x - hi) - lo; }
};

// Batch norm backward over channels [c_begin, c_begin + width): pass 1 sums g and g * (x - mean)
// per channel, pass 2 writes dx; each pass either plane by plane or, for small planes, in memory
// order over a sample's whole channel range.
struct BatchBackward {
  const float* x;
  const float* dy;
  float* dx;
  int n;
  int64_t sample;
  int hw;
  int c_begin;
  int width;
  const float* scale;
  const float* shift;
  bool relu;
  bool training;
  std::vector<SplitMean> centre;
  // For small planes: scale, shift and the split mean spread out to one per element of a sample's
  // channel range (spread()'s layout), made once by spread_constants() for both passes.
  std::vector<float> s_e;
  std::vector<float> b_e;
  std::vector<float> hi_e;
  std::vector<float> lo_e;

  // One (sample, channel) plane: where it starts and its channel's constants.
  struct Plane {
    int64_t off;
    float s;
    float b;
    SplitMean mu;
  };

  int64_t offset(int i, int k) const { return i * sample + static_cast<int64_t>(c_begin + k) * hw; }

  Plane plane(int i, int k) const { return {offset(i, k), scale[c_begin + k], shift[c_begin + k], centre[k]}; }

  void spread_constants() {
    s_e = spread<float>(width, hw, [&](int k) { return scale[c_begin + k]; });
    b_e = spread<float>(width, hw, [&](int k) { return shift[c_begin + k]; });
    hi_e = spread<float>(width, hw, [&](int k) { return centre[k].hi; });
    lo_e = spread<float>(width, hw, [&](int k) { return centre[k].lo; });
  }

  void sums_planes(double* sg, double* sgx) const {
    for (int i = 0; i < n; ++i) {
      for (int k = 0; k < width; ++k) {
        const Plane p = plane(i, k);
        const std::pair<double, double> sums = blocked_sums(hw, [&](int64_t j) {
          const float xv = x[p.off + j];
          const float g = masked(relu, affine(xv, p.s, p.b), dy[p.off + j]);
          return std::pair<float, float>(g, g * p.mu.centre(xv));
        });
        sg[k] += sums.first;
        sgx[k] += sums.second;
      }
    }
  }

  void sums_small(double* sg, double* sgx) const {
    const int64_t span = static_cast<int64_t>(width) * hw;
    std::vector<double> g_sum(span, 0.0);
    std::vector<double> gx_sum(span, 0.0);
    for (int i = 0; i < n; ++i) {
      const float* xr = x + offset(i, 0);
      const float* dyr = dy + offset(i, 0);
      for (int64_t e = 0; e < span; ++e) {
        const float xv = xr[e];
        const float g = masked(relu, affine(xv, s_e[e], b_e[e]), dyr[e]);
        g_sum[e] += g;
        gx_sum[e] += g * ((xv - hi_e[e]) - lo_e[e]);
      }
    }
    reduce_planes(g_sum, width, hw, sg);
    reduce_planes(gx_sum, width, hw, sgx);
  }

  void dx_planes(const float* bias, const float* slope) const {
    for (int i = 0; i < n; ++i) {
      for (int k = 0; k < width; ++k) {
        const Plane p = plane(i, k);
        const float bk = bias[k];
        const float sk = slope[k];
        if (training) {
          for (int j = 0; j < hw; ++j) {
            const float xv = x[p.off + j];
            const float g = masked(relu, affine(xv, p.s, p.b), dy[p.off + j]);
            dx[p.off + j] = p.s * g - bk - sk * p.mu.centre(xv);
          }
        } else {
          for (int j = 0; j < hw; ++j) {
            dx[p.off + j] = p.s * masked(relu, affine(x[p.off + j], p.s, p.b), dy[p.off + j]);
          }
        }
      }
    }
  }

  void dx_small(const float* bias, const float* slope) const {
    const int64_t span = static_cast<int64_t>(width) * hw;
    const std::vector<float> bk = spread<float>(width, hw, [&](int k) { return bias[k]; });
    const std::vector<float> sk = spread<float>(width, hw, [&](int k) { return slope[k]; });
    for (int i = 0; i < n; ++i) {
      const float* xr = x + offset(i, 0);
      const float* dyr = dy + offset(i, 0);
      float* dxr = dx + offset(i, 0);
      for (int64_t e = 0; e < span; ++e) {
        const float xv = xr[e];
        const float g = masked(relu, affine(xv, s_e[e], b_e[e]), dyr[e]);
        dxr[e] = s_e[e] * g - bk[e] - sk[e] * ((xv - hi_e[e]) - lo_e[e]);
      }
    }
  }
};

// Layer norm backward for planes under kSmallPlane: the same two passes as the plane-by-plane
// version, each one loop over the sample with gamma and beta spread out per element, and dGamma /
// dBeta accumulated per element across the samples before the per-channel reduction.
void layer_backward_small(const float* x, const float* dy, float* dx, int c, int hw, int n_begin,
                          int n_end, const float* gamma, const float* beta, const float* mean,
                          const float* inv_std, bool relu, double* d_gamma, double* d_beta) {
  const int64_t sample = static_cast<int64_t>(c) * hw;
  const std::vector<float> gamma_e = spread<float>(c, hw, [&](int k) { return gamma[k]; });
  const std::vector<float> beta_e = spread<float>(c, hw, [&](int k) { return beta[k]; });
  std::vector<double> g_sum(sample, 0.0);
  std::vector<double> gx_sum(sample, 0.0);
  for (int i = n_begin; i < n_end; ++i) {
    const float* xr = x + i * sample;
    const float* dyr = dy + i * sample;
    float* dxr = dx + i * sample;
    const float mf = mean[i];
    const float inv = inv_std[i];
    // The sample's sums of dxhat and dxhat * xhat.
    const auto [sum_dxhat, sum_dxhat_xhat] = blocked_sums(sample, [&](int64_t e) {
      const float centred = xr[e] - mf;
      const float g = masked(relu, affine(centred, inv * gamma_e[e], beta_e[e]), dyr[e]);
      const float gx = g * (centred * inv);
      g_sum[e] += g;
      gx_sum[e] += gx;
      return std::pair<float, float>(g * gamma_e[e], gx * gamma_e[e]);
    });
    const float mean_dxhat = static_cast<float>(sum_dxhat / sample);
    const float mean_dxhat_xhat = static_cast<float>(sum_dxhat_xhat / sample);
    for (int64_t e = 0; e < sample; ++e) {
      const float centred = xr[e] - mf;
      const float g = masked(relu, affine(centred, inv * gamma_e[e], beta_e[e]), dyr[e]);
      dxr[e] = inv * (g * gamma_e[e] - mean_dxhat - centred * inv * mean_dxhat_xhat);
    }
  }
  reduce_planes(g_sum, c, hw, d_beta);
  reduce_planes(gx_sum, c, hw, d_gamma);
}

// AMDIM's pooled, zero-padded shortcut over samples [n_begin, n_end): the block output has c_out
// channels of ho x wo, the block input c_in <= c_out channels of h x w, pooled by k x k windows at
// stride s. The sum and its gradient walk the same geometry.
struct PooledShortcut {
  int n_begin;
  int n_end;
  int c_out;
  int c_in;
  int h;
  int w;
  int ho;
  int wo;
  int k;
  int s;

  int64_t out_plane() const { return static_cast<int64_t>(ho) * wo; }
  int64_t in_plane() const { return static_cast<int64_t>(h) * w; }
  float inv_window() const { return 1.0f / static_cast<float>(k * k); }

  // y = b + shortcut(x).
  void add(const float* b, const float* x, float* y) const {
    for (int64_t n = n_begin; n < n_end; ++n) {
      for (int c = 0; c < c_out; ++c) {
        const float* bp = b + (n * c_out + c) * out_plane();
        float* yp = y + (n * c_out + c) * out_plane();
        if (c >= c_in) {
          for (int64_t e = 0; e < out_plane(); ++e) yp[e] = bp[e];
          continue;
        }
        const float* xp = x + (n * c_in + c) * in_plane();
        if (k == 1 && s == 1) {
          // The plain residual sum, written out so that it vectorises.
          for (int64_t e = 0; e < out_plane(); ++e) yp[e] = bp[e] + xp[e];
          continue;
        }
        for (int i = 0; i < ho; ++i) {
          for (int j = 0; j < wo; ++j) {
            float sum = 0.0f;
            for (int a = 0; a < k; ++a) {
              const float* row = xp + static_cast<int64_t>(i * s + a) * w + j * s;
              for (int d = 0; d < k; ++d) sum += row[d];
            }
            yp[i * wo + j] = bp[i * wo + j] + sum * inv_window();
          }
        }
      }
    }
  }

  // dx = db + the shortcut's backward of dy.
  void gradient(const float* dy, const float* db, float* dx) const {
    for (int64_t n = n_begin; n < n_end; ++n) {
      for (int c = 0; c < c_in; ++c) {
        const float* gp = dy + (n * c_out + c) * out_plane();
        const float* bp = db + (n * c_in + c) * in_plane();
        float* xp = dx + (n * c_in + c) * in_plane();
        if (k == 1 && s == 1) {
          for (int64_t e = 0; e < in_plane(); ++e) xp[e] = bp[e] + gp[e];
          continue;
        }
        // The branch's gradient first (dx may be db itself), then each window's share on top:
        // windows overlap when s < k, and cells no window covers keep the branch's gradient alone.
        for (int64_t e = 0; e < in_plane(); ++e) xp[e] = bp[e];
        for (int i = 0; i < ho; ++i) {
          for (int j = 0; j < wo; ++j) {
            const float g = gp[i * wo + j] * inv_window();
            for (int a = 0; a < k; ++a) {
              float* row = xp + static_cast<int64_t>(i * s + a) * w + j * s;
              for (int d = 0; d < k; ++d) row[d] += g;
            }
          }
        }
      }
    }
  }
};

}  // namespace

extern "C" {

JNIEXPORT void JNICALL Java_dev_contrastive_core_layers_NativeLayers_reluRange(
    JNIEnv*, jclass, jlong x_addr, jlong y_addr, jlong begin, jlong end) {
  const float* x = reinterpret_cast<const float*>(x_addr);
  float* y = reinterpret_cast<float*>(y_addr);
  for (int64_t i = begin; i < end; ++i) y[i] = relu_of(x[i]);
}

JNIEXPORT void JNICALL Java_dev_contrastive_core_layers_NativeLayers_reluBackwardRange(
    JNIEnv*, jclass, jlong x_addr, jlong dy_addr, jlong dx_addr, jlong begin, jlong end) {
  const float* x = reinterpret_cast<const float*>(x_addr);
  const float* dy = reinterpret_cast<const float*>(dy_addr);
  float* dx = reinterpret_cast<float*>(dx_addr);
  for (int64_t i = begin; i < end; ++i) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
}

JNIEXPORT void JNICALL Java_dev_contrastive_core_layers_NativeLayers_pooledShortcutRange(
    JNIEnv*, jclass, jboolean gradient, jlong a_addr, jlong b_addr, jlong out_addr, jint n_begin,
    jint n_end, jint c_out, jint c_in, jint h, jint w, jint ho, jint wo, jint k, jint s) {
  const PooledShortcut shortcut{n_begin, n_end, c_out, c_in, h, w, ho, wo, k, s};
  const float* a = reinterpret_cast<const float*>(a_addr);
  const float* b = reinterpret_cast<const float*>(b_addr);
  float* out = reinterpret_cast<float*>(out_addr);
  if (gradient) {
    shortcut.gradient(a, b, out);
  } else {
    shortcut.add(a, b, out);
  }
}

JNIEXPORT void JNICALL Java_dev_contrastive_core_layers_NativeLayers_statsRange(
    JNIEnv* env, jclass, jlong x_addr, jint n, jint c, jint hw, jint c_begin, jint c_end,
    jdoubleArray mean_out, jdoubleArray var_out) {
  Pinned<jdouble> mean(env, mean_out);
  Pinned<jdouble> var(env, var_out);
  const float* x = reinterpret_cast<const float*>(x_addr);
  const int64_t sample = static_cast<int64_t>(c) * hw;
  const double m = static_cast<double>(n) * hw;
  const int width = c_end - c_begin;
  std::vector<double> s1(width, 0.0);
  std::vector<double> s2(width, 0.0);
  std::vector<float> shift(width);
  for (int k = 0; k < width; ++k) shift[k] = x[static_cast<int64_t>(c_begin + k) * hw];
  if (hw < kSmallPlane) {
    const int64_t span = static_cast<int64_t>(width) * hw;
    const std::vector<float> sh = spread<float>(width, hw, [&](int k) { return shift[k]; });
    std::vector<double> e1(span, 0.0);
    std::vector<double> e2(span, 0.0);
    for (int i = 0; i < n; ++i) {
      const float* row = x + i * sample + static_cast<int64_t>(c_begin) * hw;
      for (int64_t e = 0; e < span; ++e) {
        const double d = static_cast<double>(row[e]) - sh[e];
        e1[e] += d;
        e2[e] += d * d;
      }
    }
    reduce_planes(e1, width, hw, s1.data());
    reduce_planes(e2, width, hw, s2.data());
  } else {
    for (int k = 0; k < width; ++k) {
      for (int i = 0; i < n; ++i) {
        shifted_sums(x + i * sample + static_cast<int64_t>(c_begin + k) * hw, hw, shift[k], &s1[k], &s2[k]);
      }
    }
  }
  for (int k = 0; k < width; ++k) moments(shift[k], s1[k], s2[k], m, &mean[c_begin + k], &var[c_begin + k]);
}

JNIEXPORT void JNICALL Java_dev_contrastive_core_layers_NativeLayers_affineRange(
    JNIEnv* env, jclass, jlong x_addr, jlong y_addr, jint n, jint c, jint hw, jint c_begin,
    jint c_end, jfloatArray scale_in, jfloatArray shift_in, jboolean relu) {
  Pinned<jfloat> scale(env, scale_in);
  Pinned<jfloat> shift(env, shift_in);
  const float* x = reinterpret_cast<const float*>(x_addr);
  float* y = reinterpret_cast<float*>(y_addr);
  const int64_t sample = static_cast<int64_t>(c) * hw;
  if (hw < kSmallPlane) {
    const int width = c_end - c_begin;
    const int64_t span = static_cast<int64_t>(width) * hw;
    const std::vector<float> s = spread<float>(width, hw, [&](int k) { return scale[c_begin + k]; });
    const std::vector<float> b = spread<float>(width, hw, [&](int k) { return shift[c_begin + k]; });
    for (int i = 0; i < n; ++i) {
      const int64_t off = i * sample + static_cast<int64_t>(c_begin) * hw;
      const float* p = x + off;
      float* q = y + off;
      if (relu) {
        for (int64_t e = 0; e < span; ++e) q[e] = relu_of(affine(p[e], s[e], b[e]));
      } else {
        for (int64_t e = 0; e < span; ++e) q[e] = affine(p[e], s[e], b[e]);
      }
    }
    return;
  }
  for (int i = 0; i < n; ++i) {
    for (int ch = c_begin; ch < c_end; ++ch) {
      const int64_t off = i * sample + static_cast<int64_t>(ch) * hw;
      const float* p = x + off;
      float* q = y + off;
      const float s = scale[ch];
      const float b = shift[ch];
      if (relu) {
        for (int j = 0; j < hw; ++j) q[j] = relu_of(affine(p[j], s, b));
      } else {
        for (int j = 0; j < hw; ++j) q[j] = affine(p[j], s, b);
      }
    }
  }
}

JNIEXPORT void JNICALL Java_dev_contrastive_core_layers_NativeLayers_batchBackwardRange(
    JNIEnv* env, jclass, jlong x_addr, jlong dy_addr, jlong dx_addr, jint n, jint c, jint hw,
    jint c_begin, jint c_end, jdoubleArray mean_in, jdoubleArray inv_std_in, jfloatArray scale_in,
    jfloatArray shift_in, jboolean relu, jboolean training, jdoubleArray d_gamma_out,
    jdoubleArray d_beta_out) {
  Pinned<jdouble> mean(env, mean_in);
  Pinned<jdouble> inv_std(env, inv_std_in);
  Pinned<jfloat> scale(env, scale_in);
  Pinned<jfloat> shift(env, shift_in);
  Pinned<jdouble> d_gamma(env, d_gamma_out);
  Pinned<jdouble> d_beta(env, d_beta_out);
  BatchBackward job{reinterpret_cast<const float*>(x_addr), reinterpret_cast<const float*>(dy_addr),
                    reinterpret_cast<float*>(dx_addr), n, static_cast<int64_t>(c) * hw, hw, c_begin,
                    c_end - c_begin, scale.get(), shift.get(), relu != JNI_FALSE, training != JNI_FALSE,
                    {}};
  for (int k = 0; k < job.width; ++k) job.centre.emplace_back(mean[c_begin + k]);
  if (hw < kSmallPlane) job.spread_constants();
  std::vector<double> sg(job.width, 0.0);
  std::vector<double> sgx(job.width, 0.0);
  if (hw < kSmallPlane) {
    job.sums_small(sg.data(), sgx.data());
  } else {
    job.sums_planes(sg.data(), sgx.data());
  }
  const double m = static_cast<double>(n) * hw;
  std::vector<float> bias(job.width);
  std::vector<float> slope(job.width);
  for (int k = 0; k < job.width; ++k) {
    const int ch = c_begin + k;
    d_beta[ch] = sg[k];
    d_gamma[ch] = sgx[k] * inv_std[ch];
    // dx = scale * (g - dBeta / m - xhat * dGamma / m) = scale * g - bias - slope * (x - mean).
    bias[k] = job.training ? static_cast<float>(scale[ch] * d_beta[ch] / m) : 0.0f;
    slope[k] = job.training ? static_cast<float>(scale[ch] * inv_std[ch] * d_gamma[ch] / m) : 0.0f;
  }
  if (hw < kSmallPlane) {
    job.dx_small(bias.data(), slope.data());
  } else {
    job.dx_planes(bias.data(), slope.data());
  }
}

JNIEXPORT void JNICALL Java_dev_contrastive_core_layers_NativeLayers_layerForwardRange(
    JNIEnv* env, jclass, jlong x_addr, jlong y_addr, jint c, jint hw, jint n_begin, jint n_end,
    jfloatArray gamma_in, jfloatArray beta_in, jdouble eps, jboolean relu,
    jfloatArray mean_out, jfloatArray inv_std_out) {
  Pinned<jfloat> gamma(env, gamma_in);
  Pinned<jfloat> beta(env, beta_in);
  Pinned<jfloat> mean(env, mean_out);
  Pinned<jfloat> inv_std(env, inv_std_out);
  const float* x = reinterpret_cast<const float*>(x_addr);
  float* y = reinterpret_cast<float*>(y_addr);
  const int64_t sample = static_cast<int64_t>(c) * hw;
  // Small planes: one loop over the sample with gamma and beta spread out per element.
  const bool small = hw < kSmallPlane;
  std::vector<float> gamma_e;
  std::vector<float> beta_e;
  if (small) {
    gamma_e = spread<float>(c, hw, [&](int k) { return gamma[k]; });
    beta_e = spread<float>(c, hw, [&](int k) { return beta[k]; });
  }
  for (int i = n_begin; i < n_end; ++i) {
    const float* p = x + i * sample;
    float* q = y + i * sample;
    double s1 = 0.0;
    double s2 = 0.0;
    shifted_sums(p, sample, p[0], &s1, &s2);
    double mu;
    double var;
    moments(p[0], s1, s2, static_cast<double>(sample), &mu, &var);
    const float mf = static_cast<float>(mu);
    const float inv = static_cast<float>(1.0 / std::sqrt(var + eps));
    mean[i] = mf;
    inv_std[i] = inv;
    if (small) {
      const float* g = gamma_e.data();
      const float* b = beta_e.data();
      if (relu) {
        for (int64_t e = 0; e < sample; ++e) q[e] = relu_of(affine(p[e] - mf, inv * g[e], b[e]));
      } else {
        for (int64_t e = 0; e < sample; ++e) q[e] = affine(p[e] - mf, inv * g[e], b[e]);
      }
      continue;
    }
    for (int ch = 0; ch < c; ++ch) {
      const int64_t off = static_cast<int64_t>(ch) * hw;
      const float a = inv * gamma[ch];
      const float b = beta[ch];
      if (relu) {
        for (int j = 0; j < hw; ++j) q[off + j] = relu_of(affine(p[off + j] - mf, a, b));
      } else {
        for (int j = 0; j < hw; ++j) q[off + j] = affine(p[off + j] - mf, a, b);
      }
    }
  }
}

JNIEXPORT void JNICALL Java_dev_contrastive_core_layers_NativeLayers_layerBackwardRange(
    JNIEnv* env, jclass, jlong x_addr, jlong dy_addr, jlong dx_addr, jint c, jint hw, jint n_begin,
    jint n_end, jfloatArray gamma_in, jfloatArray beta_in, jfloatArray mean_in,
    jfloatArray inv_std_in, jboolean relu, jdoubleArray d_gamma_acc, jdoubleArray d_beta_acc) {
  Pinned<jfloat> gamma(env, gamma_in);
  Pinned<jfloat> beta(env, beta_in);
  Pinned<jfloat> mean(env, mean_in);
  Pinned<jfloat> inv_std(env, inv_std_in);
  Pinned<jdouble> d_gamma(env, d_gamma_acc);
  Pinned<jdouble> d_beta(env, d_beta_acc);
  const float* x = reinterpret_cast<const float*>(x_addr);
  const float* dy = reinterpret_cast<const float*>(dy_addr);
  float* dx = reinterpret_cast<float*>(dx_addr);
  const int64_t sample = static_cast<int64_t>(c) * hw;
  if (hw < kSmallPlane) {
    layer_backward_small(x, dy, dx, c, hw, n_begin, n_end, gamma.get(), beta.get(), mean.get(),
                         inv_std.get(), relu != JNI_FALSE, d_gamma.get(), d_beta.get());
    return;
  }
  for (int i = n_begin; i < n_end; ++i) {
    const int64_t base = i * sample;
    const float mf = mean[i];
    const float inv = inv_std[i];
    // Pass 1: per channel sum g and sum g * xhat; their gamma-weighted totals are the sample's
    // sums of dxhat and dxhat * xhat.
    double sum_dxhat = 0.0;
    double sum_dxhat_xhat = 0.0;
    for (int ch = 0; ch < c; ++ch) {
      const int64_t off = base + static_cast<int64_t>(ch) * hw;
      const float a = inv * gamma[ch];
      const float b = beta[ch];
      const auto [sg, sgx] = blocked_sums(hw, [&](int64_t j) {
        const float centred = x[off + j] - mf;
        const float g = masked(relu, affine(centred, a, b), dy[off + j]);
        return std::pair<float, float>(g, g * (centred * inv));
      });
      d_beta[ch] += sg;
      d_gamma[ch] += sgx;
      sum_dxhat += gamma[ch] * sg;
      sum_dxhat_xhat += gamma[ch] * sgx;
    }
    const float mean_dxhat = static_cast<float>(sum_dxhat / sample);
    const float mean_dxhat_xhat = static_cast<float>(sum_dxhat_xhat / sample);
    // Pass 2: dx = invStd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)).
    for (int ch = 0; ch < c; ++ch) {
      const int64_t off = base + static_cast<int64_t>(ch) * hw;
      const float a = inv * gamma[ch];
      const float b = beta[ch];
      const float gm = gamma[ch];
      for (int j = 0; j < hw; ++j) {
        const float centred = x[off + j] - mf;
        const float g = masked(relu, affine(centred, a, b), dy[off + j]);
        dx[off + j] = inv * (g * gm - mean_dxhat - centred * inv * mean_dxhat_xhat);
      }
    }
  }
}

}  // extern "C"
