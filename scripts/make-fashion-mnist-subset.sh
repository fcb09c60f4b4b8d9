#!/usr/bin/env bash
# Makes the Fashion-MNIST subset embedded in engine-augment from the Debian package
# dataset-fashion-mnist (Zalando Research, MIT licence):
#   train: the first 1,000 images of each class in file order (10,000 images),
#   test:  the first   200 images of each class in file order  (2,000 images),
# kept in their original file order, written as IDX files compressed with xz.
#
# Why xz and not gzip: gzip -9 of this subset is 5.23 MB, over the 5 MB budget; xz -9e is 4.5 MB.
# The IDX reader detects either compression from the magic bytes.
#
# The selection and the decompressed bytes are deterministic (the script prints their SHA-256). The
# compressed bytes depend on the xz version, so the script runs xz single-threaded (-T1) and prints
# the version it used.
#
# Usage: scripts/make-fashion-mnist-subset.sh [SOURCE_DIR] [OUT_DIR]
#   SOURCE_DIR  default /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist)
#   OUT_DIR     default engine-augment/src/main/resources/dev/contrastive/augment/data/fashion-mnist
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="${1:-/usr/share/datasets/fashion-mnist}"
out="${2:-$root/engine-augment/src/main/resources/dev/contrastive/augment/data/fashion-mnist}"

for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz \
         t10k-labels-idx1-ubyte.gz; do
  if [[ ! -f "$src/$f" ]]; then
    echo "missing $src/$f: apt-get install dataset-fashion-mnist, or pass the directory" >&2
    exit 1
  fi
done
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 - "$src" "$work" <<'EOF'
import gzip, hashlib, struct, sys
import numpy as np

src, work = sys.argv[1], sys.argv[2]

def read_idx(path, magic, header_ints):
    data = gzip.open(path).read()
    header = struct.unpack(">" + "I" * header_ints, data[: 4 * header_ints])
    if header[0] != magic:
        sys.exit(f"{path}: magic 0x{header[0]:08x}, expected 0x{magic:08x}")
    return header, np.frombuffer(data, np.uint8, offset=4 * header_ints)

for split, per_class in (("train", 1000), ("t10k", 200)):
    (_, n, rows, cols), images = read_idx(f"{src}/{split}-images-idx3-ubyte.gz", 0x803, 4)
    (_, n_labels), labels = read_idx(f"{src}/{split}-labels-idx1-ubyte.gz", 0x801, 2)
    assert n == n_labels == labels.size and images.size == n * rows * cols
    images = images.reshape(n, rows * cols)
    # The first per_class indices of each class, then back into file order.
    chosen = np.sort(np.concatenate([np.flatnonzero(labels == c)[:per_class] for c in range(10)]))
    assert chosen.size == 10 * per_class
    parts = {
        f"{split}-images-idx3-ubyte": struct.pack(">IIII", 0x803, chosen.size, rows, cols)
        + images[chosen].tobytes(),
        f"{split}-labels-idx1-ubyte": struct.pack(">II", 0x801, chosen.size)
        + labels[chosen].tobytes(),
    }
    for name, payload in parts.items():
        with open(f"{work}/{name}", "wb") as f:
            f.write(payload)
        print(f"{name}: {chosen.size} items, sha256 {hashlib.sha256(payload).hexdigest()}")
EOF

for f in "$work"/*-ubyte; do
  xz -9e -T1 --check=crc64 --stdout "$f" > "$out/$(basename "$f").xz"
done
xz --version | head -1
ls -l "$out"
du -cb "$out"/*.xz | tail -1
