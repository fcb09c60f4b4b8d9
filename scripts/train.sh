#!/usr/bin/env bash
# The batch training script: trains an AMDIM encoder (`contrastive train`), then measures linear
# probes on the test split (`contrastive eval --baselines`): the learned features, raw pixels and a
# randomly initialised copy of the encoder, all in this run.
#
# Usage: scripts/train.sh [--no-eval] [TRAIN OPTIONS...]
#   scripts/train.sh                          the README's main job: the small AMDIM on the embedded
#                                             Fashion-MNIST subset for a few minutes, then the probes
#   scripts/train.sh --config job.yaml        options from a YAML/JSON file (flags override it)
#   scripts/train.sh --run-dir runs/x --steps 2000 --lr 1e-3
#   scripts/contrastive train --help          every option
#
# Everything goes to the run directory (default runs/fashion-mnist-small): checkpoints, job.yaml,
# metrics.csv, TensorBoard events, loss.png, accuracy.png, eval.json and train.log. Rerunning with the
# same run directory resumes from its newest checkpoint (a finished run only re-evaluates). Exits
# non-zero when training or evaluation fails. On a GPU node with a -Pcuda build, scripts/contrastive
# picks the CUDA backend by itself.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
evaluate=1
args=()
for arg in "$@"; do
  if [[ "$arg" == "--no-eval" ]]; then evaluate=0; else args+=("$arg"); fi
done

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# stdout (results) and stderr (progress, logs) both reach the terminal and the run's train.log. The
# trainer runs in the background so that SIGTERM / SIGINT (SLURM before a time limit, Ctrl-C) reach
# it: it finishes its step, writes a checkpoint and exits 143 / 130, and so does this script.
"$root/scripts/contrastive" train "${args[@]}" > >(tee -a "$log") 2> >(tee -a "$log" >&2) &
trainer=$!
trap 'kill -TERM "$trainer" 2>/dev/null' TERM
trap 'kill -INT "$trainer" 2>/dev/null' INT
status=0
wait "$trainer" || status=$?
# A trapped signal interrupts the first wait; the second waits for the trainer's checkpoint.
if kill -0 "$trainer" 2>/dev/null; then wait "$trainer" || status=$?; fi
trap - TERM INT
wait
if [[ "$status" != 0 ]]; then
  [[ "$status" == 143 || "$status" == 130 ]] && echo "train.sh: stopped by a signal; rerun the same command to resume" >&2
  exit "$status"
fi
run_dir="$(sed -n 's/^run directory: //p' "$log" | tail -n 1)"
if [[ -z "$run_dir" ]]; then
  echo "train.sh: the train command did not report its run directory" >&2
  exit 1
fi
cat "$log" >> "$run_dir/train.log"

if [[ "$evaluate" == 1 ]]; then
  # Evaluate on the data the run trained on; its validation data is the test split.
  job_value() { sed -n "s/^$1: *//p" "$run_dir/job.yaml" | tr -d "\"'"; }
  train_data="$(job_value data)"
  test_data="$(job_value val-data)"
  eval_args=(--train-data "$train_data")
  if [[ -n "$test_data" && "$test_data" != none ]]; then eval_args+=(--test-data "$test_data"); fi
  "$root/scripts/contrastive" eval --checkpoint "$run_dir" --baselines "${eval_args[@]}" 2>&1 \
    | tee -a "$run_dir/train.log"
fi
