#!/usr/bin/env bash
# Attacks on what the command line writes: a real full disk (a small tmpfs, filled) and a read-only
# directory, against export, eval, loss --out and train on a tiny run. One line per attack: attack,
# command, exit code, message. Each attack then checks that the exit code is the documented one,
# that the message names the path and the cause, that the previous output is intact byte for byte,
# that no temporary file is left beside it and that the JVM did not crash (no hs_err_pid*.log).
# Exits 1 if any attack misbehaved.
#
# The full-disk attacks mount tmpfs file systems, which needs root (or CAP_SYS_ADMIN); where that is
# refused they are skipped with one line saying so. Root ignores file permissions, so as root the
# read-only attacks run as the user nobody (runuser or su); without either they are skipped.
#
# Usage: scripts/faults.sh        (builds the CLI first if needed, as scripts/contrastive does)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="$root/scripts/contrastive"

# The exit codes the commands document: 2 for an output that cannot be written (a full disk, a
# read-only directory: problems the user can fix) and for a loss that overflowed.
EXIT_WRITE=2
EXIT_OVERFLOW=2

work="$(mktemp -d "${TMPDIR:-/tmp}/contrastive-faults.XXXXXX")"
chmod 755 "$work"
mounts=()
cleanup() {
  for m in "${mounts[@]+"${mounts[@]}"}"; do
    umount "$m" 2>/dev/null || true
  done
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

attacks=0
failures=0
misbehaved() {
  echo "    MISBEHAVED: $*"
  failures=$((failures + 1))
}

# attack NAME EXPECTED_EXIT PATH CAUSE -- CLI ARGS...: runs the CLI (as "${runner[@]}") in a fresh
# working directory, prints the attack's line and checks the exit code, the message and the crash.
runner=()
attack() {
  local name="$1" expected="$2" path="$3" cause="$4"
  shift 5
  local cwd="$work/cwd-$attacks"
  attacks=$((attacks + 1))
  mkdir -p "$cwd"
  chmod 777 "$cwd"
  local code=0
  (cd "$cwd" && "${runner[@]+"${runner[@]}"}" "$cli" "$@") >"$cwd/stdout" 2>"$cwd/stderr" || code=$?
  # The message: the command's one line, or the first line of a stack trace, without the class.
  local message
  message="$(grep -m1 -E 'cannot write|not finite|Exception' "$cwd/stderr" \
    || head -n1 "$cwd/stderr" || true)"
  message="$(sed -E 's/^[A-Za-z.$]+(Exception|Error): //' <<<"$message")"
  printf '%-20s %-7s exit %-3s %s\n' "$name" "$1" "$code" "$message"
  [[ "$code" == "$expected" ]] || misbehaved "exit code $code, expected $expected"
  [[ "$message" == *"$path"* ]] || misbehaved "the message does not name $path"
  [[ "$message" == *"$cause"* ]] || misbehaved "the message does not say '$cause'"
  if compgen -G "$cwd/hs_err_pid*.log" >/dev/null; then
    misbehaved "the JVM crashed: $(ls "$cwd"/hs_err_pid*.log)"
  fi
  if grep -q "^[a-z]*: wrote\|written to" "$cwd/stdout"; then
    misbehaved "it reported success: $(head -n1 "$cwd/stdout")"
  fi
}

# intact PATH COPY: PATH (a file or directory) is byte for byte the copy taken before the attack.
intact() {
  diff -r "$2" "$1" >/dev/null 2>&1 || misbehaved "$1 changed"
}

# no_leftovers DIR: no temporary file or directory of the writers (.NAME.RANDOM.tmp or .old).
no_leftovers() {
  local left
  left="$(find "$1" -name '.*.tmp' -o -name '.*.old' | head -n3)"
  [[ -z "$left" ]] || misbehaved "left behind: $left"
}

# setup CLI ARGS...: a step that must succeed.
setup() {
  if ! "$cli" "$@" >"$work/setup.log" 2>&1; then
    echo "faults: setup failed: contrastive $*" >&2
    tail -n 20 "$work/setup.log" >&2
    exit 1
  fi
}

# full_disk DIR SIZE: mounts a tmpfs of SIZE at DIR; if refused, false with the reason in
# $mount_error.
mount_error=""
full_disk() {
  mkdir -p "$1"
  if mount -t tmpfs -o size="$2" tmpfs "$1" 2>"$work/mount.err"; then
    mounts+=("$1")
  else
    mount_error="$(head -n1 "$work/mount.err")"
    return 1
  fi
}

# fill DIR KIB: takes the free space of DIR's file system but KIB KiB.
fill() {
  local avail
  avail="$(df --output=avail -k "$1" | tail -n1 | tr -d ' ')"
  if ((avail > $2)); then
    fallocate -l "$((avail - $2))KiB" "$1/.fill"
  fi
}

# .npy float32 (ROWS, COLS) of N(0, 1) values times SCALE, without NumPy.
npy() {
  python3 - "$@" <<'EOF'
import random, struct, sys
path = sys.argv[1]
rows, cols, scale, seed = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
rng = random.Random(seed)
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (rows, cols)
header += " " * (63 - (10 + len(header)) % 64) + "\n"
with open(path, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1"))
    values = [rng.gauss(0, 1) * scale for _ in range(rows * cols)]
    f.write(struct.pack("<%df" % len(values), *values))
EOF
}

echo "faults: building the CLI if needed and training a tiny run in $work"
setup --version
setup train --run-dir "$work/run" --steps 4 --batch 16 --checkpoint-every 2 --val-data none
data=fashion-mnist-subset:test
for set in small big overflow; do
  mkdir -p "$work/in-$set"
done
npy "$work/in-small/a.npy" 8 16 1 1 && npy "$work/in-small/b.npy" 8 16 1 2
npy "$work/in-big/a.npy" 512 256 1 3 && npy "$work/in-big/b.npy" 512 256 1 4
# Raw features of norm ~1e20 overflow float32 scores (the user's report: NaN written, exit 0).
npy "$work/in-overflow/a.npy" 8 16 1e19 5 && npy "$work/in-overflow/b.npy" 8 16 1e19 6

# ---- A full disk: a tmpfs with ~60 KB free (the user's report: 3 MB; 16 MB here, room for the
# first export of 2,000 test images at AMDIM's 768 probe features, 6 MB).
enospc="No space left on device"
if [[ "$(id -u)" == 0 ]] && full_disk "$work/disk-export" 16m; then
  disk="$work/disk-export"
  setup export --checkpoint "$work/run" --data "$data" --out "$disk/f.h5"
  cp "$disk/f.h5" "$work/f.h5.before"
  fill "$disk" 60
  attack full-disk "$EXIT_WRITE" "$disk/f.h5" "$enospc" -- \
    export --checkpoint "$work/run" --data "$data" --out "$disk/f.h5"
  intact "$disk/f.h5" "$work/f.h5.before"
  no_leftovers "$disk"

  full_disk "$work/disk-eval" 3m
  disk="$work/disk-eval"
  eval_args=(--checkpoint "$work/run" --train-data "$data" --test-data "$data" --probe-epochs 1)
  setup eval "${eval_args[@]}" --out "$disk/eval.json"
  cp "$disk/eval.json" "$work/eval.json.before"
  fill "$disk" 0
  attack full-disk "$EXIT_WRITE" "$disk/eval.json" "$enospc" -- \
    eval "${eval_args[@]}" --out "$disk/eval.json"
  intact "$disk/eval.json" "$work/eval.json.before"
  no_leftovers "$disk"

  full_disk "$work/disk-loss" 3m
  disk="$work/disk-loss"
  setup loss --type infonce --in "$work/in-small" --out "$disk/out"
  cp -a "$disk/out" "$work/loss-out.before"
  fill "$disk" 0
  attack full-disk "$EXIT_WRITE" "$disk/out" "$enospc" -- \
    loss --type infonce --in "$work/in-big" --out "$disk/out"
  intact "$disk/out" "$work/loss-out.before"
  no_leftovers "$disk"

  # The tiny run's two checkpoints (12 MB each) and 60 KB free: the next checkpoint fails. Once the
  # filler is removed there is room for the four a run holds at most (it keeps three, and writes
  # the next before it deletes the oldest).
  full_disk "$work/disk-train" 56m
  disk="$work/disk-train"
  cp -a "$work/run" "$disk/run"
  cp -a "$work/run" "$work/run.before"
  fill "$disk" 60
  attack full-disk "$EXIT_WRITE" "$disk/run/ckpt-000000006.bin" "$enospc" -- \
    train --run-dir "$disk/run" --steps 8
  for ckpt in ckpt-000000002.bin ckpt-000000004.bin; do
    intact "$disk/run/$ckpt" "$work/run.before/$ckpt"
  done
  no_leftovers "$disk"
  # Space freed, the same command resumes from the last checkpoint and finishes.
  rm "$disk/.fill"
  attacks=$((attacks + 1))
  code=0
  "$cli" train --run-dir "$disk/run" --steps 8 >"$work/resume.log" 2>&1 || code=$?
  printf '%-20s %-7s exit %-3s %s\n' "space-freed" train "$code" \
    "$(grep -m1 '^trained' "$work/resume.log" || tail -n1 "$work/resume.log")"
  [[ "$code" == 0 ]] && grep -q "^trained 8 of 8 steps" "$work/resume.log" \
    || misbehaved "the run did not resume and finish once space was freed"
else
  echo "faults: full-disk attacks skipped: cannot mount a tmpfs here" \
    "(${mount_error:-not root}); run as root where mount -t tmpfs is allowed"
fi

# ---- Overflowing scores (not a disk fault, the same report): exit 2, nothing written.
mkdir -p "$work/overflow"
setup loss --type infonce --in "$work/in-small" --out "$work/overflow/out"
cp -a "$work/overflow/out" "$work/overflow-out.before"
attack overflow "$EXIT_OVERFLOW" "$work/overflow/out" "drop --no-normalize" -- \
  loss --type infonce --no-normalize --in "$work/in-overflow" --out "$work/overflow/out"
intact "$work/overflow/out" "$work/overflow-out.before"
no_leftovers "$work/overflow"

# ---- A read-only directory holding the previous outputs.
ro="$work/ro"
mkdir -p "$ro"
setup export --checkpoint "$work/run" --data "$data" --out "$ro/f.h5"
setup eval --checkpoint "$work/run" --train-data "$data" --test-data "$data" --probe-epochs 1 \
  --out "$ro/eval.json"
setup loss --type infonce --in "$work/in-small" --out "$ro/out"
cp -a "$work/run" "$ro/run"
cp -a "$ro" "$work/ro.before"
chmod -R a-w "$ro"
readonly_ok=1
if [[ "$(id -u)" == 0 ]]; then
  # nobody has no home for JavaCPP's cache of native libraries: one in the work directory.
  cache="-Dorg.bytedeco.javacpp.cachedir=$work/javacpp-nobody"
  if id nobody >/dev/null 2>&1 && command -v runuser >/dev/null 2>&1; then
    runner=(runuser -u nobody -- env "JAVA_OPTS=$cache")
  elif id nobody >/dev/null 2>&1 && command -v su >/dev/null 2>&1; then
    runner=(su -s /bin/sh nobody -c "JAVA_OPTS='$cache' exec \"\$0\" \"\$@\"")
  else
    readonly_ok=0
    echo "faults: read-only attacks skipped: root ignores permissions and there is no user nobody" \
      "with runuser or su to run them as"
  fi
  mkdir -p "$work/javacpp-nobody"
  chown nobody "$work/javacpp-nobody" 2>/dev/null || true
fi
if [[ "$readonly_ok" == 1 ]]; then
  # export, eval and train refuse a directory they cannot write before any work (CommandInputs, the
  # trainer's run-directory checks); loss finds out creating its temporary directory, from the OS.
  refused="not writable by this user"
  denied="Permission denied"
  attack read-only "$EXIT_WRITE" "$ro/f.h5" "$refused" -- \
    export --checkpoint "$work/run" --data "$data" --out "$ro/f.h5"
  attack read-only "$EXIT_WRITE" "$ro/eval.json" "$refused" -- \
    eval --checkpoint "$work/run" --train-data "$data" --test-data "$data" --probe-epochs 1 \
    --out "$ro/eval.json"
  attack read-only "$EXIT_WRITE" "$ro/out" "$denied" -- \
    loss --type infonce --in "$work/in-big" --out "$ro/out"
  attack read-only "$EXIT_WRITE" "$ro/run" "$refused" -- \
    train --run-dir "$ro/run" --steps 8
  intact "$ro" "$work/ro.before"
  no_leftovers "$ro"
fi
runner=()

echo "faults: $attacks attacks, $failures misbehaved"
((failures == 0))
