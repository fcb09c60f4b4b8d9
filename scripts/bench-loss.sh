#!/usr/bin/env bash
# Builds engine-bench, runs the JMH loss benchmarks and writes bench-results/loss-<UTC>.json plus
# bench-results/loss-latest.md. With --tiles first, runs the tile sweep instead (tiles-*.json,
# tiles-latest.md). Any other arguments go to JMH, for example a quick run:
#   scripts/bench-loss.sh -p batch=256 -p locations=25 -wi 1 -i 2 -r 500ms
set -euo pipefail

cd "$(dirname "$0")/.."

suite=LossBenchmark
prefix=loss
if [[ "${1:-}" == "--tiles" ]]; then
  suite=TileBenchmark
  prefix=tiles
  shift
fi

./mvnw -B -q -DskipTests -pl engine-bench -am package

# The JMH forks inherit this environment; it is the only way to size the native pools, which read
# these variables when their libraries load. PyTorch gets the same count from TorchRuntime.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-$OMP_NUM_THREADS}"
# Idle OpenMP workers sleep instead of spinning: on a machine shared with other jobs, spinning
# workers of one pool steal the cores the next parallel region needs (LossBenchmark javadoc).
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p bench-results
json="bench-results/${prefix}-${stamp}.json"
# The CPU backend's runtime jars (engine-bench/pom.xml copies them per backend): ND4J CPU vs libtorch CPU.
classpath="engine-bench/target/engine-bench.jar:engine-bench/target/lib-cpu/*"
jmh=(java -cp "$classpath" org.openjdk.jmh.Main "dev.contrastive.bench.${suite}"
  -rf json -rff "${json}.tmp" "$@")

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
"${jmh[@]}"
mv "${json}.tmp" "$json"

invocation="scripts/bench-loss.sh${*:+ $*}"
if [[ "$suite" == TileBenchmark ]]; then
  invocation="scripts/bench-loss.sh --tiles${*:+ $*}"
fi
env_prefix="OMP_NUM_THREADS=${OMP_NUM_THREADS} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS} OMP_WAIT_POLICY=${OMP_WAIT_POLICY}"
java -Dbench.loadBefore="$load_before" -cp "$classpath" dev.contrastive.bench.report.BenchReport \
  "$json" "bench-results/${prefix}-latest.md" "$invocation" "${env_prefix} ${jmh[*]}"
echo "wrote $json and bench-results/${prefix}-latest.md"
