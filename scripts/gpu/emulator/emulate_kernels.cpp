// Runs the CUDA loss kernels (engine-core/src/main/cuda/contrastive_kernels.cu, compiled as C++ with
// cuda_shim.h) on the CPU and compares loss and gradients with a float64 reference: a check of the
// kernels' index arithmetic, masking, online log-sum-exp, split merging and ADD/WRITE contracts that
// needs no GPU. It cannot see GPU-only faults (races between real warps, occupancy, launch limits):
// scripts/gpu/verify_kernels.py checks those on a GPU. Sizes are small; the feature dimensions cover
// both gradient paths (registers up to 128, global memory above); the split counts are the ones the
// Java binding picks on a 132-multiprocessor H100/H200, plus 1 (no atomics) and 3. "Saturated" cases
// make every positive dominate its row (1 - softmax ~ 1e-12 or less), where a gradient formed as
// softmax - 1 cancels; the float64 reference takes it as minus the other columns' share instead.
// "Shard" cases give the AMDIM kernels the source rows of images [first, first + n) only, against
// every target image, as a data-parallel replica does; the reference keeps those rows' terms.
#include "cuda_shim.h"
#include "contrastive_kernels.cu"
#include <cstdio>
#include <random>
#include <vector>
using V = std::vector<float>;
static std::mt19937 rng(42);
// Outputs the kernels WRITE start as NaN; outputs they ADD to start from random values of the
// gradient's own size, taken off again before the comparison.
static V randn(size_t n, float mag) { std::normal_distribution<float> d(0, mag); V v(n); for (auto& x : v) x = d(rng); return v; }
// rows x d rows of length mag in random directions, orthonormal ones when rows <= d (Gram-Schmidt).
static V directions(int rows, int d, float mag) {
  V g = randn((size_t)rows * d, 1.f);
  std::vector<double> u(g.begin(), g.end());
  for (int i = 0; i < rows; ++i) {
    double* r = &u[(size_t)i * d];
    for (int j = 0; j < i && rows <= d; ++j) {
      double dot = 0;
      for (int t = 0; t < d; ++t) dot += r[t] * u[(size_t)j * d + t];
      for (int t = 0; t < d; ++t) r[t] -= dot * u[(size_t)j * d + t];
    }
    double norm = 0;
    for (int t = 0; t < d; ++t) norm += r[t] * r[t];
    for (int t = 0; t < d; ++t) r[t] /= std::sqrt(norm);
  }
  V v(u.size());
  for (size_t e = 0; e < v.size(); ++e) v[e] = (float)(mag * u[e]);
  return v;
}
// Row rows[i] of `of` (d wide) plus Gaussian noise of standard deviation `noise`, for each i.
static V near(const V& of, const std::vector<int>& rows, int d, float noise) {
  V v((size_t)rows.size() * d);
  std::normal_distribution<float> g(0, noise);
  for (size_t i = 0; i < rows.size(); ++i)
    for (int t = 0; t < d; ++t) v[i * d + t] = of[(size_t)rows[i] * d + t] + g(rng);
  return v;
}
static int cdiv(int a, int b) { return (a + b - 1) / b; }
static int splits(int rows, int other, int forced) {
  int tiles = cdiv(other, 64);
  if (forced > 0) return std::max(1, std::min(forced, tiles));
  return std::max(1, std::min(tiles, cdiv(4 * 132, cdiv(rows, 64))));
}
static double rel(const V& x, const std::vector<double>& r) {
  double num = 0, den = 0;
  // an all-zero reference (InfoNCE at B = 1) is compared absolutely
  for (size_t i = 0; i < x.size(); ++i) { if (!std::isfinite(x[i])) return NAN; num += (x[i] - r[i]) * (x[i] - r[i]); den += r[i] * r[i]; }
  return den == 0 ? std::sqrt(num) : std::sqrt(num) / std::sqrt(den);
}
static float rms(const std::vector<double>& r) {
  double s = 0; for (double x : r) s += x * x; return (float)std::sqrt(s / r.size()) + 1e-30f;
}
static double rel0(double x, double r) { return std::abs(x - r) / std::max(std::abs(r), 1.0); }
static int failures = 0;
static void report(const char* what, double e) {
  bool ok = e < 1e-4;  // NaN fails
  if (!ok) ++failures;
  std::printf("  %-10s %.2e %s\n", what, e, ok ? "ok" : "FAIL");
}

