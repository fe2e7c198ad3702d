#!/usr/bin/python3
"""Writes a timm-layout ViT checkpoint with random weights, plus PyTorch's reference logits, for `exporter import`.

The model is timm's VisionTransformer rebuilt in plain torch (Debian has no timm): the same module names
(patch_embed.proj, cls_token, pos_embed, blocks.N.{norm1,attn.qkv,attn.proj,norm2,mlp.fc1,mlp.fc2}, norm, head),
pre-LN blocks, exact GELU, LayerNorm eps 1e-6, qkv split [q | k | v] head-major. The reference applies the final
norm + head (the shared head) after EVERY block, which is what an elastic bundle computes at each exit.

Outputs in --out:
  model.safetensors      the state dict, timm names, float32
  reference.safetensors  images [B, C, S, S] (normalised NCHW float32) and logits [L, B, classes]

Committed fixture (exporter/src/test/resources/timm-tiny), regenerate with:
  /usr/bin/python3 exporter/src/test/python/timm_checkpoint.py --out exporter/src/test/resources/timm-tiny
DeiT-Tiny shape (22 MB, not committed):
  /usr/bin/python3 exporter/src/test/python/timm_checkpoint.py --preset deit-tiny --out /tmp/deit-tiny
"""
import argparse
import json
import struct

import torch
from torch import nn

PRESETS = {
    # image, channels, patch, dim, depth, heads, mlp, classes
    "tiny": (32, 3, 8, 32, 3, 4, 64, 5),
    "deit-tiny": (224, 3, 16, 192, 12, 3, 768, 1000),
    "deit-small": (224, 3, 16, 384, 12, 6, 1536, 1000),
}


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, d = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1)) * (d // self.heads) ** -0.5
        return self.proj((attn.softmax(-1) @ v).transpose(1, 2).reshape(b, n, d))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads, mlp, eps):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = Mlp(dim, mlp)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, channels, patch, dim):
        super().__init__()
        self.proj = nn.Conv2d(channels, dim, patch, patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class VisionTransformer(nn.Module):
    def __init__(self, image, channels, patch, dim, depth, heads, mlp, classes, eps=1e-6):
        super().__init__()
        self.patch_embed = PatchEmbed(channels, patch, dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, (image // patch) ** 2 + 1, dim))
        self.blocks = nn.ModuleList([Block(dim, heads, mlp, eps) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=eps)
        self.head = nn.Linear(dim, classes)

    def layer_logits(self, images):
        """[L, B, classes]: norm + head on the CLS token after every block."""
        x = self.patch_embed(images)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        out = []
        for block in self.blocks:
            x = block(x)
            out.append(self.head(self.norm(x[:, 0])))
        return torch.stack(out)


def randomize(model, generator):
    """Random weights everywhere, LayerNorms included (a mapping mistake then shows in the logits)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm1.weight") or name.endswith("norm2.weight") or name == "norm.weight":
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=generator))
            elif p.dim() == 1:
                p.copy_(0.05 * torch.randn(p.shape, generator=generator))
            elif name in ("cls_token", "pos_embed"):
                p.copy_(0.5 * torch.randn(p.shape, generator=generator))
            else:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=generator) / fan_in ** 0.5)


def write_safetensors(path, tensors):
    """safetensors: 8-byte little-endian header length, JSON header {name: {dtype, shape, data_offsets}}, then the
    raw little-endian bytes of each tensor in header order."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the spec pads the header to 8 bytes with spaces
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--preset", default="tiny", choices=sorted(PRESETS))
    parser.add_argument("--images", type=int, default=4)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    import os
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(args.seed)
    image, channels, patch, dim, depth, heads, mlp, classes = PRESETS[args.preset]
    model = VisionTransformer(image, channels, patch, dim, depth, heads, mlp, classes).eval()
    randomize(model, generator)
    # images of random 8-bit pixels, normalised with ImageNet's mean/std as a timm pipeline would
    pixels = torch.randint(0, 256, (args.images, channels, image, image), generator=generator).float() / 255
    mean = torch.tensor([0.485, 0.456, 0.406][:channels]).view(1, -1, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225][:channels]).view(1, -1, 1, 1)
    images = (pixels - mean) / std
    with torch.no_grad():
        logits = model.layer_logits(images)
    write_safetensors(os.path.join(args.out, "model.safetensors"), model.state_dict())
    write_safetensors(os.path.join(args.out, "reference.safetensors"), {"images": images, "logits": logits})
    print(f"{args.preset}: {sum(p.numel() for p in model.parameters())} parameters, logits {list(logits.shape)}"
          f" -> {args.out}")


if __name__ == "__main__":
    main()
