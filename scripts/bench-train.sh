#!/usr/bin/env bash
# Builds engine-bench, runs the JMH training-step benchmark (TrainBenchmark: ours vs PyTorch per
# step, encoder forward / forward+backward alone, bare conv ops, one vs default native threads) and
# writes bench-results/train-<UTC>.json plus bench-results/train-latest.md. Any arguments go to JMH,
# for example one shape only:
#   scripts/bench-train.sh -p shape=amdim-small/64
set -euo pipefail

cd "$(dirname "$0")/.."
source scripts/bench-jmh.sh

bench_prepare
bench_run_jmh TrainBenchmark train "$@"

# The report traces the encoders' conv layer shapes through PyTorch to count FLOPs.
java -Dbench.loadBefore="$bench_load_before" -Dai.djl.offline=true -Dlogback.configurationFile=bench-logback.xml \
  -cp "$bench_classpath" dev.contrastive.bench.report.TrainReport \
  "$bench_json" "bench-results/train-latest.md" "scripts/bench-train.sh${*:+ $*}" "$bench_command"
echo "wrote $bench_json and bench-results/train-latest.md"
