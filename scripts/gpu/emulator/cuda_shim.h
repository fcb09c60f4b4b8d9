// CPU emulation of the few CUDA features the loss kernels use: one block at a time, one std::thread per
// CUDA thread, __syncthreads as a std::barrier, __shared__ as a static (blocks never overlap), warp
// shuffles through a slot array between two barriers (every thread of a block reaches them together).
#pragma once
#include <atomic>
#include <barrier>
#include <cmath>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>
struct dim3 { unsigned x = 1, y = 1, z = 1; };
inline thread_local dim3 threadIdx, blockIdx;
inline dim3 gridDim, blockDim;
inline std::barrier<>* g_barrier;
inline float g_shfl[1024];
#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(x)
#define __shared__ static
inline void __syncthreads() { g_barrier->arrive_and_wait(); }
inline float __shfl_xor_sync(unsigned, float v, int off) {
  const int t = threadIdx.x;
  g_shfl[t] = v;
  __syncthreads();
  const float r = g_shfl[t ^ off];
  __syncthreads();
  return r;
}
inline float atomicAdd(float* p, float v) { return std::atomic_ref<float>(*p).fetch_add(v); }
inline void emu_launch(dim3 grid, int threads, const std::function<void()>& body) {
  gridDim = grid;
  blockDim = dim3{(unsigned)threads, 1, 1};
  for (unsigned by = 0; by < grid.y; ++by) {
    for (unsigned bx = 0; bx < grid.x; ++bx) {
      std::barrier<> bar(threads);
      g_barrier = &bar;
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
          threadIdx = dim3{(unsigned)t, 0, 0};
          blockIdx = dim3{bx, by, 0};
          body();
        });
      }
      for (auto& th : pool) th.join();
    }
  }
}
