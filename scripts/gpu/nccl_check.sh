#!/usr/bin/env bash
# On a GPU node: checks that NCCL works for the engine, the way a distributed run uses it. Builds the
# -Pcuda command line (engine-cli/target/lib-cuda) and engine-core's GPU test classes unless present,
# then starts N processes, one per GPU (CUDA_VISIBLE_DEVICES), that join one communicator through an
# id file and run every collective against known values (NcclCheck). N defaults to 2 when the node has
# two GPUs or more, else 1 (a communicator of one process still runs every collective).
# Usage: scripts/gpu/nccl_check.sh [N]
# Env: CONTRASTIVE_REBUILD=1 forces the build; NCCL_DEBUG=INFO shows NCCL's own log. NCCL 2
#      (libnccl.so.2) must be loadable, for example from the CUDA toolkit's or the system's lib dir.
# Exits 0 when every rank agrees, 1 when one failed (its log is printed), 2 on bad usage.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "nccl_check: no GPU (nvidia-smi lists none)" >&2
  exit 2
fi
# The GPUs this job may use: SLURM's or the caller's CUDA_VISIBLE_DEVICES, else every one listed.
if [[ -n "${CUDA_VISIBLE_DEVICES:-}" ]]; then
  IFS=',' read -r -a gpus <<< "$CUDA_VISIBLE_DEVICES"
else
  mapfile -t gpus < <(nvidia-smi --query-gpu=index --format=csv,noheader)
fi
n="${1:-$(( ${#gpus[@]} >= 2 ? 2 : 1 ))}"
if ! [[ "$n" =~ ^[0-9]+$ ]] || (( n < 1 || n > ${#gpus[@]} )); then
  echo "nccl_check: N must be in [1, ${#gpus[@]}] (the GPUs visible), got '$n'" >&2
  exit 2
fi

lib="$root/engine-cli/target/lib-cuda"
classes="$root/engine-core/target/test-classes"
if [[ ! -d "$lib" || ! -f "$classes/dev/contrastive/core/parallel/cuda/NcclCheck.class" \
    || "${CONTRASTIVE_REBUILD:-0}" == "1" ]]; then
  echo "nccl_check: building the -Pcuda command line and test classes" >&2
  (cd "$root" && ./mvnw -B -q -Pcuda -DskipTests -pl engine-cli -am package) >&2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
pids=()
for (( r = 0; r < n; r++ )); do
  RANK=$r WORLD_SIZE=$n LOCAL_RANK=$r LOCAL_WORLD_SIZE=$n CUDA_VISIBLE_DEVICES="${gpus[$r]}" \
    CONTRASTIVE_NCCL_ID_FILE="$work/nccl-id" CONTRASTIVE_COLLECTIVE_TIMEOUT_S=120 \
    java -cp "$classes:$lib/*" dev.contrastive.core.parallel.cuda.NcclCheck > "$work/rank-$r.log" 2>&1 &
  pids+=($!)
done
status=0
for (( r = 0; r < n; r++ )); do
  if wait "${pids[$r]}"; then
    grep '^nccl_check:' "$work/rank-$r.log"
  else
    echo "nccl_check: rank $r failed; its log:" >&2
    cat "$work/rank-$r.log" >&2
    status=1
  fi
done
if [[ "$status" == 0 ]]; then
  echo "nccl_check: OK, $n process(es) on GPU(s) ${gpus[*]:0:$n}"
fi
exit "$status"
