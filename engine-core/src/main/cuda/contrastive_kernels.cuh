// Launch contract of the fused contrastive-loss kernels (contrastive_kernels.cu).
//
// Shared by the kernels and documented here once; the Java binding (CudaLossKernels) and the GPU
// verification script (scripts/gpu/verify_kernels.py) repeat these numbers and must change with them.
//
// Every array is float32 (labels/excluded int32), dense, row-major, in device memory, with no
// alignment requirement beyond the element's. "rows" below are feature vectors of length d.
//
// Block shape: CK_THREADS threads in one dimension (blockDim = (256, 1, 1)), no dynamic shared
// memory. Each block owns a strip of CK_TILE rows; grid.x = ceil(rows / CK_TILE). grid.y = splits >= 1
// divides the other side's CK_TILE-wide tiles among blocks (tile t goes to split t % splits), so that a
// short strip side (AMDIM's B = 512 sources) still fills the GPU.
//
// Two-step forward: *_forward writes per-split partial row statistics, *_finish merges them. The
// partial buffer holds FIELDS x splits x rows floats, field f of split s of row i at
// partial[(f * splits + s) * rows + i]; it needs no initialisation.
//
// Gradients: *_backward_* ADD into their output (plain += when grid.y == 1, atomicAdd when
// grid.y > 1), so a caller that wants the gradient overwritten clears the buffer first.
#pragma once

#define CK_TILE 64
#define CK_THREADS 256
// Depth (feature-dimension chunk) of the shared-memory staging of the score tile.
#define CK_DEPTH 32

// Softmax cross-entropy (InfoNCE, CPC): partial fields max (label included), otherSumExp (sum of
// exp(S - max) over the denominator's columns other than the label), negativeSum, negativeMax.
#define CE_PARTIAL_FIELDS 4
// Softmax cross-entropy per-row statistics, stats[f * n + i]: logSumExp, positive, negativeSum,
// negativeMax, otherShare (1 - softmax at the label, as the other columns' share of the denominator).
#define CE_STAT_FIELDS 5

// AMDIM: n source rows, row i the source of image first + i (a shard of the b target images; n = b,
// first = 0 for all of them), scored against all b * locs target rows. Partial fields max,
// negativeSumExp, negativeSum, negativeMax, squaredRawSum, over the n source rows.
#define AMDIM_PARTIAL_FIELDS 5
// AMDIM per-source statistics, stats[f * n + i]: max, negativeCoefficient, lossSum (sum over the
// positives of logSumExp - c, unweighted), positiveSum, negativeSum, correct (count, as float),
// squaredRawSum.
#define AMDIM_STAT_FIELDS 7
