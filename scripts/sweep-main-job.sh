#!/usr/bin/env bash
# The sweep behind the main job's method and settings (engine-bench MainJobSweep): each trial trains
# in memory on the embedded Fashion-MNIST training subset, then fits the main job's linear probe on the
# learned features, raw pixels and the random-init model, at 10 and 100 probe epochs; one row per
# trial and probe budget is appended to OUT (default bench-results/sweep-main-job.md).
#
# Usage: scripts/sweep-main-job.sh [--out FILE] [--train SPEC] [--test SPEC] TRIAL...
#   TRIAL: name,key=value,...   e.g. simclr-t02,method=simclr,tau=0.2
#   keys: method, preset, steps, batch, lr, warmup, seed, model-seed, encoder, ndf, nrkhs, depth, bn,
#         probe (r1|pooled), tau, hidden, projection
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/bench-results/sweep-main-job.md"
train=fashion-mnist:train
test=fashion-mnist:test
while [[ $# -gt 0 && "$1" == --* ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --train) train="$2"; shift 2 ;;
    --test) test="$2"; shift 2 ;;
    *) echo "sweep-main-job: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $# -gt 0 ]] || { echo "sweep-main-job: name at least one trial" >&2; exit 2; }
jar="$root/engine-bench/target/engine-bench.jar"
if [[ ! -f "$jar" ]]; then
  (cd "$root" && ./mvnw -B -q -DskipTests -pl engine-bench -am package) >&2
fi
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
if [[ ! -f "$out" ]]; then
  printf '# Main-job sweep\n\nRows appended by `scripts/sweep-main-job.sh` (engine-bench MainJobSweep); train %s, test %s.\n\n' \
    "$train" "$test" > "$out"
fi
printf '\n%s, %s, `scripts/sweep-main-job.sh %s`\n\n' "$(date -u +%Y-%m-%dT%H:%MZ)" \
  "$(lscpu | sed -n 's/^Model name: *//p' | head -1)" "$*" >> "$out"
exec java -Xmx6g -cp "$jar:$root/engine-bench/target/lib-cpu/*" dev.contrastive.bench.quality.MainJobSweep \
  "$out" "$train" "$test" "$@"