// saturated: unit rows (mag unused) whose label is their own row plus noise of 0.01: the other view
// (InfoNCE, n even) or the labelled key.
static void check_ce(int n, int m, int d, float scale, bool infonce, int forced, float mag,
                     bool saturated = false) {
  V q, k;
  if (!saturated) {
    q = randn((size_t)n * d, mag);
    k = infonce ? q : randn((size_t)m * d, mag);
  }
  std::vector<int> labels(n), excluded(n);
  std::uniform_int_distribution<int> pick(0, m - 1);
  for (int i = 0; i < n; ++i) {
    if (infonce) { labels[i] = (i + n / 2) % n; excluded[i] = i; }
    else { labels[i] = pick(rng); excluded[i] = -1; }
  }
  if (saturated && infonce) {
    q = directions(n / 2, d, 1.f);
    std::vector<int> views(n / 2);
    for (int i = 0; i < n / 2; ++i) views[i] = i;
    V b = near(q, views, d, 0.01f);
    q.insert(q.end(), b.begin(), b.end());
    k = q;
  } else if (saturated) {
    k = directions(m, d, 1.f);
    q = near(k, labels, d, 0.01f);
  }
  V w(n, 1.0f / n);
  int sf = splits(n, m, forced), sb = splits(m, n, forced);
  V partial((size_t)CE_PARTIAL_FIELDS * sf * n, NAN), stats((size_t)CE_STAT_FIELDS * n, NAN);
  V dq((size_t)n * d, 0.f);
  V start, dk;
  const int* ex = infonce ? excluded.data() : nullptr;
    // float64 reference
  double rloss = 0;
  std::vector<double> rdq((size_t)n * d, 0), rdk((size_t)m * d, 0);
  std::vector<double> s(m);
  for (int i = 0; i < n; ++i) {
    double mx = -INFINITY;
    for (int j = 0; j < m; ++j) {
      double acc = 0;
      for (int t = 0; t < d; ++t) acc += (double)q[(size_t)i * d + t] * k[(size_t)j * d + t];
      s[j] = scale * acc;
      if (j != excluded[i]) mx = std::max(mx, s[j]);
    }
    double se = 0;
    for (int j = 0; j < m; ++j) if (j != excluded[i]) se += std::exp(s[j] - mx);
    double lse = mx + std::log(se);
    rloss += w[i] * (lse - s[labels[i]]);
    // softmax - 1 at the label, as minus the other columns' share (the difference cancels)
    double others = 0;
    for (int j = 0; j < m; ++j) if (j != excluded[i] && j != labels[i]) others += std::exp(s[j] - lse);
    for (int j = 0; j < m; ++j) {
      if (j == excluded[i]) continue;
      double g = w[i] * (j == labels[i] ? -others : std::exp(s[j] - lse));
      for (int t = 0; t < d; ++t) {
        rdq[(size_t)i * d + t] += scale * g * k[(size_t)j * d + t];
        rdk[(size_t)j * d + t] += scale * g * q[(size_t)i * d + t];
      }
    }
  }
  start = randn((size_t)m * d, rms(rdk));
  dk = start;
  emu_launch({(unsigned)cdiv(n, 64), (unsigned)sf, 1}, 256, [&] { ce_forward(q.data(), k.data(), n, m, d, scale, labels.data(), ex, partial.data(), stats.data()); });
  emu_launch({(unsigned)cdiv(n, 256), 1, 1}, 256, [&] { ce_finish(n, sf, partial.data(), stats.data()); });
  emu_launch({(unsigned)cdiv(n, 64), (unsigned)sf, 1}, 256, [&] { ce_backward_dq(q.data(), k.data(), n, m, d, scale, labels.data(), ex, w.data(), stats.data(), dq.data()); });
  emu_launch({(unsigned)cdiv(m, 64), (unsigned)sb, 1}, 256, [&] { ce_backward_dk(q.data(), k.data(), n, m, d, scale, labels.data(), ex, w.data(), stats.data(), dk.data()); });
  double loss = 0;
  for (int i = 0; i < n; ++i) loss += w[i] * ((double)stats[i] - stats[n + i]);
  V dkAdded(dk.size());
  for (size_t e = 0; e < dk.size(); ++e) dkAdded[e] = dk[e] - start[e];
  std::printf("ce n=%d m=%d d=%d infonce=%d%s splits=%d/%d\n", n, m, d, infonce,
              saturated ? " saturated" : "", sf, sb);
  report("loss", rel0(loss, rloss));
  report("dq", rel(dq, rdq));
  report("dk", rel(dkAdded, rdk));
}

