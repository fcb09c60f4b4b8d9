// Row-wise elementwise work of the fused contrastive kernels, on float32 score tiles that ND4J's
// gemm produced. One call handles rows [rowBegin, rowEnd) of a C-order (rows x cols) tile; the Java
// side splits rows across threads. exp and tanh are written out as branch-free polynomials so that
// gcc vectorises every loop (libnd4j's scalar exp was the bottleneck: ~4 ns per element).
#include <immintrin.h>
#include <jni.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "dev_contrastive_core_kernel_NativeTiles.h"
#include "jni_pinned.h"

namespace {

using contrastive::Pinned;

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Cephes-style expf: relative error ~2e-7 on [-87, 88]; exactly 0 below -87 (masked entries are -inf).
inline float fast_exp(float x) {
  const float clamped = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  const float fx = std::floor(clamped * 1.44269504088896341f + 0.5f);
  float r = clamped - fx * 0.693359375f;
  r = r - fx * -2.12194440e-4f;
  const float z = r * r;
  float y = 1.9875691500e-4f;
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * z + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(fx) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof(scale));
  const float result = y * scale;
  return x < -87.0f ? 0.0f : result;
}

// Cephes-style tanhf: polynomial near 0 (keeps relative precision), 1 - 2 / (exp(2|x|) + 1) beyond.
inline float fast_tanh(float x) {
  const float ax = std::fabs(x);
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = x + x * z * p;
  const float e = fast_exp(2.0f * (ax < 44.0f ? ax : 44.0f));
  const float large = 1.0f - 2.0f / (e + 1.0f);
  const float signed_large = x < 0.0f ? -large : large;
  return ax < 0.625f ? small : signed_large;
}

// gcc will not vectorise a max reduction while NaN and -inf must be honoured, hence intrinsics.
float row_max(const float* r, int n) {
  __m256 lanes = _mm256_set1_ps(kNegInf);
  int j = 0;
  for (; j + 8 <= n; j += 8) lanes = _mm256_max_ps(lanes, _mm256_loadu_ps(r + j));
  float lane[8];
  _mm256_storeu_ps(lane, lanes);
  float m = kNegInf;
  for (float v : lane) m = v > m ? v : m;
  for (; j < n; ++j) m = r[j] > m ? r[j] : m;
  return m;
}

double row_sum(const float* r, int n) {
  double s = 0.0;
  for (int j = 0; j < n; ++j) s += r[j];
  return s;
}

double row_sum_exp(const float* r, int n, float shift) {
  double s = 0.0;
  for (int j = 0; j < n; ++j) s += fast_exp(r[j] - shift);
  return s;
}

// Folds a tile's row maximum into the running (max, sumExp) pair, rescaling other_sum_exp (if given)
// with sumExp; returns the shift to exponentiate with.
float raise_max(double* max, double* sum_exp, double* other_sum_exp, double tile_max) {
  const double next = *max > tile_max ? *max : tile_max;
  if (next > *max && *max != -std::numeric_limits<double>::infinity()) {
    const double rescale = std::exp(*max - next);
    *sum_exp *= rescale;
    if (other_sum_exp != nullptr) *other_sum_exp *= rescale;
  }
  *max = next;
  return next == -std::numeric_limits<double>::infinity() ? 0.0f : static_cast<float>(next);
}

// The running statistics of a tile's rows (RowBlock on the Java side), pinned for one call.
struct RunningRows {
  Pinned<jdouble> max;
  Pinned<jdouble> sum_exp;
  // The part of sum_exp from columns other than the label; softmax cross-entropy only (null for AMDIM).
  Pinned<jdouble> other_sum_exp;
  Pinned<jdouble> negative_max;
  Pinned<jdouble> negative_sum;

  RunningRows(JNIEnv* env, jdoubleArray mx, jdoubleArray se, jdoubleArray ose, jdoubleArray nmax,
              jdoubleArray nsum)
      : max(env, mx), sum_exp(env, se), other_sum_exp(env, ose), negative_max(env, nmax),
        negative_sum(env, nsum) {}

