// Fused contrastive losses on the GPU, flash style: scores exist only as CK_TILE x CK_TILE tiles in
// registers and shared memory; each row keeps a running max and sum-exp; the backward passes recompute
// the tiles. Launch contract: contrastive_kernels.cuh. Design and cost floors: NOTES.md.
//
// Kernels (all extern "C", blockDim = CK_THREADS):
//   ce_forward, ce_finish, ce_backward_dq, ce_backward_dk        softmax cross-entropy over
//       S = scale * Q K^T with one label and at most one excluded column per row (InfoNCE, CPC);
//   amdim_forward, amdim_finish, amdim_backward_dsrc, amdim_backward_dtrg
//       AMDIM's multi-positive NCE with the tanh clip and the raw-score regulariser, for the source
//       rows of a contiguous range of images (a shard; all of them in the full loss).
//
// Arithmetic is plain fp32 FMA with accurate expf/tanhf (no fast-math): on the CPU emulator
// (scripts/gpu/emulate_kernels.sh) results are within 4e-7 relative of float64; tensor cores in TF32
// would not meet the 1e-4 contract.
#include <math_constants.h>

#include "contrastive_kernels.cuh"

namespace {

constexpr int kTile = CK_TILE;
constexpr int kThreads = CK_THREADS;
constexpr int kDepth = CK_DEPTH;
// Thread (ty, tx) of a 16 x 16 grid owns tile rows ty + 16 r and columns tx + 16 c (r, c < 4): the 16
// threads of one row are 16 consecutive lanes of one warp, so row reductions are warp shuffles.
constexpr int kSide = 16;
constexpr int kMicro = kTile / kSide;
// Row pitch of shared tiles: one word of padding keeps transposed stores and column reads
// conflict-free.
constexpr int kPitch = kTile + 1;

static_assert(kSide * kSide == kThreads, "the 16 x 16 thread grid must cover the block");
static_assert(2 * kDepth * kPitch >= kTile * kTile, "the operand tile must fit in the staging buffer");

struct Shared {
  // Phase 1 (scores): two kDepth x kTile operand tiles, transposed (depth-major).
  // Phase 2 (gradients): one kTile x kTile tile of the other side's features.
  float stage[2 * kDepth * kPitch];
  // dL/dS of the current tile, owner rows x other rows.
  float grad[kTile * kPitch];
};

__device__ __forceinline__ int thread_row() { return threadIdx.x / kSide; }
__device__ __forceinline__ int thread_col() { return threadIdx.x % kSide; }

// acc[r][c] += sum_k a[k * A_K + (ty + 16 r) * A_R] * b[k * B_K + tx + 16 c] over k < DEPTH: this
// thread's micro-tile of an outer-product sum over staged operands in shared memory.
template <int DEPTH, int A_K, int A_R, int B_K>
__device__ __forceinline__ void micro_tile_fma(const float* a, const float* b,
                                               float acc[kMicro][kMicro]) {
  const int ty = thread_row();
  const int tx = thread_col();
#pragma unroll 8
  for (int k = 0; k < DEPTH; ++k) {
    float av[kMicro];
    float bv[kMicro];
#pragma unroll
    for (int r = 0; r < kMicro; ++r) av[r] = a[k * A_K + (ty + kSide * r) * A_R];
#pragma unroll
    for (int c = 0; c < kMicro; ++c) bv[c] = b[k * B_K + tx + kSide * c];
#pragma unroll
    for (int r = 0; r < kMicro; ++r) {
#pragma unroll
      for (int c = 0; c < kMicro; ++c) acc[r][c] = fmaf(av[r], bv[c], acc[r][c]);
    }
  }
}

// acc[r][c] = dot(own[o0 + ty + 16 r], other[x0 + tx + 16 c]); rows beyond either side count as 0.
// Starts and ends with a barrier-clean staging buffer.
__device__ void score_tile(const float* __restrict__ own, int ownRows, int o0,
                           const float* __restrict__ other, int otherRows, int x0, int d,
                           Shared& sm, float acc[kMicro][kMicro]) {
  float* sa = sm.stage;
  float* sb = sm.stage + kDepth * kPitch;
#pragma unroll
  for (int r = 0; r < kMicro; ++r) {
#pragma unroll
    for (int c = 0; c < kMicro; ++c) acc[r][c] = 0.f;
  }
  for (int d0 = 0; d0 < d; d0 += kDepth) {
    // Consecutive threads read consecutive features of one row (coalesced) and store them
    // depth-major; the pitch of kTile + 1 spreads those stores over all banks.
    for (int e = threadIdx.x; e < kTile * kDepth; e += kThreads) {
      const int row = e / kDepth;
      const int k = e % kDepth;
      const int gk = d0 + k;
      const int go = o0 + row;
      const int gx = x0 + row;
      sa[k * kPitch + row] = (go < ownRows && gk < d) ? own[(size_t)go * d + gk] : 0.f;
      sb[k * kPitch + row] = (gx < otherRows && gk < d) ? other[(size_t)gx * d + gk] : 0.f;
    }
    __syncthreads();
    micro_tile_fma<kDepth, kPitch, 1, kPitch>(sa, sb, acc);
    __syncthreads();
  }
}

// Stages other's rows x0 .. x0 + kTile, columns d0 .. d0 + kTile in oth (kTile x kTile, pitch
// kTile), zero outside other; ends with a barrier.
__device__ __forceinline__ void stage_other(const float* __restrict__ other, int otherRows, int x0,
                                            int d0, int d, float* oth) {
  for (int e = threadIdx.x; e < kTile * kTile; e += kThreads) {
    const int x = e / kTile;
    const int k = e % kTile;
    const int gx = x0 + x;
    const int gk = d0 + k;
    oth[x * kTile + k] = (gx < otherRows && gk < d) ? other[(size_t)gx * d + gk] : 0.f;
  }
  __syncthreads();
}

// o[r][c] += sum_x grad[ty + kSide r][x] * oth[x][tx + kSide c]: this thread's micro-tile of the
// gradient tile (in sm.grad) times the staged chunk of other.
__device__ __forceinline__ void add_grad_times_other(const Shared& sm, const float* oth,
                                                     float o[kMicro][kMicro]) {
  micro_tile_fma<kTile, 1, kPitch, kTile>(sm.grad, oth, o);
}

// out[o0 + row] += scale * sum_x grad[row][x] * other[x0 + x] over the tile, for the owner rows,
// straight into global memory: the path for d > kTile * kRegChunks, where the strip's output does not
// fit in registers. grad is in shared memory (written before the call, followed by a barrier).
__device__ void apply_gradient_tile(const float* __restrict__ other, int otherRows, int x0,
                                    int ownRows, int o0, int d, float scale, Shared& sm,
                                    float* __restrict__ out, bool atomic) {
  float* oth = sm.stage;  // kTile x kTile, pitch kTile
  const int ty = thread_row();
  const int tx = thread_col();
  for (int d0 = 0; d0 < d; d0 += kTile) {
    stage_other(other, otherRows, x0, d0, d, oth);
    float o[kMicro][kMicro];
#pragma unroll
    for (int r = 0; r < kMicro; ++r) {
#pragma unroll
      for (int c = 0; c < kMicro; ++c) o[r][c] = 0.f;
    }
    add_grad_times_other(sm, oth, o);
#pragma unroll
    for (int r = 0; r < kMicro; ++r) {
      const int row = o0 + ty + kSide * r;
#pragma unroll
      for (int c = 0; c < kMicro; ++c) {
        const int col = d0 + tx + kSide * c;
        if (row < ownRows && col < d) {
          float* p = out + (size_t)row * d + col;
          if (atomic) {
            atomicAdd(p, scale * o[r][c]);
          } else {
            *p += scale * o[r][c];
          }
        }
      }
    }
    __syncthreads();
  }
}

// Register-resident variant for d <= kTile * kRegChunks (InfoNCE's 128, CPC's 64): the strip's output
// stays in registers across all of the block's tiles and is written once (plain, or one atomicAdd per
// element and split), instead of a read-modify-write of the strip in global memory per tile.
constexpr int kRegChunks = 2;

__device__ void accumulate_gradient_tile(const float* __restrict__ other, int otherRows, int x0,
                                         int d, Shared& sm,
                                         float o[kRegChunks][kMicro][kMicro]) {
  float* oth = sm.stage;  // kTile x kTile, pitch kTile
#pragma unroll
  for (int chunk = 0; chunk < kRegChunks; ++chunk) {
    const int d0 = chunk * kTile;
    if (d0 >= d) break;  // uniform across the block, so no barrier is skipped by only some threads
    stage_other(other, otherRows, x0, d0, d, oth);
    add_grad_times_other(sm, oth, o[chunk]);
    __syncthreads();
  }
}

// Online log-sum-exp state merge: (m, s) and (om, os) -> (max, combined sum); -inf max means empty.
__device__ __forceinline__ void merge_lse(float& m, float& s, float om, float os) {
  const float nm = fmaxf(m, om);
  const float a = m == -CUDART_INF_F ? 0.f : s * expf(m - nm);
  const float b = om == -CUDART_INF_F ? 0.f : os * expf(om - nm);
  m = nm;
  s = a + b;
}

// Reduces one row's per-thread state over the 16 lanes that share the row.
__device__ __forceinline__ void reduce_row(float& m, float& s, float& negSum, float& negMax) {
#pragma unroll
  for (int off = kSide / 2; off > 0; off /= 2) {
    const float om = __shfl_xor_sync(0xffffffffu, m, off);
    const float os = __shfl_xor_sync(0xffffffffu, s, off);
    merge_lse(m, s, om, os);
    negSum += __shfl_xor_sync(0xffffffffu, negSum, off);
    negMax = fmaxf(negMax, __shfl_xor_sync(0xffffffffu, negMax, off));
  }
}

// Folds one tile's candidate values into a row's running max and sum-exp. value[c] is -inf for
// columns outside the sum; maxCandidate may exceed every value (the softmax cross-entropy's label and
// AMDIM's positives raise the shift without entering the sum).
__device__ __forceinline__ void fold_row(float& m, float& s, float maxCandidate,
                                         const float value[kMicro]) {
  if (maxCandidate > m) {
    s = m == -CUDART_INF_F ? 0.f : s * expf(m - maxCandidate);
    m = maxCandidate;
  }
  if (m != -CUDART_INF_F) {
#pragma unroll
    for (int c = 0; c < kMicro; ++c) s += expf(value[c] - m);
  }
}

__device__ __forceinline__ int tile_count(int rows) { return (rows + kTile - 1) / kTile; }

// Pass 1 of both losses: a block holds 64 own rows and walks its split of the column tiles,
// keeping per row a running max and sum-exp over the negatives, their sum and their max; then
// reduces those over the row's lanes and writes the block's partials, field f of row i at
// partial[(f * splits + blockIdx.y) * n + i]. Rows says what each element is (the two losses
// differ only there):
//   bool score(r, i, j, acc, s): whether column j enters row i's softmax, and its score s;
//   bool positive(r, i, j, s): records s and returns true when j is one of row i's positives,
//     which raise the max but stay out of the sum;
//   void finish(r, writer, out): reduces the loss's own row state over the lanes (every lane
//     calls it) and, on the writer lane, stores it at out, the fifth field.
template <class Rows>
__device__ void forward_partials(const float* __restrict__ own, int n,
                                 const float* __restrict__ other, int cols, int d, Rows& rows,
                                 float* __restrict__ partial) {
  __shared__ Shared sm;
  const int o0 = blockIdx.x * kTile;
  const int ty = thread_row();
  const int tx = thread_col();
  float mx[kMicro], se[kMicro], negSum[kMicro], negMax[kMicro];
#pragma unroll
  for (int r = 0; r < kMicro; ++r) {
    mx[r] = -CUDART_INF_F;
    se[r] = 0.f;
    negSum[r] = 0.f;
    negMax[r] = -CUDART_INF_F;
  }
  const int tiles = tile_count(cols);
  for (int t = blockIdx.y; t < tiles; t += gridDim.y) {
    const int x0 = t * kTile;
    float acc[kMicro][kMicro];
    score_tile(own, n, o0, other, cols, x0, d, sm, acc);
#pragma unroll
    for (int r = 0; r < kMicro; ++r) {
      const int i = o0 + ty + kSide * r;
      float value[kMicro];
      float tileMax = -CUDART_INF_F;
#pragma unroll
      for (int c = 0; c < kMicro; ++c) {
        const int j = x0 + tx + kSide * c;
        value[c] = -CUDART_INF_F;
        float s;
        if (i < n && j < cols && rows.score(r, i, j, acc[r][c], s)) {
          tileMax = fmaxf(tileMax, s);
          if (!rows.positive(r, i, j, s)) {
            value[c] = s;
            negSum[r] += s;
            negMax[r] = fmaxf(negMax[r], s);
          }
        }
      }
      fold_row(mx[r], se[r], tileMax, value);
    }
  }
  const size_t field = (size_t)gridDim.y * n;
#pragma unroll
  for (int r = 0; r < kMicro; ++r) {
    reduce_row(mx[r], se[r], negSum[r], negMax[r]);
    const int i = o0 + ty + kSide * r;
    const bool writer = tx == 0 && i < n;
    const size_t at = (size_t)blockIdx.y * n + i;
    if (writer) {
      partial[at] = mx[r];
      partial[field + at] = se[r];
      partial[2 * field + at] = negSum[r];
      partial[3 * field + at] = negMax[r];
    }
    rows.finish(r, writer, partial + 4 * field + at);
  }
}

// Merges row i's four shared fields of forward_partials over the splits.
__device__ __forceinline__ void merge_partials(int n, int splits, const float* __restrict__ partial,
                                               int i, float& m, float& s, float& negSum,
                                               float& negMax) {
  m = -CUDART_INF_F;
  s = 0.f;
  negSum = 0.f;
  negMax = -CUDART_INF_F;
  for (int p = 0; p < splits; ++p) {
    const size_t at = (size_t)p * n + i;
    merge_lse(m, s, partial[at], partial[(size_t)splits * n + at]);
    negSum += partial[(size_t)2 * splits * n + at];
    negMax = fmaxf(negMax, partial[(size_t)3 * splits * n + at]);
  }
}

// --- softmax cross-entropy ------------------------------------------------------------------------

// ce_forward's elements: every column but the excluded one is scored; the label is the positive,
// whose score goes to stats[n + i].
struct CeRows {
  float scale;
  int n;
  float* stats;
  int label[kMicro];
  int skip[kMicro];

