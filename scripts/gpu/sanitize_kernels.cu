// Small launches of every loss kernel for compute-sanitizer (memcheck, racecheck, synccheck), which
// finds what neither the CPU emulator nor a numerical comparison can: out-of-bounds accesses, shared-
// memory races between warps, divergent barriers. Shapes are not multiples of the tile, cover both
// gradient paths (D <= 128 in registers, D > 128 through global memory) and one and several splits.
// AMDIM also runs on shards (source rows of a range of images against all of them). Exit status 1
// on any CUDA error or non-finite output. Built and run by verify_kernels.sh.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "contrastive_kernels.cu"

#define CHECK(call)                                                                      \
  do {                                                                                   \
    cudaError_t err_ = (call);                                                           \
    if (err_ != cudaSuccess) {                                                           \
      std::fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #call,                  \
                   cudaGetErrorString(err_));                                            \
      std::exit(1);                                                                      \
    }                                                                                    \
  } while (0)

namespace {

int cdiv(int a, int b) { return (a + b - 1) / b; }

float* device_random(size_t count, unsigned seed) {
  std::vector<float> host(count);
  for (size_t i = 0; i < count; ++i) {
    seed = seed * 1664525u + 1013904223u;
    host[i] = ((seed >> 8) / 16777216.0f - 0.5f) * 2.0f;
  }
  float* p;
  CHECK(cudaMalloc(&p, count * sizeof(float)));
  CHECK(cudaMemcpy(p, host.data(), count * sizeof(float), cudaMemcpyHostToDevice));
  return p;
}

int* device_ints(const std::vector<int>& host) {
  int* p;
  CHECK(cudaMalloc(&p, host.size() * sizeof(int)));
  CHECK(cudaMemcpy(p, host.data(), host.size() * sizeof(int), cudaMemcpyHostToDevice));
  return p;
}

bool all_finite(const float* device, size_t count) {
  std::vector<float> host(count);
  CHECK(cudaMemcpy(host.data(), device, count * sizeof(float), cudaMemcpyDeviceToHost));
  for (float v : host) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

bool run_ce(int n, int m, int d, bool exclude, int splits) {
  float* q = device_random((size_t)n * d, 1);
  float* k = device_random((size_t)m * d, 2);
  std::vector<int> labels(n), excluded(n);
  for (int i = 0; i < n; ++i) {
    labels[i] = (i * 7 + 3) % m;
    excluded[i] = exclude ? (labels[i] + 1) % m : -1;
  }
  int* dl = device_ints(labels);
  int* de = exclude ? device_ints(excluded) : nullptr;
  float* w = device_random(n, 3);
  float *partial, *stats, *dq, *dk;
  CHECK(cudaMalloc(&partial, sizeof(float) * CE_PARTIAL_FIELDS * splits * n));
  CHECK(cudaMalloc(&stats, sizeof(float) * CE_STAT_FIELDS * n));
  CHECK(cudaMalloc(&dq, sizeof(float) * n * d));
  CHECK(cudaMalloc(&dk, sizeof(float) * m * d));
  CHECK(cudaMemset(dq, 0, sizeof(float) * n * d));
  CHECK(cudaMemset(dk, 0, sizeof(float) * m * d));
  ce_forward<<<dim3(cdiv(n, CK_TILE), splits), CK_THREADS>>>(q, k, n, m, d, 0.5f, dl, de, partial,
                                                             stats);
  ce_finish<<<cdiv(n, CK_THREADS), CK_THREADS>>>(n, splits, partial, stats);
  ce_backward_dq<<<dim3(cdiv(n, CK_TILE), splits), CK_THREADS>>>(q, k, n, m, d, 0.5f, dl, de, w,
                                                                 stats, dq);
  ce_backward_dk<<<dim3(cdiv(m, CK_TILE), splits), CK_THREADS>>>(q, k, n, m, d, 0.5f, dl, de, w,
                                                                 stats, dk);
  CHECK(cudaGetLastError());
  CHECK(cudaDeviceSynchronize());
  bool ok = all_finite(stats, 2 * (size_t)n) && all_finite(dq, (size_t)n * d) &&
            all_finite(dk, (size_t)m * d);
  std::printf("ce n=%d m=%d d=%d exclude=%d splits=%d: %s\n", n, m, d, exclude, splits,
              ok ? "ok" : "NON-FINITE");
  for (void* p : {(void*)q, (void*)k, (void*)dl, (void*)de, (void*)w, (void*)partial, (void*)stats,
                  (void*)dq, (void*)dk}) {
    CHECK(cudaFree(p));
  }
  return ok;
}

// The n source rows of images [first, first + n) against all b images' locations (n = b, first = 0:
// the full loss).
bool run_amdim(int b, int locs, int d, int splits, int first = 0, int n = -1) {
  if (n < 0) n = b;
  const int cols = b * locs;
  float* src = device_random((size_t)n * d, 4);
  float* trg = device_random((size_t)cols * d, 5);
  float *partial, *positives, *stats, *gradient, *dsrc, *dtrg;
  CHECK(cudaMalloc(&partial, sizeof(float) * AMDIM_PARTIAL_FIELDS * splits * n));
  CHECK(cudaMalloc(&positives, sizeof(float) * n * locs));
  CHECK(cudaMalloc(&stats, sizeof(float) * AMDIM_STAT_FIELDS * n));
  CHECK(cudaMalloc(&gradient, sizeof(float) * n * locs));
  CHECK(cudaMalloc(&dsrc, sizeof(float) * n * d));
  CHECK(cudaMalloc(&dtrg, sizeof(float) * cols * d));
  CHECK(cudaMemset(dsrc, 0, sizeof(float) * n * d));
  CHECK(cudaMemset(dtrg, 0, sizeof(float) * cols * d));
  const float scale = 1.0f / std::sqrt((float)d);
  amdim_forward<<<dim3(cdiv(n, CK_TILE), splits), CK_THREADS>>>(src, trg, n, first, b, locs, d,
                                                                scale, 10.f, partial, positives);
  amdim_finish<<<cdiv(n, CK_THREADS), CK_THREADS>>>(n, locs, splits, 0.01f, partial, positives,
                                                    stats, gradient);
  amdim_backward_dsrc<<<dim3(cdiv(n, CK_TILE), splits), CK_THREADS>>>(
      src, trg, n, first, b, locs, d, scale, 10.f, 1e-4f, stats, gradient, dsrc);
  amdim_backward_dtrg<<<dim3(cdiv(cols, CK_TILE), splits), CK_THREADS>>>(
      src, trg, n, first, b, locs, d, scale, 10.f, 1e-4f, stats, gradient, dtrg);
  CHECK(cudaGetLastError());
  CHECK(cudaDeviceSynchronize());
  bool ok = all_finite(stats, (size_t)AMDIM_STAT_FIELDS * n) && all_finite(dsrc, (size_t)n * d) &&
            all_finite(dtrg, (size_t)cols * d);
  std::printf("amdim b=%d L=%d d=%d shard=[%d, %d) splits=%d: %s\n", b, locs, d, first, first + n,
              splits, ok ? "ok" : "NON-FINITE");
  for (void* p : {(void*)src, (void*)trg, (void*)partial, (void*)positives, (void*)stats,
                  (void*)gradient, (void*)dsrc, (void*)dtrg}) {
    CHECK(cudaFree(p));
  }
  return ok;
}

}  // namespace

int main() {
  bool ok = true;
  for (int splits : {1, 2}) {
    ok &= run_ce(134, 134, 33, true, splits);
    ok &= run_ce(70, 200, 130, false, splits);
    ok &= run_amdim(65, 7, 70, splits);
    ok &= run_amdim(20, 4, 200, splits);
    ok &= run_amdim(130, 2, 40, splits, 50, 70);
    ok &= run_amdim(70, 3, 200, splits, 69, 1);
  }
  return ok ? 0 : 1;
}
