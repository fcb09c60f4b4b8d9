# Sourced by scripts/bench-loss.sh and scripts/bench-train.sh: the build, the thread environment and
# the JMH run that both share, so that a change to how benchmarks are run lands in both.

# The CPU backend's runtime jars (engine-bench/pom.xml copies them per backend): ND4J CPU vs libtorch CPU.
bench_classpath="engine-bench/target/engine-bench.jar:engine-bench/target/lib-cpu/*"

# Builds engine-bench and exports the thread variables. The JMH forks inherit this environment; it
# is the only way to size the native pools, which read these variables when their libraries load.
# PyTorch gets the same count from TorchRuntime. TrainBenchmark's one-thread methods fork through
# scripts/jmh-fork-1thread.sh, which sets 1 instead.
bench_prepare() {
  ./mvnw -B -q -DskipTests -pl engine-bench -am package
  export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
  export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-$OMP_NUM_THREADS}"
  # Idle OpenMP workers sleep instead of spinning: on a machine shared with other jobs, spinning
  # workers of one pool steal the cores the next parallel region needs (LossBenchmark javadoc).
  export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
}

# bench_run_jmh SUITE PREFIX [JMH ARGS...]: runs dev.contrastive.bench.SUITE and leaves its results
# in bench-results/PREFIX-<UTC>.json. Sets bench_json, bench_load_before (the load average before
# the run) and bench_command (the environment and command line, for the report's header).
bench_run_jmh() {
  local suite="$1" prefix="$2"
  shift 2
  local stamp
  stamp="$(date -u +%Y%m%dT%H%M%SZ)"
  mkdir -p bench-results
  bench_json="bench-results/${prefix}-${stamp}.json"
  local jmh=(java -cp "$bench_classpath" org.openjdk.jmh.Main "dev.contrastive.bench.${suite}"
    -rf json -rff "${bench_json}.tmp" "$@")
  bench_load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
  "${jmh[@]}"
  mv "${bench_json}.tmp" "$bench_json"
  bench_command="OMP_NUM_THREADS=${OMP_NUM_THREADS} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS} OMP_WAIT_POLICY=${OMP_WAIT_POLICY} ${jmh[*]}"
}
