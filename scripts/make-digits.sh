#!/usr/bin/env bash
# A second small grey-scale set for checking the main job's defaults beyond Fashion-MNIST: the UCI
# optical-recognition handwritten digits (1,797 images of 8 x 8, 17 grey levels, 10 classes; CC BY
# 4.0), as Debian's scikit-learn package ships them (sklearn/datasets/data/digits.csv.gz). Only that
# one file is taken from the package, which is downloaded, not installed.
#
# The images are scaled to 28 x 28 (bilinear, the grey levels 0-16 stretched to 0-255) so that they
# take Fashion-MNIST's presets and encoders, and split class-balanced and seeded into 1,438 training
# and 359 test images (80/20 in each class), written as .npy for `--data npy:IMAGES.npy,LABELS.npy`:
#   DIR/digits-train-images.npy  uint8 (1438, 1, 28, 28)   DIR/digits-train-labels.npy  int64 (1438,)
#   DIR/digits-test-images.npy   uint8 (359, 1, 28, 28)    DIR/digits-test-labels.npy   int64 (359,)
#
# Usage: scripts/make-digits.sh [DIR]   (default: data/digits, ignored by git)
# Then, for example, the main job on it:
#   scripts/train.sh --run-dir runs/digits \
#     --data npy:data/digits/digits-train-images.npy,data/digits/digits-train-labels.npy \
#     --val-data npy:data/digits/digits-test-images.npy,data/digits/digits-test-labels.npy
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/data/digits}"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && apt-get download python3-sklearn >/dev/null 2>&1) || {
  echo "make-digits: 'apt-get download python3-sklearn' failed (no Debian package sources?)" >&2
  exit 2
}
dpkg-deb -x "$work"/python3-sklearn_*.deb "$work/pkg"
csv="$(find "$work/pkg" -name digits.csv.gz | head -n 1)"
[[ -n "$csv" ]] || { echo "make-digits: digits.csv.gz is not in the python3-sklearn package" >&2; exit 2; }

python3 - "$csv" "$out" <<'PY'
import csv, gzip, os, random, struct, sys

source, out = sys.argv[1], sys.argv[2]
rows = [list(map(float, r)) for r in csv.reader(gzip.open(source, "rt")) if r]
if len(rows) != 1797 or any(len(r) != 65 for r in rows):
    sys.exit(f"make-digits: {source}: expected 1797 rows of 64 pixels and a label")

SIZE = 28

def scale(pixels):
    # Bilinear from 8 x 8 to SIZE x SIZE, sampling at pixel centres; 0-16 stretched to 0-255.
    out = bytearray(SIZE * SIZE)
    for y in range(SIZE):
        sy = min(max((y + 0.5) * 8 / SIZE - 0.5, 0.0), 7.0)
        y0 = int(sy); y1 = min(y0 + 1, 7); fy = sy - y0
        for x in range(SIZE):
            sx = min(max((x + 0.5) * 8 / SIZE - 0.5, 0.0), 7.0)
            x0 = int(sx); x1 = min(x0 + 1, 7); fx = sx - x0
            v = ((1 - fy) * ((1 - fx) * pixels[y0 * 8 + x0] + fx * pixels[y0 * 8 + x1])
                 + fy * ((1 - fx) * pixels[y1 * 8 + x0] + fx * pixels[y1 * 8 + x1]))
            out[y * SIZE + x] = min(255, round(v * 255 / 16))
    return bytes(out)

by_class = {}
for r in rows:
    by_class.setdefault(int(r[64]), []).append(r[:64])
rng = random.Random(20261206)
train, test = [], []
for label in sorted(by_class):
    images = by_class[label]
    rng.shuffle(images)
    cut = round(len(images) * 0.2)
    test += [(scale(p), label) for p in images[:cut]]
    train += [(scale(p), label) for p in images[cut:]]
rng.shuffle(train)
rng.shuffle(test)

def save(path, descr, shape, data):
    # The .npy v1.0 format: magic, header length, a dict padded so the data starts at a multiple of 64.
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, ", ".join(map(str, shape)) + ("," if len(shape) == 1 else ""))
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + data)
    os.replace(tmp, path)

for split, items in (("train", train), ("test", test)):
    save(os.path.join(out, f"digits-{split}-images.npy"), "|u1", (len(items), 1, SIZE, SIZE),
         b"".join(p for p, _ in items))
    save(os.path.join(out, f"digits-{split}-labels.npy"), "<i8", (len(items),),
         b"".join(struct.pack("<q", l) for _, l in items))
    print(f"make-digits: {split}: {len(items)} images in {out}")
PY
