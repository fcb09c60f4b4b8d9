#!/usr/bin/env bash
# Checks the CUDA loss kernels' arithmetic on the CPU (no GPU, no nvcc): compiles contrastive_kernels.cu
# as C++20 with a small CUDA shim and compares with a float64 reference. Needs g++ >= 11. ~15 s.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
g++ -std=c++20 -O2 -pthread -x c++ -I "$here/emulator" -I "$here/emulator/include" \
  -I "$root/engine-core/src/main/cuda" "$here/emulator/emulate_kernels.cpp" -o "$build/emulate"
"$build/emulate"
