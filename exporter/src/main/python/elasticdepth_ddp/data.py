"""Data as the exporter reads it (data/ImageFolder.java, FashionMnist.java, IdxReader.java, DataSplits.java,
Augmentation.java, Normalization.java), so `exporter calibrate / verify` on the output see the same splits.

- Image folder: DIR/train/<class>/*.jpg|jpeg|png and DIR/test/<class>/..., classes = sorted sub-folder names
  (train/ and test/ must have the same ones). Each image: centre square crop, bilinear resize to the model's
  size, grey = round(0.299 R + 0.587 G + 0.114 B) or RGB; CHW bytes. Images are decoded when a batch needs them
  (streamed by DataLoader workers), not held in memory.
- Fashion-MNIST: the four IDX files (optionally .gz) from --data, $FASHION_MNIST_DIR or the Debian package
  dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
- Validation: `validation_size` training images are held out with the exporter's seeded split (java.util.Random
  Fisher-Yates, reproduced below bit for bit), never trained on; the exporter calibrates on them.
- Normalisation: per-channel mean / std of pixel / 255 over the training split (std floored at 1e-3).
"""
import gzip
import math
import os
import struct

import numpy as np
import torch

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_MNIST_LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                        "Ankle boot"]


class DataError(Exception):
    """Bad input data; the message names the file or folder and what is wrong."""


class JavaRandom:
    """java.util.Random (48-bit LCG): the exporter splits its data with it, so the held-out images match."""

    def __init__(self, seed):
        self.seed = (int(seed) ^ 0x5DEECE66D) & ((1 << 48) - 1)

    def next(self, bits):
        self.seed = (self.seed * 0x5DEECE66D + 0xB) & ((1 << 48) - 1)
        value = self.seed >> (48 - bits)
        return value - (1 << 32) if value >= 1 << 31 else value  # Java's (int) cast

    def next_int(self, bound):
        if bound & -bound == bound:
            return (bound * self.next(31)) >> 31
        while True:
            bits = self.next(31)
            value = bits % bound
            if bits - value + (bound - 1) < (1 << 31):  # no int overflow in Java
                return value


def split(count, held_out, seed):
    """DataSplits.split: ([held-out indices], [rest]), each in ascending order."""
    order = list(range(count))
    random = JavaRandom(seed)
    for i in range(count - 1, 0, -1):
        j = random.next_int(i + 1)
        order[i], order[j] = order[j], order[i]
    return sorted(order[:held_out]), sorted(order[held_out:])


def _sorted_paths(paths):
    return sorted(paths, key=os.fsencode)  # Java sorts Unix paths by their bytes


def list_image_folder(root):
    """(classes, [(path, label)]) of one split folder, in the exporter's order."""
    if not os.path.isdir(root):
        raise DataError("image folder %s does not exist" % os.path.abspath(root))
    classes = [d for d in _sorted_paths(os.listdir(root)) if os.path.isdir(os.path.join(root, d))]
    if len(classes) < 2:
        raise DataError("image folder %s needs one sub-folder per class (at least 2), found %d"
                        % (os.path.abspath(root), len(classes)))
    items = []
    for label, name in enumerate(classes):
        folder = os.path.join(root, name)
        files = [f for f in _sorted_paths(os.listdir(folder))
                 if f.lower().endswith(IMAGE_SUFFIXES) and os.path.isfile(os.path.join(folder, f))]
        if not files:
            raise DataError("class folder %s holds no .jpg/.jpeg/.png image" % os.path.abspath(folder))
        items.extend((os.path.join(folder, f), label) for f in files)
    return classes, items


def decode(path):
    """An image file as an RGB uint8 array [H, W, 3]; DataError naming the file if it is not a readable image."""
    from PIL import Image
    try:
        with Image.open(path) as image:
            return np.asarray(image.convert("RGB"), dtype=np.uint8)
    except Exception as e:  # PIL raises many types for broken files
        raise DataError("%s: not a readable JPEG/PNG image (%s)" % (path, e)) from None


