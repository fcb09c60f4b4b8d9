#!/usr/bin/env bash
# On a GPU machine with nvcc, PyTorch and CuPy (no JDK needed): builds the kernels' fatbin with the
# same script as Maven's -Pcuda build, checks and times them (verify_kernels.py), then runs small
# launches of every kernel under compute-sanitizer (memcheck, racecheck, synccheck) where it exists.
# Usage: scripts/gpu/verify_kernels.sh OUT_DIR
# Results: OUT_DIR/kernels.json, kernels.md, build.log (ptxas resource report), sanitizer.txt, gpu.txt.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:?usage: $0 OUT_DIR}"
mkdir -p "$out/build"
fatbin="$out/build/contrastive_kernels.fatbin"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv > "$out/gpu.txt" 2>&1 || true
"$root/engine-core/src/main/cuda/build.sh" "$fatbin" -Xptxas -v > "$out/build.log" 2>&1 \
  || { cat "$out/build.log" >&2; exit 1; }

status=0
python3 "$root/scripts/gpu/verify_kernels.py" "$fatbin" "$out" || status=1

if command -v compute-sanitizer >/dev/null 2>&1; then
  nvcc="${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
  "$nvcc" -O2 -std=c++17 -arch=sm_90 -lineinfo -I "$root/engine-core/src/main/cuda" \
    "$root/scripts/gpu/sanitize_kernels.cu" -o "$out/build/sanitize_kernels" >> "$out/build.log" 2>&1 \
    || { echo "sanitizer driver did not build; see build.log" >&2; status=1; }
  if [[ -x "$out/build/sanitize_kernels" ]]; then
    for tool in memcheck racecheck synccheck; do
      if timeout 120 compute-sanitizer --tool "$tool" --error-exitcode 3 "$out/build/sanitize_kernels" \
          >> "$out/sanitizer.txt" 2>&1; then
        echo "compute-sanitizer $tool: clean" | tee -a "$out/sanitizer.txt"
      else
        echo "compute-sanitizer $tool: FAILED (see sanitizer.txt)" | tee -a "$out/sanitizer.txt"
        status=1
      fi
    done
  fi
else
  echo "compute-sanitizer not found: sanitizer checks skipped" | tee "$out/sanitizer.txt"
fi
exit "$status"