// saturated: image i's source and every target location are mag times the i-th of b orthonormal
// directions (b <= d) plus noise of 0.05, and no regulariser (its gradient would swamp the NCE's).
// first, n: the shard of source images [first, first + n) (n < 0: all b); the weights stay the
// whole batch's.
static void check_amdim(int b, int d, int L, float tclip, int forced, float mag,
                        bool saturated = false, int first = 0, int n = -1) {
  if (n < 0) n = b;
  int cols = b * L;
  float scale = 1.0f / std::sqrt((float)d), nceW = 0.5f / (b * L);
  float regW = saturated ? 0.f : 0.5f * 0.05f / ((float)b * b * L);
  V src, trg;
  if (saturated) {
    V u = directions(b, d, mag);
    std::vector<int> images(b), locations(cols);
    for (int i = 0; i < b; ++i) images[i] = i;
    for (int j = 0; j < cols; ++j) locations[j] = j / L;
    src = near(u, images, d, 0.05f);
    trg = near(u, locations, d, 0.05f);
  } else {
    src = randn((size_t)b * d, mag);
    trg = randn((size_t)cols * d, mag);
  }
  int sf = splits(n, cols, forced), sb = splits(cols, n, forced);
  V partial((size_t)AMDIM_PARTIAL_FIELDS * sf * n, NAN), pos((size_t)n * L, NAN);
  V stats((size_t)AMDIM_STAT_FIELDS * n, NAN), pg((size_t)n * L, NAN);
  V dsrc((size_t)n * d, 0.f), start, dtrg;
  const float* shard = src.data() + (size_t)first * d;
  double rloss = 0;
  std::vector<double> rds((size_t)n * d, 0), rdt((size_t)cols * d, 0), raw(cols), c(cols), th(cols), g(cols);
  for (int i = first; i < first + n; ++i) {
    double negMax = -INFINITY;
    for (int j = 0; j < cols; ++j) {
      double acc = 0;
      for (int t = 0; t < d; ++t) acc += (double)src[(size_t)i * d + t] * trg[(size_t)j * d + t];
      raw[j] = scale * acc; th[j] = std::tanh(raw[j] / tclip); c[j] = tclip * th[j];
      rloss += regW * raw[j] * raw[j];
      if (j / L != i) negMax = std::max(negMax, c[j]);
    }
    double negSum = 0;
    for (int j = 0; j < cols; ++j) if (j / L != i) negSum += std::exp(c[j] - negMax);
    std::fill(g.begin(), g.end(), 0.0);
    for (int l = 0; l < L; ++l) {
      double cp = c[i * L + l];
      double mm = std::max(cp, negMax);
      double negatives = negMax == -INFINITY ? 0 : negSum * std::exp(negMax - mm);
      double lse = mm + std::log(std::exp(cp - mm) + negatives);
      rloss += nceW * (lse - cp);
      // softmax - 1 at the positive, as minus the negatives' share (the difference cancels)
      g[i * L + l] -= nceW * negatives / (std::exp(cp - mm) + negatives);
      for (int j = 0; j < cols; ++j) if (j / L != i) g[j] += nceW * std::exp(c[j] - lse);
    }
    for (int j = 0; j < cols; ++j) {
      double dr = g[j] * (1 - th[j] * th[j]) + 2 * regW * raw[j];
      for (int t = 0; t < d; ++t) {
        rds[(size_t)(i - first) * d + t] += scale * dr * trg[(size_t)j * d + t];
        rdt[(size_t)j * d + t] += scale * dr * src[(size_t)i * d + t];
      }
    }
  }
  start = randn((size_t)cols * d, rms(rdt));
  dtrg = start;
  emu_launch({(unsigned)cdiv(n, 64), (unsigned)sf, 1}, 256, [&] { amdim_forward(shard, trg.data(), n, first, b, L, d, scale, tclip, partial.data(), pos.data()); });
  emu_launch({(unsigned)cdiv(n, 256), 1, 1}, 256, [&] { amdim_finish(n, L, sf, nceW, partial.data(), pos.data(), stats.data(), pg.data()); });
  emu_launch({(unsigned)cdiv(n, 64), (unsigned)sf, 1}, 256, [&] { amdim_backward_dsrc(shard, trg.data(), n, first, b, L, d, scale, tclip, 2 * regW, stats.data(), pg.data(), dsrc.data()); });
  emu_launch({(unsigned)cdiv(cols, 64), (unsigned)sb, 1}, 256, [&] { amdim_backward_dtrg(shard, trg.data(), n, first, b, L, d, scale, tclip, 2 * regW, stats.data(), pg.data(), dtrg.data()); });
  double loss = 0;
  for (int i = 0; i < n; ++i) loss += (double)nceW * stats[2 * n + i] + (double)regW * stats[6 * n + i];
  V dtAdded(dtrg.size());
  for (size_t e = 0; e < dtrg.size(); ++e) dtAdded[e] = dtrg[e] - start[e];
  std::printf("amdim b=%d d=%d L=%d tclip=%g mag=%g%s shard=[%d, %d) splits=%d/%d\n", b, d, L,
              tclip, mag, saturated ? " saturated" : "", first, first + n, sf, sb);
  report("loss", rel0(loss, rloss));
  report("dsrc", rel(dsrc, rds));
  report("dtrg", rel(dtAdded, rdt));
}

