"""The safetensors layout, written and read by hand.

Why by hand: Debian ships no `safetensors` package (and no timm), and the trainer must run offline on Debian's
python3-torch alone. The format is small and documented (https://github.com/huggingface/safetensors):

  8 bytes   little-endian unsigned header length N
  N bytes   UTF-8 JSON: {name: {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
                         "__metadata__": {str: str}}   (offsets relative to the data section; may be space-padded)
  rest      the tensors' raw little-endian bytes, back to back in header order
"""
import json
import struct

import numpy as np
import torch

_DTYPES = {"F32": (np.float32, torch.float32), "F16": (np.float16, torch.float16),
           "I64": (np.int64, torch.int64), "I32": (np.int32, torch.int32)}
_NAMES = {torch.float32: "F32", torch.float16: "F16", torch.int64: "I64", torch.int32: "I32"}


def encode(tensors, metadata=None):
    """The bytes of a safetensors file holding `tensors` ({name: tensor}, in that order)."""
    header = {}
    chunks = []
    offset = 0
    for name, tensor in tensors.items():
        t = tensor.detach().to("cpu").contiguous()
        if t.dtype not in _NAMES:
            raise ValueError("safetensors: unsupported dtype %s of %s" % (t.dtype, name))
        data = t.numpy().astype(t.numpy().dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # keeps the data section 8-byte aligned, as the reference writer does
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def decode(blob, where="safetensors"):
    """({name: float tensor}, metadata) from the bytes of a safetensors file; ValueError naming what is wrong."""
    if len(blob) < 8:
        raise ValueError("%s: too short for a safetensors file" % where)
    (length,) = struct.unpack("<Q", blob[:8])
    if length > len(blob) - 8:
        raise ValueError("%s: header length %d beyond the file's %d bytes" % (where, length, len(blob)))
    try:
        header = json.loads(blob[8:8 + length].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise ValueError("%s: header is not JSON (%s)" % (where, e))
    data = memoryview(blob)[8 + length:]
    metadata = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, entry in header.items():
        dtype = _DTYPES.get(entry.get("dtype"))
        if dtype is None:
            raise ValueError("%s: tensor %s has unsupported dtype %s" % (where, name, entry.get("dtype")))
        begin, end = entry["data_offsets"]
        shape = [int(s) for s in entry["shape"]]
        count = int(np.prod(shape)) if shape else 1
        if not (0 <= begin <= end <= len(data)) or end - begin != count * np.dtype(dtype[0]).itemsize:
            raise ValueError("%s: tensor %s has bad data offsets %s for shape %s" % (where, name, [begin, end], shape))
        array = np.frombuffer(data[begin:end], dtype=np.dtype(dtype[0]).newbyteorder("<")).reshape(shape)
        tensors[name] = torch.from_numpy(array.astype(dtype[0]))
    return tensors, metadata


def load(path):
    with open(path, "rb") as f:
        return decode(f.read(), str(path))
