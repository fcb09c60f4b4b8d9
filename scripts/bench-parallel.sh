#!/usr/bin/env bash
# Data-parallel training on the CPU (engine-bench dev.contrastive.bench.parallel); each measurement
# writes a dated report to bench-results/ whose header names this command, the date and lscpu's CPU.
#
#   scripts/bench-parallel.sh throughput [ROUNDS [BATCH]]
#       ReplicaThroughput: steps/s of 2 replicas (r2), 1 replica in micro-batches of 16 (r1m16) and
#       1 replica through DataParallel's path (r1) against the plain step, small AMDIM, global batch
#       BATCH (64), interleaved in one JVM for ROUNDS (20) rounds.   -> parallel-throughput-DATE.md
#   scripts/bench-parallel.sh memory [LIMIT_MIB [GLOBAL...]]
#       MicroBatchMemory: peak resident memory of one training step, plain and in micro-batches of 64,
#       at GLOBAL (256 512 1024 2048 4096), and the plain step at 64; one child JVM per point; a plain
#       point predicted above LIMIT_MIB (12288) is skipped.  -> parallel-memory-DATE.md, micro-batch-memory-DATE.png
#   scripts/bench-parallel.sh infonce [REPLICAS IMAGES_PER_REPLICA DIM]
#       GatheredInfoNce: InfoNCE over a gathered batch, 8 replicas x 8192 images, D 128 (several minutes
#       on 2 cores): extra native memory, per phase and per part.  -> parallel-infonce-DATE.md
#
# Run one at a time, on an otherwise quiet machine: the timings are ratios within one JVM, but the
# memory points would share the machine's RAM with whatever else runs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
usage="usage: scripts/bench-parallel.sh throughput [ROUNDS [BATCH]] | memory [LIMIT_MIB [GLOBAL...]] | infonce [REPLICAS IMAGES_PER_REPLICA DIM]"
[[ $# -gt 0 ]] || { echo "$usage" >&2; exit 2; }
what="$1"
shift
invocation="scripts/bench-parallel.sh $what${*:+ $*}"

jar="$root/engine-bench/target/engine-bench.jar"
if [[ ! -f "$jar" ]]; then
  ./mvnw -B -q -DskipTests -pl engine-bench -am package >&2
fi
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-$OMP_NUM_THREADS}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
cpu="$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
day="$(date -u +%Y%m%d)"
mkdir -p bench-results
java=(java -Dorg.bytedeco.javacpp.maxbytes=0 -Dorg.bytedeco.javacpp.maxphysicalbytes=0
  -Dlogback.configurationFile=bench-logback.xml -cp "$jar:$root/engine-bench/target/lib-cpu/*")
pkg=dev.contrastive.bench.parallel

case "$what" in
  throughput)
    out="bench-results/parallel-throughput-$day.md"
    "${java[@]}" -Xms2g -Xmx2g "$pkg.ReplicaThroughput" "$out" "$invocation" "$cpu" "${1:-20}" "${2:-64}" \
      plain r2 r1m16 r1
    ;;
  memory)
    out="bench-results/parallel-memory-$day.md"
    png="bench-results/micro-batch-memory-$day.png"
    limit="${1:-12288}"
    shift || true
    globals=("$@")
    [[ ${#globals[@]} -gt 0 ]] || globals=(256 512 1024 2048 4096)
    # The children get a 512 MiB pre-touched heap (HEAP below): enough for the step's Java objects,
    # small enough not to drown the native memory being compared.
    "${java[@]}" -Xmx512m "$pkg.MicroBatchMemory" "$out" "$png" "$invocation" "$cpu" 512m "$limit" 64 3 \
      "${globals[@]}"
    echo "wrote $png" >&2
    ;;
  infonce)
    out="bench-results/parallel-infonce-$day.md"
    "${java[@]}" -Xms1g -Xmx1g -XX:+AlwaysPreTouch "$pkg.GatheredInfoNce" "$out" "$invocation" "$cpu" \
      "${1:-8}" "${2:-8192}" "${3:-128}"
    ;;
  *)
    echo "$usage" >&2
    exit 2
    ;;
esac
echo "wrote $out" >&2