  __device__ __forceinline__ bool score(int r, int, int j, float acc, float& s) const {
    s = scale * acc;
    return j != skip[r];
  }
  __device__ __forceinline__ bool positive(int r, int i, int j, float s) const {
    if (j != label[r]) return false;
    stats[n + i] = s;
    return true;
  }
  __device__ __forceinline__ void finish(int, bool, float*) const {}
};

// dL/dS for row i, column j of the softmax cross-entropy. At the label, w (softmax - 1) is taken as
// -w times the other columns' share: the difference cancels when the label dominates its row.
struct CeGradient {
  int n, m;
  const int* labels;
  const int* excluded;
  const float* weights;
  const float* stats;

  __device__ __forceinline__ float operator()(int i, int j, float s) const {
    if (i >= n || j >= m) return 0.f;
    if (excluded != nullptr && excluded[i] == j) return 0.f;
    const float w = weights[i];
    return labels[i] == j ? -w * stats[4 * n + i] : w * expf(s - stats[i]);
  }
};

// dL/draw for source row i (image first + i), target column j of AMDIM (clip derivative and
// regulariser included).
struct AmdimGradient {
  int n, first, b, locs;
  float tclip, twoRegWeight;
  const float* stats;
  const float* positiveGradient;

  __device__ __forceinline__ float operator()(int i, int j, float raw) const {
    if (i >= n || j >= b * locs) return 0.f;
    const float t = tanhf(raw / tclip);
    const float c = tclip * t;
    const int image = j / locs;
    const float g = image == first + i ? positiveGradient[(size_t)i * locs + (j - image * locs)]
                                       : expf(c - stats[i]) * stats[n + i];
    return g * (1.f - t * t) + twoRegWeight * raw;
  }
};

// amdim_forward's elements: every column is scored, clipped as c = tclip * tanh(raw / tclip); image
// first + i's locations are row i's positives, written to positives; squares sums raw^2 per row.
struct AmdimRows {
  float scale;
  float tclip;
  int first;
  int locs;
  float* positives;
  float squares[kMicro];

