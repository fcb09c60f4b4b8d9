#!/usr/bin/env bash
# Where an encoder's time goes: per conv layer shape the bare libnd4j conv ops, the whole encoder's
# forward and forward+backward, and the share of every layer kind from a flight recording
# (bench.train.EncoderProfile). Writes bench-results/profile-<mode>-<shape>.md.
#   scripts/profile-encoder.sh amdim-small/64            # with the layers' fast paths (default)
#   scripts/profile-encoder.sh cpc-small/64 ops-only     # libnd4j ops only, the design before them
set -euo pipefail

cd "$(dirname "$0")/.."
shape="${1:-amdim-small/64}"
mode="${2:-fast}"
runs="${RUNS:-5}"

./mvnw -B -q -DskipTests -pl engine-bench -am package

export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-$OMP_NUM_THREADS}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"

mkdir -p bench-results
out="bench-results/profile-${mode}-${shape//\//-}.md"
tmp="${out}.tmp"
{
  echo "# Encoder profile: ${shape}, ${mode}"
  echo
  echo "- Date (UTC): $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- Command: \`scripts/profile-encoder.sh ${shape} ${mode}\` (OMP_NUM_THREADS=${OMP_NUM_THREADS})"
  echo "- Load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  java -Xmx4g -Dlogback.configurationFile=bench-logback.xml \
    -cp "engine-bench/target/engine-bench.jar:engine-bench/target/lib-cpu/*" \
    dev.contrastive.bench.train.EncoderProfile "$shape" "$runs" "$mode"
} > "$tmp"
mv "$tmp" "$out"
echo "wrote $out"