def translate(rgb, size, channels, center_crop=True):
    """The runtime's InputTranslator (runtime-lib core), which the exporter's image folders use too: the largest
    centred square (or, for `stretch`, the whole picture), bilinear resize sampling pixel centres with clamped
    edges, averaging ceil(step) x ceil(step) samples per output pixel when shrinking by more than 2x; grey =
    (299 R + 587 G + 114 B) / 1000; rounded half up to CHW uint8. float32 throughout, as the Java code."""
    h, w = rgb.shape[:2]
    crop_w, crop_h = float(w), float(h)
    if center_crop:
        if w * size > h * size:
            crop_w = float(h)
        else:
            crop_h = float(w)
    left, top = (w - crop_w) / 2, (h - crop_h) / 2
    step_x, step_y = crop_w / size, crop_h / size
    nx = int(math.ceil(step_x)) if step_x > 2 else 1
    ny = int(math.ceil(step_y)) if step_y > 2 else 1

    def coordinates(offset, step, n, limit):
        f = offset + (np.arange(size)[:, None] + (np.arange(n)[None, :] + 0.5) / n) * step - 0.5
        c = np.clip(f.reshape(-1), 0, limit - 1)
        i0 = c.astype(np.int64)
        return i0, np.minimum(i0 + 1, limit - 1), (c - i0).astype(np.float32)

    x0, x1, ax = coordinates(left, step_x, nx, w)
    y0, y1, ay = coordinates(top, step_y, ny, h)
    img = rgb.astype(np.float32)
    ax, ay = ax[None, :, None], ay[:, None, None]
    upper = img[y0][:, x0] + (img[y0][:, x1] - img[y0][:, x0]) * ax
    lower = img[y1][:, x0] + (img[y1][:, x1] - img[y1][:, x0]) * ax
    sampled = upper + (lower - upper) * ay  # [size*ny, size*nx, 3]
    sums = sampled.reshape(size, ny, size, nx, 3).sum(axis=(1, 3), dtype=np.float32)
    n = np.float32(nx * ny)
    if channels == 1:
        values = (299 * sums[..., 0] + 587 * sums[..., 1] + 114 * sums[..., 2]) / (1000 * n)
        values = values[None]
    else:
        values = (sums / n).transpose(2, 0, 1)
    return np.clip(np.floor(values + np.float32(0.5)), 0, 255).astype(np.uint8)  # Java's Math.round