  __device__ __forceinline__ bool score(int r, int, int, float acc, float& s) {
    const float raw = scale * acc;
    s = tclip * tanhf(raw / tclip);
    squares[r] = fmaf(raw, raw, squares[r]);
    return true;
  }
  __device__ __forceinline__ bool positive(int, int i, int j, float s) const {
    const int image = j / locs;
    if (image != first + i) return false;
    positives[(size_t)i * locs + (j - image * locs)] = s;
    return true;
  }
  __device__ __forceinline__ void finish(int r, bool writer, float* out) {
#pragma unroll
    for (int off = kSide / 2; off > 0; off /= 2) {
      squares[r] += __shfl_xor_sync(0xffffffffu, squares[r], off);
    }
    if (writer) *out = squares[r];
  }
};

// Recomputes score tile (o0, x0) and leaves dL/dS (owner rows x other rows) in sm.grad, followed by a
// barrier. OWN_ROWS: the owner is the query (row) side of S; otherwise the key (column) side.
template <bool OWN_ROWS, class Gradient>
__device__ void gradient_tile(const float* __restrict__ own, int ownRows, int o0,
                              const float* __restrict__ other, int otherRows, int x0, int d,
                              float scale, const Gradient& gradient, Shared& sm) {
  const int ty = thread_row();
  const int tx = thread_col();
  float acc[kMicro][kMicro];
  score_tile(own, ownRows, o0, other, otherRows, x0, d, sm, acc);
#pragma unroll
  for (int r = 0; r < kMicro; ++r) {
    const int o = o0 + ty + kSide * r;
#pragma unroll
    for (int c = 0; c < kMicro; ++c) {
      const int x = x0 + tx + kSide * c;
      const float s = scale * acc[r][c];
      sm.grad[(ty + kSide * r) * kPitch + tx + kSide * c] =
          OWN_ROWS ? gradient(o, x, s) : gradient(x, o, s);
    }
  }
  __syncthreads();
}

// Backward strip: the block owns rows [o0, o0 + kTile) of `own` and adds the gradient of those rows,
// scale * sum over the other side of dL/dS * other, over its share of the other side's tiles.
template <bool OWN_ROWS, class Gradient>
__device__ void backward_strip(const float* __restrict__ own, int ownRows,
                               const float* __restrict__ other, int otherRows, int d, float scale,
                               const Gradient& gradient, float* __restrict__ out) {
  __shared__ Shared sm;
  const int o0 = blockIdx.x * kTile;
  const bool atomic = gridDim.y > 1;
  const int tiles = tile_count(otherRows);
  if (d > kTile * kRegChunks) {
    for (int t = blockIdx.y; t < tiles; t += gridDim.y) {
      const int x0 = t * kTile;
      gradient_tile<OWN_ROWS>(own, ownRows, o0, other, otherRows, x0, d, scale, gradient, sm);
      apply_gradient_tile(other, otherRows, x0, ownRows, o0, d, scale, sm, out, atomic);
    }
    return;
  }
  float o[kRegChunks][kMicro][kMicro];
#pragma unroll
  for (int chunk = 0; chunk < kRegChunks; ++chunk) {
#pragma unroll
    for (int r = 0; r < kMicro; ++r) {
#pragma unroll
      for (int c = 0; c < kMicro; ++c) o[chunk][r][c] = 0.f;
    }
  }
  for (int t = blockIdx.y; t < tiles; t += gridDim.y) {
    const int x0 = t * kTile;
    gradient_tile<OWN_ROWS>(own, ownRows, o0, other, otherRows, x0, d, scale, gradient, sm);
    accumulate_gradient_tile(other, otherRows, x0, d, sm, o);
  }
  const int ty = thread_row();
  const int tx = thread_col();
#pragma unroll
  for (int chunk = 0; chunk < kRegChunks; ++chunk) {
#pragma unroll
    for (int r = 0; r < kMicro; ++r) {
      const int row = o0 + ty + kSide * r;
#pragma unroll
      for (int c = 0; c < kMicro; ++c) {
        const int col = chunk * kTile + tx + kSide * c;
        if (row < ownRows && col < d) {
          float* p = out + (size_t)row * d + col;
          if (atomic) {
            atomicAdd(p, scale * o[chunk][r][c]);
          } else {
            *p += scale * o[chunk][r][c];
          }
        }
      }
    }
  }
}

}  // namespace

