"""The exporter's optimiser and schedule (AdamW.java, LearningRateSchedule.java).

torch.optim.AdamW computes exactly the exporter's update (w *= 1 - lr wd; m, v with betas 0.9 / 0.999;
w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + 1e-8)); decay applies to matrices and kernels only.
The global gradient norm is clipped to `clip` (scale clip / (norm + 1e-6), clip_grad_norm_'s formula and the
exporter's); a non-finite norm skips the update and zeroes the gradients, as the exporter does.
"""
import math

import torch

from .model import decays


def adamw(model, weight_decay):
    decayed = [p for n, p in model.named_parameters() if decays(n)]
    plain = [p for n, p in model.named_parameters() if not decays(n)]
    return torch.optim.AdamW([{"params": decayed, "weight_decay": weight_decay},
                              {"params": plain, "weight_decay": 0.0}],
                             lr=1e-3, betas=(0.9, 0.999), eps=1e-8)


def clip_and_check(parameters, clip):
    """The global gradient norm before clipping (inf/nan if not finite, then nothing is clipped)."""
    parameters = [p for p in parameters if p.grad is not None]
    norm = torch.norm(torch.stack([p.grad.detach().float().norm() for p in parameters]))
    if not torch.isfinite(norm):
        return float(norm)
    if clip > 0 and norm > clip:
        scale = clip / (norm + 1e-6)
        for p in parameters:
            p.grad.detach().mul_(scale.to(p.grad.dtype))
    return float(norm)


class Schedule:
    """Linear warm-up to the peak, then cosine to 0 (or the paper's multistep: x0.1 at 50 % and 75 %)."""

    def __init__(self, peak, steps_per_epoch, epochs, warmup_epochs, kind="cosine"):
        if kind not in ("cosine", "multistep"):
            raise ValueError("schedule must be cosine or multistep, got %s" % kind)
        self.peak = float(peak)
        self.total = max(1, steps_per_epoch * epochs)
        self.warmup = min(self.total, int(math.floor(warmup_epochs * steps_per_epoch + 0.5)))
        self.kind = kind

    def at(self, step):
        if step < self.warmup:
            return self.peak * (step + 1) / self.warmup
        if self.kind == "cosine":
            progress = (step - self.warmup) / max(1, self.total - self.warmup)
            return self.peak * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
        fraction = step / self.total
        return self.peak * (0.01 if fraction >= 0.75 else 0.1 if fraction >= 0.5 else 1.0)