def random_resized_crop(rgb, generator):
    """torchvision's RandomResizedCrop region, as the exporter's PictureDecoder draws it: area 8-100 %, log-uniform
    aspect 3/4-4/3, 10 tries, else the centre square."""
    h, w = rgb.shape[:2]
    area = float(w * h)
    for _ in range(10):
        r = torch.rand(4, generator=generator, dtype=torch.float64).tolist()
        target = area * (0.08 + r[0] * 0.92)
        ratio = math.exp(math.log(3 / 4) + r[1] * (math.log(4 / 3) - math.log(3 / 4)))
        cw, ch = int(math.floor(math.sqrt(target * ratio) + 0.5)), int(math.floor(math.sqrt(target / ratio) + 0.5))
        if 0 < cw <= w and 0 < ch <= h:
            x0, y0 = int(r[2] * (w - cw + 1)), int(r[3] * (h - ch + 1))
            return rgb[y0:y0 + ch, x0:x0 + cw]
    side = min(w, h)
    return rgb[(h - side) // 2:(h - side) // 2 + side, (w - side) // 2:(w - side) // 2 + side]


def load_chw(path, size, channels, crop_generator=None):
    """An image file as CHW uint8 [C, S, S]: centre crop, or with a generator a random resized crop (stretched)."""
    rgb = decode(path)
    if crop_generator is not None:
        return translate(random_resized_crop(rgb, crop_generator), size, channels, center_crop=False)
    return translate(rgb, size, channels)


def _idx(path, magic):
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            blob = f.read()
    except (OSError, EOFError) as e:
        raise DataError("%s: cannot read (%s)" % (path, e)) from None
    if len(blob) < 8 or struct.unpack(">I", blob[:4])[0] != magic:
        raise DataError("%s: not an IDX %s file" % (path, "image" if magic == 0x803 else "label"))
    if magic == 0x803:
        count, rows, cols = struct.unpack(">III", blob[4:16])
        need, offset = count * rows * cols, 16
    else:
        (count,), rows, cols, offset = struct.unpack(">I", blob[4:8]), 0, 0, 8
        need = count
    if len(blob) - offset < need:
        raise DataError("%s: truncated IDX file" % path)
    data = np.frombuffer(blob, dtype=np.uint8, count=need, offset=offset)
    return data.reshape(count, 1, rows, cols) if magic == 0x803 else data.astype(np.int64)


def locate_fashion_mnist(explicit):
    candidates = [explicit] if explicit else [p for p in (os.environ.get("FASHION_MNIST_DIR"), FASHION_MNIST_DIR) if p]
    for d in candidates:
        if all(_idx_file(d, n) for n in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")):
            return d
    raise DataError("Fashion-MNIST not found: looked in %s. Each place needs train-images-idx3-ubyte.gz, "
                    "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz; install "
                    "the Debian package dataset-fashion-mnist, set FASHION_MNIST_DIR or pass --data"
                    % ", ".join(os.path.abspath(c) for c in candidates))


def _idx_file(d, base):
    for name in (base + ".gz", base):
        if os.path.isfile(os.path.join(d, name)):
            return os.path.join(d, name)
    return None


def read_fashion_mnist(d, prefix):
    images = _idx(_idx_file(d, prefix + "-images-idx3-ubyte"), 0x803)
    labels = _idx(_idx_file(d, prefix + "-labels-idx1-ubyte"), 0x801)
    if len(images) != len(labels):
        raise DataError("%s: %s has %d images but %d labels" % (d, prefix, len(images), len(labels)))
    if images.shape[2] != images.shape[3]:
        raise DataError("%s: %s images are not square" % (d, prefix))
    if len(labels) and labels.max() >= 10:
        raise DataError("%s: %s has label %d, Fashion-MNIST has 10" % (d, prefix, labels.max()))
    return images, labels


class Augmentation:
    """Augmentation.java: random crop after zero padding (imageSize / 8), horizontal flip, rotation up to 15 deg,
    folded into one inverse affine map sampled bilinearly (outside pixels 0), result rounded to bytes."""

    def __init__(self, spec, image_size):
        self.padding, self.flip, self.rotation, self.rrc = 0, False, 0.0, False
        for part in (spec or "none").lower().split(","):
            part = part.strip()
            if part in ("", "none"):
                continue
            if part == "crop":
                self.padding = max(1, image_size // 8)
            elif part == "flip":
                self.flip = True
            elif part == "rotate":
                self.rotation = 15.0
            elif part == "rrc":
                self.rrc = True  # applied when an image file is decoded (ImageDataset.pixels)
            else:
                raise ValueError("unknown augmentation '%s' (use a comma list of crop, flip, rotate, rrc, or none)"
                                 % part)

    def identity(self):
        return self.padding == 0 and not self.flip and self.rotation == 0 and not self.rrc

    def __call__(self, chw, generator):
        if self.padding == 0 and not self.flip and self.rotation == 0:
            return chw
        c, size, _ = chw.shape
        r = torch.rand(4, generator=generator, dtype=torch.float64).tolist()
        shift_x = math.floor(r[0] * (2 * self.padding + 1)) - self.padding if self.padding else 0
        shift_y = math.floor(r[1] * (2 * self.padding + 1)) - self.padding if self.padding else 0
        mirror = self.flip and r[2] < 0.5
        angle = math.radians((r[3] * 2 - 1) * self.rotation) if self.rotation else 0.0
        cos, sin, centre = math.cos(angle), math.sin(angle), (size - 1) / 2.0
        ys, xs = torch.meshgrid(torch.arange(size, dtype=torch.float64), torch.arange(size, dtype=torch.float64),
                                indexing="ij")
        dx, dy = xs + shift_x - centre, ys + shift_y - centre
        sx, sy = cos * dx + sin * dy + centre, -sin * dx + cos * dy + centre
        if mirror:
            sx = size - 1 - sx
        # grid_sample with align_corners=True addresses pixel centres at -1..1: the exporter's bilinear lookup
        grid = torch.stack([sx / (size - 1) * 2 - 1, sy / (size - 1) * 2 - 1], -1)[None]
        out = torch.nn.functional.grid_sample(chw[None].double(), grid, mode="bilinear", padding_mode="zeros",
                                              align_corners=True)[0]
        return torch.floor(out + 0.5).clamp(0, 255).to(torch.uint8)


class ImageDataset(torch.utils.data.Dataset):
    """Labelled images by index: (CHW uint8 tensor, label). `images` is either a uint8 array [N, C, S, S]
    (Fashion-MNIST) or a list of files decoded on demand (image folder)."""

    def __init__(self, images, labels, classes, size, channels, augmentation=None, seed=0):
        self.images, self.labels, self.classes = images, labels, classes
        self.size, self.channels = size, channels
        self.augmentation, self.seed, self.epoch = augmentation, seed, 0

    def __len__(self):
        return len(self.labels)

    def set_epoch(self, epoch):
        self.epoch = epoch

    def pixels(self, i, crop_generator=None):
        if isinstance(self.images, np.ndarray):
            return torch.from_numpy(np.array(self.images[i]))
        return torch.from_numpy(load_chw(self.images[i], self.size, self.channels, crop_generator))

    def __getitem__(self, i):
        a = self.augmentation
        if a is None or a.identity():
            return self.pixels(i), int(self.labels[i])
        # per (seed, epoch, image): the same augmentation whatever the ranks, workers or a resume
        g = torch.Generator().manual_seed((self.seed * 1_000_003 + self.epoch * 7_919 + i) & ((1 << 63) - 1))
        chw = self.pixels(i, g if a.rrc else None)
        return a(chw, g), int(self.labels[i])

    def subset(self, indices):
        images = self.images[indices] if isinstance(self.images, np.ndarray) else [self.images[i] for i in indices]
        return ImageDataset(images, [self.labels[i] for i in indices], self.classes, self.size, self.channels,
                            self.augmentation, self.seed)


class Splits:
    def __init__(self, train, validation, test, classes):
        self.train, self.validation, self.test, self.classes = train, validation, test, classes


def load_splits(kind, path, image_size, channels, validation_size, split_seed):
    """Train (validation held out), validation and test sets, as the exporter's DataSplits.load builds them."""
    if kind == "fashion-mnist":
        d = locate_fashion_mnist(path)
        if image_size != 28 or channels != 1:
            raise DataError("Fashion-MNIST images are 28x28 with 1 channel, the model expects %dx%d with %d; use "
                            "--image-size 28 --channels 1 (or --preset fashion-mnist)" % (image_size, image_size,
                                                                                          channels))
        train_x, train_y = read_fashion_mnist(d, "train")
        test_x, test_y = read_fashion_mnist(d, "t10k")
        classes = list(FASHION_MNIST_LABELS)
        pool = ImageDataset(train_x, train_y.tolist(), classes, 28, 1)
        test = ImageDataset(test_x, test_y.tolist(), classes, 28, 1)
    else:
        train_dir, test_dir = os.path.join(path, "train"), os.path.join(path, "test")
        if not (os.path.isdir(train_dir) and os.path.isdir(test_dir)):
            raise DataError("image folder %s needs train/ and test/ sub-folders, each with one folder per class "
                            "(for ImageNet: link or rename val/ to test/)" % os.path.abspath(path))
        classes, train_items = list_image_folder(train_dir)
        test_classes, test_items = list_image_folder(test_dir)
        if classes != test_classes:
            only_train = sorted(set(classes) - set(test_classes))
            only_test = sorted(set(test_classes) - set(classes))
            raise DataError("%s: train/ and test/ have different class folders (only in train/: %s; only in test/: "
                            "%s)" % (os.path.abspath(path), only_train or "none", only_test or "none"))
        pool = ImageDataset([p for p, _ in train_items], [l for _, l in train_items], classes, image_size, channels)
        test = ImageDataset([p for p, _ in test_items], [l for _, l in test_items], classes, image_size, channels)
    if validation_size >= len(pool):
        raise DataError("validation size %d leaves no training images (only %d)" % (validation_size, len(pool)))
    held, rest = split(len(pool), validation_size, split_seed)
    return Splits(pool.subset(rest), pool.subset(held), test, classes)


class _Checked(torch.utils.data.Dataset):
    """Decodes every image once, returning per-channel sums (or the error) instead of raising, so a scan reports
    every bad file at once."""

    def __init__(self, dataset, indices):
        self.dataset, self.indices = dataset, indices

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, k):
        i = self.indices[k]
        try:
            x = self.dataset.pixels(i).double().div(255).flatten(1)
            return x.sum(1), (x * x).sum(1), x.shape[1], ""
        except DataError as e:
            c = self.dataset.channels
            return torch.zeros(c, dtype=torch.float64), torch.zeros(c, dtype=torch.float64), 0, str(e)


def _as_list(batch):
    return batch


def scan(dataset, rank, world, workers):
    """This rank's share of the images decoded once: (sum, sum of squares, pixel count per channel, [errors])."""
    indices = list(range(rank, len(dataset), world))
    c = dataset.channels
    if isinstance(dataset.images, np.ndarray):  # already decoded (IDX): vectorised
        x = torch.from_numpy(dataset.images[indices]).double().div(255).transpose(0, 1).reshape(c, -1)
        return x.sum(1), (x * x).sum(1), x.shape[1], []
    loader = torch.utils.data.DataLoader(_Checked(dataset, indices), batch_size=64, num_workers=workers,
                                         collate_fn=_as_list)
    total, total_sq, count, errors = torch.zeros(c, dtype=torch.float64), torch.zeros(c, dtype=torch.float64), 0, []
    for batch in loader:
        for s, sq, n, err in batch:
            total += s
            total_sq += sq
            count += n
            if err:
                errors.append(err)
    return total, total_sq, count, errors


def normalization(total, total_sq, count):
    """(mean, std) per channel as ImageSet.statistics computes them."""
    mean = total / count
    std = torch.sqrt(torch.clamp(total_sq / count - mean * mean, min=0)).clamp(min=1e-3)
    return [float(np.float32(m)) for m in mean], [float(np.float32(s)) for s in std]