  // Row i with its positives masked to -inf: records the negatives' sum and max, raises the running
  // max to cover them and the positives' max; returns the shift to exponentiate the tile with.
  float fold_negatives(int i, const float* masked, int cols, double negatives, float positive_max) {
    negative_sum[i] += negatives;
    const float neg_max = row_max(masked, cols);
    negative_max[i] = negative_max[i] > neg_max ? negative_max[i] : neg_max;
    const double tile_max = neg_max > positive_max ? neg_max : positive_max;
    double* other = other_sum_exp.get() == nullptr ? nullptr : &other_sum_exp[i];
    return raise_max(&max[i], &sum_exp[i], other, tile_max);
  }
};

}  // namespace

extern "C" {

JNIEXPORT void JNICALL Java_dev_contrastive_core_kernel_NativeTiles_softmaxFold(
    JNIEnv* env, jclass, jlong scores, jint row_begin, jint row_end, jint cols,
    jintArray label_col, jintArray excluded_col, jdoubleArray max, jdoubleArray sum_exp,
    jdoubleArray other_sum_exp, jdoubleArray negative_max, jdoubleArray negative_sum,
    jdoubleArray positive) {
  std::vector<float> row(cols);
  Pinned<jint> label(env, label_col);
  Pinned<jint> excluded(env, excluded_col);
  RunningRows rows(env, max, sum_exp, other_sum_exp, negative_max, negative_sum);
  Pinned<jdouble> pos(env, positive);
  float* base = reinterpret_cast<float*>(scores);
  for (int i = row_begin; i < row_end; ++i) {
    std::memcpy(row.data(), base + static_cast<int64_t>(i) * cols, sizeof(float) * cols);
    float* r = row.data();
    double negatives = row_sum(r, cols);
    const int lab = label[i];
    const int ex = excluded.get() == nullptr ? -1 : excluded[i];
    float positive_max = kNegInf;
    if (lab >= 0) {
      pos[i] = r[lab];
      negatives -= r[lab];
      positive_max = r[lab];
      r[lab] = kNegInf;
    }
    if (ex >= 0) {
      negatives -= r[ex];
      r[ex] = kNegInf;
    }
    const float shift = rows.fold_negatives(i, r, cols, negatives, positive_max);
    // The label stays masked and its term is added apart, so that other_sum_exp gets every other
    // column of the denominator.
    const double others = row_sum_exp(r, cols, shift);
    rows.other_sum_exp[i] += others;
    rows.sum_exp[i] += others + (lab >= 0 ? fast_exp(static_cast<float>(pos[i]) - shift) : 0.0);
  }
}

JNIEXPORT void JNICALL Java_dev_contrastive_core_kernel_NativeTiles_softmaxBackward(
    JNIEnv* env, jclass, jlong scores, jint row_begin, jint row_end, jint cols,
    jintArray label_col, jintArray excluded_col, jdoubleArray log_sum_exp, jdoubleArray weight,
    jdoubleArray other_share) {
  Pinned<jint> label(env, label_col);
  Pinned<jint> excluded(env, excluded_col);
  Pinned<jdouble> lse(env, log_sum_exp);
  Pinned<jdouble> w(env, weight);
  Pinned<jdouble> share(env, other_share);
  float* base = reinterpret_cast<float*>(scores);
  for (int i = row_begin; i < row_end; ++i) {
    float* r = base + static_cast<int64_t>(i) * cols;
    const float shift = static_cast<float>(lse[i]);
    const float wi = static_cast<float>(w[i]);
    for (int j = 0; j < cols; ++j) r[j] = fast_exp(r[j] - shift) * wi;
    if (excluded.get() != nullptr && excluded[i] >= 0) r[excluded[i]] = 0.0f;
    // w (softmax - 1) at the label, taken as -w times the other columns' share: the difference
    // cancels to nothing in float32 when the label dominates its row.
    if (label[i] >= 0) r[label[i]] = static_cast<float>(-w[i] * share[i]);
  }
}

JNIEXPORT void JNICALL Java_dev_contrastive_core_kernel_NativeTiles_amdimFold(
    JNIEnv* env, jclass, jlong raw, jint row_begin, jint row_end, jint cols, jint locations,
    jintArray positive_start, jfloat tclip, jdoubleArray max, jdoubleArray sum_exp,
    jdoubleArray negative_max, jdoubleArray negative_sum, jdoubleArray positive,
    jdoubleArray squared_raw) {
  std::vector<float> clipped(cols);
  Pinned<jint> start(env, positive_start);
  RunningRows rows(env, max, sum_exp, nullptr, negative_max, negative_sum);
  Pinned<jdouble> pos(env, positive);
  Pinned<jdouble> sq(env, squared_raw);
  const float* base = reinterpret_cast<const float*>(raw);
  const float inv_clip = 1.0f / tclip;
  for (int i = row_begin; i < row_end; ++i) {
    const float* r = base + static_cast<int64_t>(i) * cols;
    float* c = clipped.data();
    float squares = 0.0f;
    for (int j = 0; j < cols; ++j) {
      squares += r[j] * r[j];
      c[j] = tclip * fast_tanh(r[j] * inv_clip);
    }
    sq[i] += squares;
    double negatives = row_sum(c, cols);
    float positive_max = kNegInf;
    const int s = start[i];
    if (s >= 0) {
      for (int l = 0; l < locations; ++l) {
        const float v = c[s + l];
        pos[static_cast<int64_t>(i) * locations + l] = v;
        negatives -= v;
        positive_max = v > positive_max ? v : positive_max;
        c[s + l] = kNegInf;
      }
    }
    const float shift = rows.fold_negatives(i, c, cols, negatives, positive_max);
    rows.sum_exp[i] += row_sum_exp(c, cols, shift);
  }
}

JNIEXPORT void JNICALL Java_dev_contrastive_core_kernel_NativeTiles_amdimBackward(
    JNIEnv* env, jclass, jlong raw, jint row_begin, jint row_end, jint cols, jint locations,
    jintArray positive_start, jfloat tclip, jdoubleArray max, jdoubleArray negative_coefficient,
    jdoubleArray positive_gradient, jfloat two_reg_weight) {
  Pinned<jint> start(env, positive_start);
  Pinned<jdouble> mx(env, max);
  Pinned<jdouble> coef(env, negative_coefficient);
  Pinned<jdouble> pgrad(env, positive_gradient);
  std::vector<float> positive_raw(locations);
  float* base = reinterpret_cast<float*>(raw);
  const float inv_clip = 1.0f / tclip;
  for (int i = row_begin; i < row_end; ++i) {
    float* r = base + static_cast<int64_t>(i) * cols;
    const float shift = static_cast<float>(mx[i]);
    const float k = static_cast<float>(coef[i]);
    const int s = start[i];
    if (s >= 0) std::memcpy(positive_raw.data(), r + s, sizeof(float) * locations);
    for (int j = 0; j < cols; ++j) {
      const float th = fast_tanh(r[j] * inv_clip);
      const float d_score = fast_exp(tclip * th - shift) * k;
      r[j] = d_score * (1.0f - th * th) + two_reg_weight * r[j];
    }
    if (s >= 0) {
      // Positives have their own d loss / d score; the loop above treated them as negatives.
      for (int l = 0; l < locations; ++l) {
        const float raw_score = positive_raw[l];
        const float th = fast_tanh(raw_score * inv_clip);
        const float d_score = static_cast<float>(pgrad[static_cast<int64_t>(i) * locations + l]);
        r[s + l] = d_score * (1.0f - th * th) + two_reg_weight * raw_score;
      }
    }
  }
}

JNIEXPORT void JNICALL Java_dev_contrastive_core_kernel_NativeTiles_transposeImages(
    JNIEnv*, jclass, jlong source, jlong target, jint image_begin, jint image_end, jint rows,
    jint cols) {
  // Blocked so that both the reads and the writes stay within a few cache lines per block.
  constexpr int kBlock = 32;
  const float* src = reinterpret_cast<const float*>(source);
  float* dst = reinterpret_cast<float*>(target);
  const int64_t plane = static_cast<int64_t>(rows) * cols;
  for (int b = image_begin; b < image_end; ++b) {
    const float* s = src + b * plane;
    float* d = dst + b * plane;
    for (int i0 = 0; i0 < rows; i0 += kBlock) {
      const int i1 = i0 + kBlock < rows ? i0 + kBlock : rows;
      for (int j0 = 0; j0 < cols; j0 += kBlock) {
        const int j1 = j0 + kBlock < cols ? j0 + kBlock : cols;
        for (int i = i0; i < i1; ++i) {
          for (int j = j0; j < j1; ++j) d[static_cast<int64_t>(j) * rows + i] = s[static_cast<int64_t>(i) * cols + j];
        }
      }
    }
  }
}

}  // extern "C"
