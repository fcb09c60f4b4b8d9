#!/usr/bin/env bash
# On a GPU machine with nvcc, PyTorch and CuPy (no JDK needed): builds the kernels' fatbin with the
# same script as Maven's -Pcuda build, then checks and times them (verify_kernels.py).
# Usage: scripts/gpu/verify_kernels.sh OUT_DIR   (results: OUT_DIR/kernels.json, kernels.md, build.log)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:?usage: $0 OUT_DIR}"
mkdir -p "$out"
fatbin="$out/build/contrastive_kernels.fatbin"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv > "$out/gpu.txt" 2>&1 || true
# The resource report (registers, shared memory, spills) goes with the results.
"$root/engine-core/src/main/cuda/build.sh" "$fatbin" -Xptxas -v > "$out/build.log" 2>&1 \
  || { cat "$out/build.log" >&2; exit 1; }
python3 "$root/scripts/gpu/verify_kernels.py" "$fatbin" "$out"
