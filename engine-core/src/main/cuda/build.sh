#!/usr/bin/env bash
# Compiles contrastive_kernels.cu into one fatbin: machine code (SASS) for sm_75, sm_80, sm_86,
# sm_89 and sm_90, plus compute_90 PTX that newer GPUs' drivers compile at load. CUDA 13 dropped
# every target before Turing (sm_75), so older GPUs are not supported.
#
# Usage: build.sh OUTPUT.fatbin [extra nvcc flags...]   (NVCC overrides the compiler, default nvcc
# on the PATH, else /usr/local/cuda/bin/nvcc). The Maven -Pcuda build runs the same command.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ $# -lt 1 ]]; then
  echo "usage: $0 OUTPUT.fatbin [nvcc flags...]" >&2
  exit 2
fi
out="$1"
shift
nvcc="${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
if [[ ! -x "$nvcc" ]]; then
  echo "build.sh: nvcc not found (set NVCC or put CUDA's bin on the PATH)" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
# No --use_fast_math: the losses must stay within 1e-4 of float64, and __expf/__tanhf would not.
exec "$nvcc" --fatbin -O3 -std=c++17 \
  -gencode=arch=compute_75,code=sm_75 \
  -gencode=arch=compute_80,code=sm_80 \
  -gencode=arch=compute_86,code=sm_86 \
  -gencode=arch=compute_89,code=sm_89 \
  -gencode=arch=compute_90,code=sm_90 \
  -gencode=arch=compute_90,code=compute_90 \
  "$@" -o "$out" "$here/contrastive_kernels.cu"
