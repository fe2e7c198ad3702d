#!/usr/bin/python3
"""Writes a small labelled image folder (one sub-folder per class, JPEGs) for trying `train --init-from` and
`bench --data`: noise with a coloured square at a random place; the class is the colour. Pictures are non-square
and larger than the model input, so loading exercises the centre crop and resize (or --augment rrc).

  /usr/bin/python3 exporter/src/test/python/synthetic_folder.py --out /tmp/colours --classes 3 --per-class 60
"""
import argparse
import os

import numpy as np
from PIL import Image

COLOURS = {"red": (220, 40, 40), "green": (40, 200, 40), "blue": (40, 60, 230), "yellow": (220, 220, 40),
           "magenta": (210, 40, 210)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--classes", type=int, default=3, choices=range(2, len(COLOURS) + 1))
    parser.add_argument("--per-class", type=int, default=60)
    parser.add_argument("--width", type=int, default=96)
    parser.add_argument("--height", type=int, default=72)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--contrast", type=float, default=1.0, help="how far the square's colour is from grey (0-1)")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    for name, rgb in list(COLOURS.items())[:args.classes]:
        os.makedirs(os.path.join(args.out, name), exist_ok=True)
        for i in range(args.per_class):
            image = rng.integers(60, 140, (args.height, args.width, 1)).repeat(3, axis=2)
            side = min(args.width, args.height) // 2
            x0 = rng.integers(0, args.width - side + 1)
            y0 = rng.integers(0, args.height - side + 1)
            colour = 100 + args.contrast * (np.array(rgb) - 100)
            image[y0:y0 + side, x0:x0 + side] = np.clip(colour + rng.integers(-15, 15), 0, 255)
            Image.fromarray(image.astype(np.uint8)).save(os.path.join(args.out, name, f"{i:03d}.jpg"), quality=92)
    print(f"{args.classes} classes x {args.per_class} images of {args.width}x{args.height} -> {args.out}")


if __name__ == "__main__":
    main()