// Pass 1 of the softmax cross-entropy. q (n, d), k (m, d); labels[n] in [0, m); excluded[n] in
// [-1, m) or nullptr (no exclusion), never equal to the label. grid (ceil(n / 64), splits).
// Writes partial (CE_PARTIAL_FIELDS x splits x n) and stats[n + i] = S[i, labels[i]]. The label
// raises the running max but stays out of the running sum, which ce_finish completes.
extern "C" __global__ void __launch_bounds__(CK_THREADS)
ce_forward(const float* __restrict__ q, const float* __restrict__ k, int n, int m, int d,
           float scale, const int* __restrict__ labels, const int* __restrict__ excluded,
           float* __restrict__ partial, float* __restrict__ stats) {
  CeRows rows{scale, n, stats, {}, {}};
#pragma unroll
  for (int r = 0; r < kMicro; ++r) {
    const int i = blockIdx.x * kTile + thread_row() + kSide * r;
    rows.label[r] = i < n ? labels[i] : -1;
    rows.skip[r] = (i < n && excluded != nullptr) ? excluded[i] : -1;
  }
  forward_partials(q, n, k, m, d, rows, partial);
}

// Merges the partials of ce_forward: stats[i] = log-sum-exp, stats[2n + i] = negative sum,
// stats[3n + i] = negative max (-inf when the row has no negative), stats[4n + i] = the other
// columns' share of the denominator, 1 - softmax at the label without that subtraction, which
// cancels when the label dominates its row. One thread per row, any grid covering n.
extern "C" __global__ void __launch_bounds__(CK_THREADS)
ce_finish(int n, int splits, const float* __restrict__ partial, float* __restrict__ stats) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  float m, s, negSum, negMax;
  merge_partials(n, splits, partial, i, m, s, negSum, negMax);
  // s has every term but the label's; m covers the label, so its term is at most 1.
  const float sumExp = s + expf(stats[n + i] - m);
  stats[i] = m + logf(sumExp);
  stats[2 * n + i] = negSum;
  stats[3 * n + i] = negMax;
  stats[4 * n + i] = s / sumExp;
}

