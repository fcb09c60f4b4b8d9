#!/usr/bin/env bash
# Builds engine-bench, runs the JMH training-step benchmark (TrainBenchmark: ours vs PyTorch per
# step, encoder forward / forward+backward alone, bare conv ops, one vs default native threads) and
# writes bench-results/train-<UTC>.json plus bench-results/train-latest.md. Any arguments go to JMH,
# for example one shape only:
#   scripts/bench-train.sh -p shape=amdim-small/64
set -euo pipefail

cd "$(dirname "$0")/.."

./mvnw -B -q -DskipTests -pl engine-bench -am package

# The JMH forks inherit this environment; it is the only way to size the native pools, which read
# these variables when their libraries load. PyTorch gets the same count from TorchRuntime. The
# one-thread methods fork through scripts/jmh-fork-1thread.sh, which sets 1 instead.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-$OMP_NUM_THREADS}"
# Idle OpenMP workers sleep instead of spinning (see LossBenchmark's javadoc).
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p bench-results
json="bench-results/train-${stamp}.json"
classpath="engine-bench/target/engine-bench.jar:engine-bench/target/lib-cpu/*"
jmh=(java -cp "$classpath" org.openjdk.jmh.Main "dev.contrastive.bench.TrainBenchmark"
  -rf json -rff "${json}.tmp" "$@")

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
"${jmh[@]}"
mv "${json}.tmp" "$json"

env_prefix="OMP_NUM_THREADS=${OMP_NUM_THREADS} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS} OMP_WAIT_POLICY=${OMP_WAIT_POLICY}"
# The report traces the encoders' conv layer shapes through PyTorch to count FLOPs.
java -Dbench.loadBefore="$load_before" -Dai.djl.offline=true -Dlogback.configurationFile=bench-logback.xml \
  -cp "$classpath" dev.contrastive.bench.report.TrainReport \
  "$json" "bench-results/train-latest.md" "scripts/bench-train.sh${*:+ $*}" "${env_prefix} ${jmh[*]}"
echo "wrote $json and bench-results/train-latest.md"
