#!/usr/bin/env bash
# Builds engine-bench, runs the JMH loss benchmarks and writes bench-results/loss-<UTC>.json plus
# bench-results/loss-latest.md. With --tiles first, runs the tile sweep instead (tiles-*.json,
# tiles-latest.md). Any other arguments go to JMH, for example a quick run:
#   scripts/bench-loss.sh -p batch=256 -p locations=25 -wi 1 -i 2 -r 500ms
set -euo pipefail

cd "$(dirname "$0")/.."
source scripts/bench-jmh.sh

suite=LossBenchmark
prefix=loss
invocation="scripts/bench-loss.sh"
if [[ "${1:-}" == "--tiles" ]]; then
  suite=TileBenchmark
  prefix=tiles
  invocation="scripts/bench-loss.sh --tiles"
  shift
fi
invocation="${invocation}${*:+ $*}"

bench_prepare
bench_run_jmh "$suite" "$prefix" "$@"

java -Dbench.loadBefore="$bench_load_before" -cp "$bench_classpath" dev.contrastive.bench.report.BenchReport \
  "$bench_json" "bench-results/${prefix}-latest.md" "$invocation" "$bench_command"
echo "wrote $bench_json and bench-results/${prefix}-latest.md"