int main() {
  for (int forced : {1, 0, 3}) {
    check_ce(2, 2, 5, 10.f, true, forced, 0.3f);
    check_ce(6, 6, 7, 2.f, true, forced, 0.5f);
    check_ce(134, 134, 33, 5.f, true, forced, 0.2f);
    check_ce(45, 75, 8, 0.1f, false, forced, 1.f);
    check_ce(70, 200, 130, 0.1f, false, forced, 1.f);
    check_ce(130, 130, 128, 10.f, true, forced, 0.1f);
    check_ce(66, 70, 64, 0.5f, false, forced, 1.f);
    check_amdim(2, 16, 1, 20.f, forced, 1.f);
    check_amdim(3, 40, 5, 20.f, forced, 1.f);
    check_amdim(65, 70, 7, 10.f, forced, 1.f);
    check_amdim(70, 64, 3, 10.f, forced, 4.f);
    check_amdim(20, 200, 4, 20.f, forced, 1.f);
  }
  // After the others, so that their random inputs stay as they were.
  for (int forced : {1, 0, 3}) {
    // InfoNCE at B = 37, D = 19, tau = 0.01 and B = 100; a CPC-like case
    check_ce(74, 74, 19, 100.f, true, forced, 0.f, true);
    check_ce(200, 200, 19, 100.f, true, forced, 0.f, true);
    check_ce(45, 75, 19, 60.f, false, forced, 0.f, true);
    // raw scores ~40 at the positives, ~0 elsewhere: clipped margins ~32 at tclip = 50
    check_amdim(5, 8, 4, 50.f, forced, 10.6f, true);
    check_amdim(20, 200, 4, 50.f, forced, 23.8f, true);
  }
  // Shards, last for the same reason: the first image, a middle range, a range across the 64-row
  // tile, the last image, and a saturated middle range.
  for (int forced : {1, 0, 3}) {
    check_amdim(7, 16, 3, 20.f, forced, 1.f, false, 0, 1);
    check_amdim(65, 70, 7, 10.f, forced, 1.f, false, 20, 30);
    check_amdim(130, 40, 2, 20.f, forced, 1.f, false, 50, 70);
    check_amdim(70, 64, 3, 10.f, forced, 4.f, false, 69, 1);
    check_amdim(20, 200, 4, 50.f, forced, 23.8f, true, 5, 9);
  }
  std::printf("%d failures\n", failures);
  return failures != 0;
}
