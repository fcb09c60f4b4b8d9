#!/usr/bin/env bash
# Every method under the main job's budget, on the embedded Fashion-MNIST subset: each trains for the
# main job's STEPS (default 300) with its config file, scripts/configs/<method>.yaml (batch 128, lr
# 3e-3, validation every 50 steps, the method's default preset); then linear and kNN probes beside raw
# pixels and the random-init model. A step budget rather than a wall-time one, so the accuracies do not depend on how
# busy the machine is; the report gives each method's minutes beside them.
# Writes bench-results/quality-methods.md and .png.
#
# Usage: scripts/quality-methods.sh [STEPS] [METHOD...]     (methods default: amdim cpc yadim simclr)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
steps="${1:-300}"
shift || true
methods=("$@")
[[ ${#methods[@]} -gt 0 ]] || methods=(amdim cpc yadim simclr)
runs=()
for m in "${methods[@]}"; do
  run="runs/quality-$m"
  rm -rf "$run"
  scripts/train.sh --no-eval --config "scripts/configs/$m.yaml" --run-dir "$run" --steps "$steps"
  scripts/contrastive eval --checkpoint "$run" --baselines --probes linear,knn \
    --train-data fashion-mnist:train --test-data fashion-mnist:test | tee -a "$run/train.log"
  runs+=("$run")
done
jar="$root/engine-bench/target/engine-bench.jar"
[[ -f "$jar" ]] || ./mvnw -B -q -DskipTests -pl engine-bench -am package
java -cp "$jar:$root/engine-bench/target/lib-cpu/*" dev.contrastive.bench.quality.QualityReport \
  bench-results/quality-methods.md bench-results/quality-methods.png \
  "scripts/quality-methods.sh $steps ${methods[*]}" "${runs[@]}"
echo "quality-methods: wrote bench-results/quality-methods.md and .png"
