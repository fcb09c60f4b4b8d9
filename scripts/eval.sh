#!/usr/bin/env bash
# Evaluates a trained checkpoint with the baselines beside it: linear probes on the learned features
# (those its method offers the probes), on raw pixels and on a randomly initialised model of the same
# configuration, fitted on fashion-mnist:train and scored on fashion-mnist:test (the embedded subset);
# the report goes to <run dir>/eval.json unless --out says otherwise.
#
# Usage: scripts/eval.sh CHECKPOINT_OR_RUN_DIR [more eval flags, e.g. --probes linear,knn]
set -euo pipefail

usage() {
  echo "usage: scripts/eval.sh CHECKPOINT_OR_RUN_DIR [more 'contrastive eval' flags]" >&2
  echo "  e.g. scripts/eval.sh runs/fmnist --probes linear,knn --probe-epochs 20" >&2
}

if [[ $# -ge 1 && ( "$1" == "-h" || "$1" == "--help" ) ]]; then
  usage
  exit 0
fi
if [[ $# -lt 1 || "$1" == -* ]]; then
  usage
  exit 2
fi
checkpoint="$1"
shift
if [[ ! -e "$checkpoint" ]]; then
  echo "scripts/eval.sh: checkpoint or run directory '$checkpoint' does not exist" >&2
  usage
  exit 2
fi

exec "$(dirname "${BASH_SOURCE[0]}")/contrastive" eval --checkpoint "$checkpoint" --baselines "$@"
