"""The exporter's objectives (Objective.java, LossWeights.java, TrainingMode.java), loss for loss.

standard  : cross-entropy of the shared head at the last layer.
aligned   : sum_l lambda_l CE(head(h_l), y), lambda_l = 2l / (L(L+1)), on even steps; last-layer CE on odd steps
            (the paper's Appendix C alternation; --aligned-only: the aligned loss on every step).
multihead : the same lambda-weighted sum every step, with one head per layer.
cosreg    : last-layer CE + beta * sum_{l<L} lambda_l (1 - cos(h_l, stopgrad(h_L))).
Cross-entropy is the batch mean of -log softmax at the label. Steps are 0-based over the whole run.
"""
import torch
import torch.nn.functional as F

MODES = ("standard", "aligned", "multihead", "cosreg")
_COSINE_EPS = 1e-8


def lambdas(depth):
    return torch.tensor([2.0 * l / (depth * (depth + 1.0)) for l in range(1, depth + 1)], dtype=torch.float32)


def is_aligned_step(step, aligned_only):
    return aligned_only or step % 2 == 0


def cross_entropy(logits, labels):
    """Mean CE over the batch axis of logits [.., B, C]; [..] stays (one loss per layer for [L, B, C])."""
    log_p = logits.float().log_softmax(-1)
    picked = log_p.gather(-1, labels.expand(*log_p.shape[:-1]).unsqueeze(-1)).squeeze(-1)
    return -picked.mean(-1)


def cosine(a, b):
    return (a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1) + _COSINE_EPS)


def step_loss(model, mode, step, features, labels, aligned_only=False, beta=1.0):
    """(scalar loss, last layer's logits [B, C]) of one step. `model` is the bare ElasticVit (not the DDP wrapper):
    the forward pass through DDP has already produced `features`."""
    depth = len(features)
    weights = lambdas(depth).to(features[0].device)
    if mode == "multihead" or (mode == "aligned" and is_aligned_step(step, aligned_only)):
        logits = model.all_exit_logits(features)
        return (cross_entropy(logits, labels) * weights).sum(), logits[-1]
    last = model.exit_logits(depth, features[-1])
    loss = cross_entropy(last, labels)
    if mode == "cosreg":
        target = features[-1].detach()
        penalty = sum((1 - cosine(features[l].float(), target.float()).mean()) * weights[l] for l in range(depth - 1))
        loss = loss + beta * penalty
    return loss, last
