#!/usr/bin/env bash
# The loss cross-check: for each loss type, random inputs from the NumPy reference, the fused Java loss
# through `scripts/contrastive loss`, and the float64 NumPy recomputation of the loss and every
# gradient (1e-4 relative). Exits non-zero on the first disagreement.
#
# Usage: scripts/crosscheck-loss.sh [TYPE ...]     (default: infonce amdim yadim cpc)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
types=("$@")
[[ ${#types[@]} -gt 0 ]] || types=(infonce amdim yadim cpc)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for type in "${types[@]}"; do
  python3 "$root/scripts/loss_reference.py" make "$work/$type/in" --type "$type" --seed 7
  "$root/scripts/contrastive" loss --type "$type" --in "$work/$type/in" --out "$work/$type/out"
  python3 "$root/scripts/loss_reference.py" check "$work/$type/in" "$work/$type/out" --type "$type"
  echo "$type: $(tr -d '\n ' < "$work/$type/out/loss.json" | cut -c1-160)"
done