// The two backward kernels of each loss take the same arguments and differ only in which side's
// rows a block owns and which gradient it adds to.
#define CE_BACKWARD_ARGS                                                                    \
  const float* __restrict__ q, const float* __restrict__ k, int n, int m, int d, float scale, \
      const int* __restrict__ labels, const int* __restrict__ excluded,                       \
      const float* __restrict__ weights, const float* __restrict__ stats

// dQ += scale * dS K with dS[i, j] = w_i (softmax_ij - [j == label_i]) (-w_i stats[4n + i] at the
// label), 0 at the excluded column. stats as left by ce_finish. grid (ceil(n / 64), splits); dq (n, d).
extern "C" __global__ void __launch_bounds__(CK_THREADS)
ce_backward_dq(CE_BACKWARD_ARGS, float* __restrict__ dq) {
  const CeGradient g{n, m, labels, excluded, weights, stats};
  backward_strip<true>(q, n, k, m, d, scale, g, dq);
}

// dK += scale * dS^T Q, same dS. grid (ceil(m / 64), splits); dk (m, d). Each block owns key rows,
// so with one split there are no atomics and the sum order is fixed.
extern "C" __global__ void __launch_bounds__(CK_THREADS)
ce_backward_dk(CE_BACKWARD_ARGS, float* __restrict__ dk) {
  const CeGradient g{n, m, labels, excluded, weights, stats};
  backward_strip<false>(k, m, q, n, d, scale, g, dk);
}

