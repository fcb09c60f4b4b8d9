#!/usr/bin/env bash
# Our training step and PyTorch's alternating in one JVM (bench.InterleavedSteps): per shape the
# median of per-round ours/PyTorch ratios and its interquartile range, robust to load changing
# during the run. Writes bench-results/train-interleaved-latest.md.
#   scripts/bench-train-interleaved.sh                      # 15 rounds, every TrainBenchmark shape
#   scripts/bench-train-interleaved.sh 30 cpc-small/64      # rounds, then shapes
set -euo pipefail

cd "$(dirname "$0")/.."
rounds="${1:-15}"
shift || true
shapes=("$@")
if [ ${#shapes[@]} -eq 0 ]; then
  shapes=(amdim-small/64 amdim-small/200 amdim-cifar/64 amdim-cifar/200 cpc-small/64)
fi

./mvnw -B -q -DskipTests -pl engine-bench -am package

export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-$OMP_NUM_THREADS}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"

mkdir -p bench-results
java -Xms2g -Xmx6g -Dorg.bytedeco.javacpp.maxbytes=0 -Dorg.bytedeco.javacpp.maxphysicalbytes=0 \
  -Dai.djl.offline=true -Dlogback.configurationFile=bench-logback.xml \
  -cp "engine-bench/target/engine-bench.jar:engine-bench/target/lib-cpu/*" \
  dev.contrastive.bench.InterleavedSteps bench-results/train-interleaved-latest.md "$rounds" "${shapes[@]}"
echo "wrote bench-results/train-interleaved-latest.md"
