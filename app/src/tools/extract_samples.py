#!/usr/bin/env python3
"""Writes the demo's sample images: the first N Fashion-MNIST *test* images and their labels,
as plain (uncompressed) IDX files under app/src/main/assets/samples/.

The first N are taken, not hand-picked, so the demo shows the model's honest mistakes too.
Run from the repository root:  python3 app/src/tools/extract_samples.py [N]
"""
import gzip
import os
import struct
import sys

SOURCE = "/usr/share/datasets/fashion-mnist"
TARGET = os.path.join("app", "src", "main", "assets", "samples")


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 32
    with gzip.open(os.path.join(SOURCE, "t10k-images-idx3-ubyte.gz")) as f:
        magic, count, rows, cols = struct.unpack(">IIII", f.read(16))
        assert magic == 0x803 and count >= n, (magic, count)
        pixels = f.read(n * rows * cols)
    with gzip.open(os.path.join(SOURCE, "t10k-labels-idx1-ubyte.gz")) as f:
        magic, count = struct.unpack(">II", f.read(8))
        assert magic == 0x801 and count >= n, (magic, count)
        labels = f.read(n)
    os.makedirs(TARGET, exist_ok=True)
    write(os.path.join(TARGET, "images.idx3"), struct.pack(">IIII", 0x803, n, rows, cols) + pixels)
    write(os.path.join(TARGET, "labels.idx1"), struct.pack(">II", 0x801, n) + labels)
    print("wrote %d images of %dx%d, labels %s" % (n, rows, cols, list(labels)))


def write(path, data):
    # Temporary name, then rename: never a half-written asset.
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