// --- AMDIM multi-positive NCE -----------------------------------------------------------------------

// Pass 1 of AMDIM. src (n, d), row i the source of image first + i (first + n <= b); trg
// (b * locs, d), image j's locations at rows j * locs ... raw = scale * src . trg,
// c = tclip * tanh(raw / tclip). grid (ceil(n / 64), splits).
// Writes partial (AMDIM_PARTIAL_FIELDS x splits x n) and positives[i * locs + l] = c[i, first + i, l].
extern "C" __global__ void __launch_bounds__(CK_THREADS)
amdim_forward(const float* __restrict__ src, const float* __restrict__ trg, int n, int first, int b,
              int locs, int d, float scale, float tclip, float* __restrict__ partial,
              float* __restrict__ positives) {
  AmdimRows rows{scale, tclip, first, locs, positives, {}};
  forward_partials(src, n, trg, b * locs, d, rows, partial);
}

// Merges amdim_forward's partials into stats (AMDIM_STAT_FIELDS x n, see the header) and writes
// positiveGradient[i * locs + l] = nceWeight * (softmax of positive l - 1), taken as minus the
// negatives' share of that softmax's denominator (the difference cancels when the positive
// dominates). With lse_il = log(exp c_iil + sum_negatives exp c), the gradient at a negative of row i
// is exp(c - max_i) * stats[n + i]. One thread per source row, any grid covering n.
extern "C" __global__ void __launch_bounds__(CK_THREADS)
amdim_finish(int n, int locs, int splits, float nceWeight, const float* __restrict__ partial,
             const float* __restrict__ positives, float* __restrict__ stats,
             float* __restrict__ positiveGradient) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  float m, s, negSum, negMax;
  merge_partials(n, splits, partial, i, m, s, negSum, negMax);
  float squares = 0.f;
  for (int p = 0; p < splits; ++p) squares += partial[(size_t)(4 * splits + p) * n + i];
  // m is the max over positives and negatives alike, so every exp below is at most 1.
  float coefficient = 0.f, loss = 0.f, positiveSum = 0.f, correct = 0.f;
  for (int l = 0; l < locs; ++l) {
    const float c = positives[(size_t)i * locs + l];
    const float sumExp = expf(c - m) + s;
    const float lse = m + logf(sumExp);
    loss += lse - c;
    positiveSum += c;
    coefficient += expf(m - lse);
    correct += c > negMax ? 1.f : 0.f;
    positiveGradient[(size_t)i * locs + l] = -nceWeight * (s / sumExp);
  }
  stats[i] = m;
  stats[n + i] = nceWeight * coefficient;
  stats[2 * n + i] = loss;
  stats[3 * n + i] = positiveSum;
  stats[4 * n + i] = negSum;
  stats[5 * n + i] = correct;
  stats[6 * n + i] = squares;
}

