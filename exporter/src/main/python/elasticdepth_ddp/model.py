"""The exporter's elastic ViT (ElasticVit.java) in PyTorch, with timm's ViT/DeiT tensor names.

Architecture (the contract the exporter's DJL model and its TFLite export share, op for op):
pre-LN blocks x = x + proj(MHA(LN1(x))); x = x + fc2(GELU(fc1(LN2(x)))), exact erf GELU, LayerNorm eps 1e-5,
qkv split [q | k | v] head-major, softmax(q k^T * dh^-1/2) v; a Conv2d patch stem, CLS token first, learned
position embedding. The CLS feature after every block is classified by ONE shared head LayerNorm + Linear
(timm's final `norm` + `head`), or for the multihead baseline by one head per block (`heads.{i}.norm/.fc`).
There is no other final norm.

Names (timm): patch_embed.proj.weight [D,C,P,P] / .bias, cls_token [1,1,D], pos_embed [1,N+1,D],
blocks.{i}.norm1 / attn.qkv / attn.proj / norm2 / mlp.fc1 / mlp.fc2 (.weight / .bias, i = 0..L-1),
norm.weight / .bias, head.weight [C,D] / .bias (shared head), or heads.{i}.norm.* and heads.{i}.fc.* (multihead).
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

PRESETS = {
    # the exporter's default Fashion-MNIST model (VitConfig.fashionMnistDefault)
    "fashion-mnist": dict(image_size=28, channels=1, patch_size=7, dim=64, depth=6, heads=4, mlp_dim=128),
    "deit-tiny": dict(image_size=224, channels=3, patch_size=16, dim=192, depth=12, heads=3, mlp_dim=768),
    "deit-small": dict(image_size=224, channels=3, patch_size=16, dim=384, depth=12, heads=6, mlp_dim=1536),
}


class VitShape:
    """The exporter's VitConfig: validated, serialised with the same field names as config.json's "model"."""

    FIELDS = ("imageSize", "channels", "patchSize", "dim", "depth", "heads", "mlpDim", "numClasses", "dropout",
              "layerNormEps")

    def __init__(self, image_size, channels, patch_size, dim, depth, heads, mlp_dim, num_classes, dropout=0.0,
                 layer_norm_eps=1e-5):
        self.image_size, self.channels, self.patch_size = int(image_size), int(channels), int(patch_size)
        self.dim, self.depth, self.heads, self.mlp_dim = int(dim), int(depth), int(heads), int(mlp_dim)
        self.num_classes, self.dropout, self.layer_norm_eps = int(num_classes), float(dropout), float(layer_norm_eps)
        problems = []
        if self.channels not in (1, 3):
            problems.append("channels must be 1 or 3, got %d" % self.channels)
        if self.patch_size <= 0 or self.image_size <= 0 or self.image_size % self.patch_size:
            problems.append("patch size %d must divide image size %d" % (self.patch_size, self.image_size))
        if self.dim <= 0 or self.heads <= 0 or self.dim % self.heads:
            problems.append("heads %d must divide dim %d" % (self.heads, self.dim))
        if self.depth <= 0 or self.mlp_dim <= 0:
            problems.append("depth and mlp dim must be positive")
        if self.num_classes < 2:
            problems.append("at least 2 classes needed, got %d" % self.num_classes)
        if not 0 <= self.dropout < 1:
            problems.append("dropout must be in [0, 1), got %g" % self.dropout)
        if problems:
            raise ValueError("model: " + "; ".join(problems))

    @property
    def tokens(self):
        return (self.image_size // self.patch_size) ** 2 + 1

    def to_json(self):
        return {"imageSize": self.image_size, "channels": self.channels, "patchSize": self.patch_size,
                "dim": self.dim, "depth": self.depth, "heads": self.heads, "mlpDim": self.mlp_dim,
                "numClasses": self.num_classes, "dropout": self.dropout, "layerNormEps": self.layer_norm_eps}

    @staticmethod
    def from_json(j):
        return VitShape(j["imageSize"], j["channels"], j["patchSize"], j["dim"], j["depth"], j["heads"],
                        j["mlpDim"], j["numClasses"], j.get("dropout", 0.0), j.get("layerNormEps", 1e-5))

    def describe(self):
        return ("ViT %dx%dx%d, patch %d (%d tokens), width %d, %d blocks, %d heads, MLP %d, %d classes"
                % (self.image_size, self.image_size, self.channels, self.patch_size, self.tokens, self.dim,
                   self.depth, self.heads, self.mlp_dim, self.num_classes))

    def __eq__(self, other):
        return isinstance(other, VitShape) and self.to_json() == other.to_json()


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.scale = (dim // heads) ** -0.5

    def forward(self, x):
        b, n, d = x.shape
        # [B, N, 3D] -> [3, B, H, N, dh]: the [q | k | v] split, head-major inside each (as ElasticVit.attention)
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        scores = (q @ k.transpose(-2, -1)).mul(self.scale).softmax(-1)
        return self.proj((scores @ v).transpose(1, 2).reshape(b, n, d))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))  # exact erf GELU, as DJL's Activation.gelu


class Block(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.norm1 = nn.LayerNorm(s.dim, eps=s.layer_norm_eps)
        self.attn = Attention(s.dim, s.heads)
        self.norm2 = nn.LayerNorm(s.dim, eps=s.layer_norm_eps)
        self.mlp = Mlp(s.dim, s.mlp_dim)
        self.drop = nn.Dropout(s.dropout)

    def forward(self, x):
        x = x + self.drop(self.attn(self.norm1(x)))
        return x + self.drop(self.mlp(self.norm2(x)))


class Head(nn.Module):
    """A per-layer exit head of the multihead baseline (heads.{i}.norm, heads.{i}.fc)."""

    def __init__(self, s):
        super().__init__()
        self.norm = nn.LayerNorm(s.dim, eps=s.layer_norm_eps)
        self.fc = nn.Linear(s.dim, s.num_classes)

    def forward(self, x):
        return self.fc(self.norm(x))


class PatchEmbed(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.proj = nn.Conv2d(s.channels, s.dim, s.patch_size, stride=s.patch_size)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)  # [B, N, D], row-major patches


class ElasticVit(nn.Module):
    """forward(images) -> list of the CLS feature [B, D] after each block; exit_logits() classifies them."""

    def __init__(self, shape, multihead=False):
        super().__init__()
        s = shape
        self.shape = s
        self.multihead = multihead
        self.patch_embed = PatchEmbed(s)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, s.dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, s.tokens, s.dim))
        self.pos_drop = nn.Dropout(s.dropout)
        self.blocks = nn.ModuleList(Block(s) for _ in range(s.depth))
        if multihead:
            self.heads = nn.ModuleList(Head(s) for _ in range(s.depth))
        else:
            self.norm = nn.LayerNorm(s.dim, eps=s.layer_norm_eps)
            self.head = nn.Linear(s.dim, s.num_classes)

    def forward(self, images):
        s = self.shape
        if images.dim() != 4 or tuple(images.shape[1:]) != (s.channels, s.image_size, s.image_size):
            raise ValueError("the model expects images [B, %d, %d, %d], got %s"
                             % (s.channels, s.image_size, s.image_size, list(images.shape)))
        x = self.patch_embed(images)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        x = self.pos_drop(x)
        features = []
        for block in self.blocks:
            x = block(x)
            features.append(x[:, 0])
        return features

    def exit_logits(self, layer, feature):
        """Logits of exit `layer` (1-based) for a feature [.., D]."""
        if self.multihead:
            return self.heads[layer - 1](feature)
        return self.head(self.norm(feature))

    def all_exit_logits(self, features):
        """[L, B, C]: the shared head over the stacked features in one call, or head l on feature l."""
        if self.multihead:
            return torch.stack([self.exit_logits(l + 1, f) for l, f in enumerate(features)])
        return self.exit_logits(len(features), torch.stack(features))


def decays(name):
    """Whether AdamW decays this tensor: matrices and convolution kernels only, as the exporter's AdamW (which decays
    names ending in .weight in its own naming, where LayerNorm scales are .gamma)."""
    if not name.endswith(".weight"):
        return False
    module = name[:-len(".weight")]
    return not (module == "norm" or module.endswith(".norm") or module.endswith(".norm1")
                or module.endswith(".norm2"))


@torch.no_grad()
def initialize(model, seed):
    """The exporter's initialisation scheme (ElasticVit.initialize): truncated normal (cut at 2 std) with Xavier
    variance 2/(in+out) for Linear weights, LeCun std 1/sqrt(C*P*P) for the patch kernel, std 0.02 for CLS and
    position, zero biases, LayerNorm scale 1 and shift 0. The draws come from torch's generator seeded with `seed`
    (the exporter draws from java.util.Random), so the scheme is the same, the numbers are not."""
    g = torch.Generator().manual_seed(int(seed))
    s = model.shape
    for name, p in model.named_parameters():
        if name.endswith(".bias"):
            p.zero_()
        elif name.endswith(".weight") and not decays(name):
            p.fill_(1.0)  # LayerNorm scale
        else:
            if name == "patch_embed.proj.weight":
                std = 1.0 / math.sqrt(s.channels * s.patch_size * s.patch_size)
            elif name.endswith(".weight"):
                std = math.sqrt(2.0 / (p.shape[0] + p.shape[1]))
            else:
                std = 0.02
            p.copy_(truncated_normal(p.shape, g) * std)
    return model


def truncated_normal(shape, generator):
    """Standard normal draws redrawn until |x| <= 2 (the exporter's truncatedGaussian)."""
    out = torch.randn(shape, generator=generator)
    bad = out.abs() > 2
    while bad.any():
        out[bad] = torch.randn(int(bad.sum()), generator=generator)
        bad = out.abs() > 2
    return out