// As CE_BACKWARD_ARGS, AMDIM's two backward kernels share their arguments.
#define AMDIM_BACKWARD_ARGS                                                                  \
  const float* __restrict__ src, const float* __restrict__ trg, int n, int first, int b,    \
      int locs, int d, float scale, float tclip, float twoRegWeight,                         \
      const float* __restrict__ stats, const float* __restrict__ positiveGradient

// dsrc += scale * dRaw trg, dRaw = dL/dc * (1 - tanh^2) + twoRegWeight * raw. Arguments as for
// amdim_forward, stats and positiveGradient as amdim_finish left them.
// grid (ceil(n / 64), splits); dsrc (n, d).
extern "C" __global__ void __launch_bounds__(CK_THREADS)
amdim_backward_dsrc(AMDIM_BACKWARD_ARGS, float* __restrict__ dsrc) {
  const AmdimGradient g{n, first, b, locs, tclip, twoRegWeight, stats, positiveGradient};
  backward_strip<true>(src, n, trg, b * locs, d, scale, g, dsrc);
}

// dtrg += scale * dRaw^T src, the n source rows' share of every target row's gradient.
// grid (ceil(b * locs / 64), splits); dtrg (b * locs, d).
extern "C" __global__ void __launch_bounds__(CK_THREADS)
amdim_backward_dtrg(AMDIM_BACKWARD_ARGS, float* __restrict__ dtrg) {
  const AmdimGradient g{n, first, b, locs, tclip, twoRegWeight, stats, positiveGradient};
  backward_strip<false>(trg, b * locs, src, n, d, scale, g, dtrg);
}
