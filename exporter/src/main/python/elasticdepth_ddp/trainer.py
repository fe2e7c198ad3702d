"""DDP training loop. Launch one process per GPU (or CPU rank) with torchrun; the trainer reads only torchrun's
environment: RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT (none set: one process, no DDP).

OUT/ after every epoch (rank 0 writes, each file atomically):
  config.json        the exporter's run config (model, training, data, normalisation, labels)
  model.safetensors  the weights, timm names (model.py): `exporter import OUT --out RUN_DIR`
  checkpoint.pt      weights + AdamW moments + loss-scaler + progress, for --resume
  reference.safetensors (at the end) PyTorch's exit logits of the first test images: `images` [B,C,S,S]
                     (normalised) and `logits` [L,B,classes], for `exporter verify BUNDLE --reference`
"""
import argparse
import contextlib
import datetime
import io
import json
import math
import os
import sys
import time

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from . import data as D
from . import files, safetensors_io
from .model import PRESETS, ElasticVit, VitShape, initialize
from .objective import MODES, step_loss
from .optim import Schedule, adamw, clip_and_check

CONFIG, WEIGHTS, CHECKPOINT, REFERENCE = "config.json", "model.safetensors", "checkpoint.pt", "reference.safetensors"
REFERENCE_IMAGES = 64
CHECKPOINT_FORMAT = 1
MAX_CONSECUTIVE_SKIPS = 5  # as the exporter's Trainer: isolated non-finite steps are skipped, 5 in a row stop


class UsageError(Exception):
    """Bad arguments, data or checkpoint: printed as one line by rank 0, exit status 2."""


def parse_args(argv):
    p = argparse.ArgumentParser(prog="train_ddp.py", description="Trains the exporter's elastic ViT with "
                                "PyTorch DDP (torchrun); OUT/ is a SOURCE for `exporter import`.")
    p.add_argument("--out", required=True, help="output directory (model.safetensors, config.json, checkpoint.pt)")
    p.add_argument("--resume", action="store_true", help="continue OUT from its last complete epoch (same command)")
    p.add_argument("--resume-if-present", action="store_true", help="resume if OUT holds a checkpoint, else start: "
                   "for torchrun --max-restarts, which re-runs the same line")
    p.add_argument("--data", help="image folder (train/ and test/, one sub-folder per class) or Fashion-MNIST IDX "
                   "directory; default: $FASHION_MNIST_DIR, then " + D.FASHION_MNIST_DIR)
    p.add_argument("--dataset", default="auto", choices=("auto", "fashion-mnist", "image-folder"))
    p.add_argument("--preset", choices=sorted(PRESETS), default="fashion-mnist",
                   help="model shape; the flags below override it (default: fashion-mnist, the exporter's default)")
    for flag in ("image-size", "channels", "patch", "dim", "depth", "heads", "mlp-dim"):
        p.add_argument("--" + flag, type=int)
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--mode", choices=MODES, default="aligned")
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--batch-size", type=int, default=128, help="images per step PER PROCESS (global = x WORLD_SIZE)")
    p.add_argument("--lr", type=float, default=2e-3, help="peak AdamW learning rate (for the global batch)")
    p.add_argument("--weight-decay", type=float, default=0.05)
    p.add_argument("--schedule", choices=("cosine", "multistep"), default="cosine")
    p.add_argument("--warmup-epochs", type=float, default=1.0)
    p.add_argument("--aligned-only", action="store_true", help="aligned loss on every step (no CE alternation)")
    p.add_argument("--beta", type=float, default=1.0, help="cosreg: weight of the cosine term")
    p.add_argument("--clip-grad", type=float, default=1.0, help="global gradient-norm clip, 0 = off")
    p.add_argument("--augment", default="flip", help="comma list of crop, flip, rotate (15 deg), rrc (image folders: "
                   "random resized crop of the original picture), or none")
    p.add_argument("--validation-size", type=int, default=5000)
    p.add_argument("--mean", help="per-channel mean of pixel/255, comma list (default: measured on the train split)")
    p.add_argument("--std", help="per-channel std, comma list (with --mean)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--workers", type=int, default=4, help="DataLoader worker processes per rank")
    p.add_argument("--amp", choices=("auto", "on", "off"), default="auto", help="fp16 mixed precision (auto: on GPU)")
    p.add_argument("--cpu", action="store_true", help="train on CPU (gloo) even if CUDA is available")
    p.add_argument("--log-every", type=int, default=50, help="progress line every N steps (rank 0)")
    # for tests only: a slow step (so a rank can be killed mid-epoch), and every rank's final weights
    p.add_argument("--step-delay", type=float, default=0.0, help=argparse.SUPPRESS)
    p.add_argument("--replica-dir", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    shape = dict(PRESETS[a.preset])
    for key, flag in (("image_size", a.image_size), ("channels", a.channels), ("patch_size", a.patch), ("dim", a.dim),
                      ("depth", a.depth), ("heads", a.heads), ("mlp_dim", a.mlp_dim)):
        if flag is not None:
            shape[key] = flag
    a.shape = shape
    if a.epochs < 1 or a.batch_size < 1 or not a.lr > 0 or a.weight_decay < 0 or a.warmup_epochs < 0 \
            or a.clip_grad < 0 or a.validation_size < 1:
        p.error("epochs, batch size, lr and validation size must be positive; decay, warm-up, clip not negative")
    try:
        augmentation = D.Augmentation(a.augment, 8)
    except ValueError as e:
        p.error(str(e))
    if (a.mean is None) != (a.std is None):
        p.error("--mean and --std go together")
    if a.dataset == "auto":
        # as the exporter decides: IDX files -> Fashion-MNIST; otherwise sub-folders -> an image folder
        a.dataset = "image-folder" if a.data and os.path.isdir(a.data) and not any(
            os.path.exists(os.path.join(a.data, "train-images-idx3-ubyte" + gz)) for gz in ("", ".gz")) and any(
            os.path.isdir(os.path.join(a.data, d)) for d in os.listdir(a.data)) else "fashion-mnist"
    if augmentation.rrc and a.dataset == "fashion-mnist":
        p.error("--augment rrc crops the original pictures: it needs an image folder")
    return a


class Dist:
    """This process's place in the job, from torchrun's environment only."""

    def __init__(self, force_cpu):
        env = os.environ
        self.enabled = "RANK" in env and "WORLD_SIZE" in env
        self.rank = int(env.get("RANK", 0))
        self.local_rank = int(env.get("LOCAL_RANK", 0))
        self.world = int(env.get("WORLD_SIZE", 1))
        cuda = torch.cuda.is_available() and not force_cpu
        self.device = torch.device("cuda", self.local_rank) if cuda else torch.device("cpu")
        if cuda:
            torch.cuda.set_device(self.device)
        if self.enabled:
            missing = [k for k in ("MASTER_ADDR", "MASTER_PORT", "LOCAL_RANK") if k not in env]
            if missing:
                raise UsageError("RANK/WORLD_SIZE are set but not %s: start the trainer with torchrun"
                                 % ", ".join(missing))
            dist.init_process_group("nccl" if cuda else "gloo", init_method="env://",
                                    timeout=datetime.timedelta(minutes=30))

    @property
    def main(self):
        return self.rank == 0

    def all_sum(self, tensor):
        if self.enabled:
            t = tensor.to(self.device)
            dist.all_reduce(t)
            return t.to(tensor.device)
        return tensor

    def from_main(self, make):
        """Runs `make()` on rank 0 and hands its result to every rank: ('ok', value) or ('error', message)."""
        result = [None]
        if self.main:
            try:
                result[0] = ("ok", make())
            except (UsageError, D.DataError, ValueError, OSError) as e:
                result[0] = ("error", str(e))
        if self.enabled:
            dist.broadcast_object_list(result, src=0, device=self.device if self.device.type == "cuda" else None)
        kind, value = result[0]
        if kind == "error":
            raise UsageError(value)
        return value

    def agree(self, make):
        """Runs `make()` on every rank; if it failed anywhere, every rank raises the first failure (a rank that
        failed alone would otherwise leave the others waiting in the next collective)."""
        try:
            value, failure = make(), ""
        except (UsageError, D.DataError, ValueError, OSError) as e:
            value, failure = None, str(e)
        failures = self.gather([(self.rank, failure)] if failure else [])
        if failures:
            rank, message = failures[0]
            raise UsageError(message if rank == 0 or not self.enabled else "rank %d: %s" % (rank, message))
        return value

    def gather(self, items):
        if not self.enabled:
            return list(items)
        out = [None] * self.world
        dist.all_gather_object(out, list(items))
        return [x for part in out for x in part]

    def close(self):
        if self.enabled and dist.is_initialized():
            dist.destroy_process_group()


def log(ctx, message):
    if ctx.main:
        print(message, flush=True)


def run_config(a, shape, global_batch, data_path, mean, std, classes):
    """config.json in the exporter's RunConfig format (gson field names, enum names upper case)."""
    return {
        "formatVersion": 1,
        "model": shape.to_json(),
        "training": {"mode": a.mode.upper(), "epochs": a.epochs, "batchSize": global_batch, "learningRate": a.lr,
                     "weightDecay": a.weight_decay, "schedule": a.schedule, "warmupEpochs": a.warmup_epochs,
                     "alignedOnly": a.aligned_only, "cosregBeta": a.beta, "gradientClip": a.clip_grad,
                     "seed": a.seed, "threads": 0},
        "data": {"kind": a.dataset, "path": data_path, "validationSize": a.validation_size, "testFraction": 0.1,
                 "splitSeed": a.seed, "augmentation": a.augment},
        "normalization": {"mean": mean, "std": std},
        "labels": classes,
    }


def train_step(forward, vit, optimizer, mode, step, images, labels, lr, clip, aligned_only=False, beta=1.0,
               scaler=None, autocast=False):
    """One optimisation step, exactly the exporter's: loss of the mode at `step`, backward, global-norm clip,
    AdamW at `lr`, gradients zeroed. A non-finite loss or gradient skips the update.
    Returns (loss, last-layer logits, applied)."""
    for group in optimizer.param_groups:
        group["lr"] = lr
    with torch.autocast("cuda", dtype=torch.float16) if autocast else contextlib.nullcontext():
        features = forward(images)
        loss, logits = step_loss(vit, mode, step, features, labels, aligned_only, beta)
    if scaler is not None:
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
    else:
        loss.backward()  # even when not finite: every DDP rank must join the gradient all-reduce
    norm = clip_and_check(vit.parameters(), clip)
    applied = math.isfinite(norm) and math.isfinite(float(loss))
    if scaler is not None:
        scaler.step(optimizer)  # skips by itself when unscale_ found inf/NaN
        scaler.update()
    elif applied:
        optimizer.step()
    optimizer.zero_grad(set_to_none=False)
    return float(loss), logits.detach(), applied


@torch.no_grad()
def evaluate(ctx, vit, dataset, mean, std, batch, workers):
    """Per-layer accuracy on `dataset`, each rank scoring its share, summed over ranks."""
    vit.eval()
    correct = torch.zeros(vit.shape.depth, dtype=torch.float64)
    share = torch.utils.data.Subset(dataset, list(range(ctx.rank, len(dataset), ctx.world)))
    for pixels, labels in torch.utils.data.DataLoader(share, batch_size=batch, num_workers=workers):
        logits = vit.all_exit_logits(vit(normalize(pixels.to(ctx.device), mean, std)))
        correct += (logits.argmax(-1) == labels.to(ctx.device)).sum(-1).double().cpu()
    vit.train()
    return (ctx.all_sum(correct) / len(dataset)).tolist()


def normalize(pixels, mean, std):
    """(pixel / 255 - mean[c]) / std[c] in float32, as Normalization.apply."""
    m = torch.tensor(mean, dtype=torch.float32, device=pixels.device).view(1, -1, 1, 1)
    s = torch.tensor(std, dtype=torch.float32, device=pixels.device).view(1, -1, 1, 1)
    return (pixels.float() / 255 - m) / s


def save_checkpoint(out, vit, optimizer, scaler, progress):
    """Rank 0: the weights for `exporter import`, then the resumable checkpoint; each file replaced atomically."""
    weights = {k: v.detach().float().cpu() for k, v in vit.state_dict().items()}
    files.write_bytes(os.path.join(out, WEIGHTS), safetensors_io.encode(
        weights, {"format": "pt", "producer": "elasticdepth_ddp", "epoch": progress["epoch"]}))
    buffer = io.BytesIO()
    torch.save({"format": CHECKPOINT_FORMAT, "model": weights, "optimizer": optimizer.state_dict(),
                "scaler": scaler.state_dict() if scaler is not None else None, **progress}, buffer)
    files.write_bytes(os.path.join(out, CHECKPOINT), buffer.getvalue())


def load_checkpoint(out, shape, mode, global_batch):
    path = os.path.join(out, CHECKPOINT)
    if not os.path.isfile(path):
        raise UsageError("--resume: no %s in %s (no epoch completed there yet); start without --resume"
                         % (CHECKPOINT, os.path.abspath(out)))
    try:
        state = torch.load(path, map_location="cpu")
    except Exception as e:  # truncated or not a checkpoint
        raise UsageError("--resume: %s is unreadable (%s)" % (path, e)) from None
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        raise UsageError("--resume: %s is not a checkpoint of this trainer" % path)
    saved = VitShape.from_json(state["shape"])
    if saved != shape or state["mode"] != mode:
        differ = ["%s %s (checkpoint) vs %s (this command)" % (k, state["shape"][k], shape.to_json()[k])
                  for k in VitShape.FIELDS if state["shape"][k] != shape.to_json()[k]]
        if state["mode"] != mode:
            differ.append("mode %s vs %s" % (state["mode"], mode))
        raise UsageError("--resume: %s holds a model of a different shape: %s. Repeat the original command with "
                         "--resume, or train into another --out" % (path, "; ".join(differ)))
    if state["global_batch"] != global_batch:
        raise UsageError("--resume: %s was trained with a global batch of %d (WORLD_SIZE x --batch-size), this "
                         "job has %d; keep the product the same to continue the same run"
                         % (path, state["global_batch"], global_batch))
    return state


def check_out(a):
    """OUT must not hold a completed epoch, unless --resume. (A config.json alone, from a run stopped before its
    first checkpoint, is simply replaced by a new start.)"""
    out = a.out
    if a.resume_if_present and not a.resume:
        a.resume = os.path.exists(os.path.join(out, CHECKPOINT))
    if a.resume and not os.path.isfile(os.path.join(out, CONFIG)):
        raise UsageError("--resume: %s is not a run of this trainer (no %s)" % (os.path.abspath(out), CONFIG))
    if not a.resume and os.path.exists(os.path.join(out, CHECKPOINT)):
        raise UsageError("%s already holds a run; add --resume to continue it or choose another --out"
                         % os.path.abspath(out))
    return a.resume


def main(argv=None):
    a = parse_args(argv)
    ctx = None
    try:
        ctx = Dist(a.cpu)
        return train(ctx, a)
    except (UsageError, D.DataError) as e:
        if ctx is None or ctx.main:
            print("error: %s" % e, file=sys.stderr, flush=True)
        return 2
    except RuntimeError as e:
        if ctx is None or not ctx.enabled:
            raise
        # typically a peer process died (gloo: connection closed; NCCL: timeout); torchrun stops the job
        print("rank %d: error: %s\nthe job stops; run the same command with --resume to continue from the last "
              "complete epoch" % (ctx.rank, str(e).splitlines()[0] if str(e) else type(e).__name__),
              file=sys.stderr, flush=True)
        return 1
    finally:
        if ctx is not None:
            ctx.close()


def train(ctx, a):
    torch.manual_seed(a.seed)
    global_batch = a.batch_size * ctx.world
    a.resume = ctx.from_main(lambda: check_out(a))  # rank 0's file system decides, for every rank
    data_path = os.path.abspath(a.data) if a.data else None
    splits = ctx.agree(lambda: D.load_splits(a.dataset, data_path, a.shape["image_size"], a.shape["channels"],
                                             a.validation_size, a.seed))
    shape = ctx.agree(lambda: VitShape(num_classes=len(splits.classes), dropout=a.dropout, **a.shape))
    if len(splits.train) < global_batch:
        raise UsageError("%d training images are fewer than one global batch (%d = WORLD_SIZE %d x --batch-size %d)"
                         % (len(splits.train), global_batch, ctx.world, a.batch_size))

    config_path = os.path.join(a.out, CONFIG)
    state = None
    if a.resume:
        # every rank gets rank 0's copy: on several nodes only rank 0's file system need hold OUT
        state = ctx.from_main(lambda: load_checkpoint(a.out, shape, a.mode, global_batch))
        mean, std = ctx.from_main(lambda: saved_normalization(config_path, shape))
    else:
        mean, std = measure_normalization(ctx, a, splits, shape)
        config = run_config(a, shape, global_batch, data_path, mean, std, splits.classes)
        ctx.from_main(lambda: (os.makedirs(a.out, exist_ok=True), files.write_json(config_path, config)))

    vit = initialize(ElasticVit(shape, multihead=a.mode == "multihead"), a.seed).to(ctx.device)
    optimizer = adamw(vit, a.weight_decay)
    amp = ctx.device.type == "cuda" if a.amp == "auto" else a.amp == "on"
    if amp and ctx.device.type != "cuda":
        raise UsageError("--amp on needs a CUDA device")
    scaler = torch.cuda.amp.GradScaler() if amp else None
    first_epoch, step, history = 1, 0, []
    if state is not None:
        vit.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        if scaler is not None and state.get("scaler"):
            scaler.load_state_dict(state["scaler"])
        first_epoch, step, history = state["epoch"] + 1, state["step"], state["history"]
        if state["world_size"] != ctx.world:
            log(ctx, "warning: the checkpoint was written by %d processes, this job has %d: same global batch, "
                     "different sample order" % (state["world_size"], ctx.world))
        log(ctx, "resuming after epoch %d (step %d)" % (state["epoch"], step))

    forward = DistributedDataParallel(vit, device_ids=[ctx.device.index] if ctx.device.type == "cuda" else None) \
        if ctx.enabled else vit
    train_set = splits.train
    train_set.augmentation, train_set.seed = D.Augmentation(a.augment, shape.image_size), a.seed
    sampler = torch.utils.data.DistributedSampler(train_set, num_replicas=ctx.world, rank=ctx.rank, shuffle=True,
                                                  seed=a.seed, drop_last=True)
    loader = torch.utils.data.DataLoader(train_set, batch_size=a.batch_size, sampler=sampler, drop_last=True,
                                         num_workers=a.workers, pin_memory=ctx.device.type == "cuda",
                                         persistent_workers=False)
    steps_per_epoch = len(loader)
    schedule = Schedule(a.lr, steps_per_epoch, a.epochs, a.warmup_epochs, a.schedule)
    log(ctx, "training %s: %s, %d train / %d validation / %d test images, %d epochs, %d processes x batch %d = %d, "
             "%d steps per epoch, %s%s -> %s" % (a.mode, shape.describe(), len(train_set), len(splits.validation),
                                                 len(splits.test), a.epochs, ctx.world, a.batch_size, global_batch,
                                                 steps_per_epoch, ctx.device.type, " + AMP" if amp else "", a.out))

    for epoch in range(first_epoch, a.epochs + 1):
        sampler.set_epoch(epoch)
        train_set.set_epoch(epoch)
        torch.manual_seed(a.seed * 1009 + epoch * 31 + ctx.rank)  # dropout: same stream after a resume
        started, loss_sum, correct, seen, skips = time.time(), torch.zeros(2, dtype=torch.float64), 0, 0, 0
        for s, (pixels, labels) in enumerate(loader):
            images = normalize(pixels.to(ctx.device, non_blocking=True), mean, std)
            labels = labels.to(ctx.device, non_blocking=True)
            lr = schedule.at(step)
            loss, logits, applied = train_step(forward, vit, optimizer, a.mode, step, images, labels, lr, a.clip_grad,
                                               a.aligned_only, a.beta, scaler, amp)
            step += 1
            # the job's mean loss (rank-local losses differ): every rank takes the same decisions below
            loss = float(ctx.all_sum(torch.tensor([loss], dtype=torch.float64))[0]) / ctx.world
            if scaler is not None and math.isfinite(loss) and not applied:
                continue  # the fp16 loss scaler overflowed and lowers its scale: normal, not divergence
            if not applied or not math.isfinite(loss):
                skips += 1
                if skips >= MAX_CONSECUTIVE_SKIPS:
                    raise UsageError("the loss stayed non-finite for %d steps in a row at epoch %d, step %d; "
                                     "training stopped, %s kept. Try a lower --lr" % (skips, epoch, s + 1,
                                                                                      last_good(a.out, history)))
                log(ctx, "warning: epoch %d, step %d skipped (loss or gradient not finite)" % (epoch, s + 1))
                continue
            skips = 0
            loss_sum += torch.tensor([loss, 1.0], dtype=torch.float64)
            correct += int((logits.argmax(-1) == labels).sum())
            seen += len(labels)
            if ctx.main and ((s + 1) % a.log_every == 0 or s + 1 == steps_per_epoch):
                print("epoch %d/%d step %d/%d loss %.4f acc %.3f lr %.3g" % (
                    epoch, a.epochs, s + 1, steps_per_epoch, loss_sum[0] / max(1, loss_sum[1]),
                    correct / max(1, seen), lr), flush=True)
            if a.step_delay:
                time.sleep(a.step_delay)
        totals = torch.cat([loss_sum, ctx.all_sum(torch.tensor([correct, seen], dtype=torch.float64))])
        validation = evaluate(ctx, vit, splits.validation, mean, std, a.batch_size, a.workers)
        history.append({"epoch": epoch, "loss": float(totals[0] / max(1, totals[1])),
                        "accuracy": float(totals[2] / max(1, totals[3])), "validation": validation,
                        "seconds": time.time() - started})
        if ctx.main:
            save_checkpoint(a.out, vit, optimizer, scaler, {
                "epoch": epoch, "step": step, "history": history, "shape": shape.to_json(), "mode": a.mode,
                "world_size": ctx.world, "global_batch": global_batch})
            print("epoch %d/%d done: loss %.4f, train acc %.3f, validation per layer %s, %.1f s; checkpoint written"
                  % (epoch, a.epochs, history[-1]["loss"], history[-1]["accuracy"],
                     " ".join("%.3f" % v for v in validation), history[-1]["seconds"]), flush=True)
        if ctx.enabled:
            dist.barrier()  # no rank runs ahead of a checkpoint being written
    if ctx.main:
        write_reference(a.out, vit, splits.test, mean, std)
    if a.replica_dir:
        os.makedirs(a.replica_dir, exist_ok=True)
        files.write_bytes(os.path.join(a.replica_dir, "rank%d.safetensors" % ctx.rank), safetensors_io.encode(
            {k: v.detach().float().cpu() for k, v in vit.state_dict().items()}))
    log(ctx, "done: %d/%d epochs in %s; next: exporter import %s --out RUN_DIR" % (
        a.epochs, a.epochs, a.out, a.out))
    return 0


@torch.no_grad()
def write_reference(out, vit, test, mean, std):
    """PyTorch's own exit logits of the first test images (the exporter's test order), to check an export."""
    vit.eval()
    count = min(REFERENCE_IMAGES, len(test))
    device = next(vit.parameters()).device
    images = normalize(torch.stack([test[i][0] for i in range(count)]).to(device), mean, std)
    logits = vit.all_exit_logits(vit(images)).float()
    vit.train()
    files.write_bytes(os.path.join(out, REFERENCE), safetensors_io.encode({"images": images.cpu(),
                                                                            "logits": logits.cpu()}))


def measure_normalization(ctx, a, splits, shape):
    """Decodes every train and test image once (each rank its share): the training split's mean / std, and every
    unreadable image named before any training starts."""
    total, total_sq, count, errors = D.scan(splits.train, ctx.rank, ctx.world, a.workers)
    errors += D.scan(splits.test, ctx.rank, ctx.world, a.workers)[3]
    errors += D.scan(splits.validation, ctx.rank, ctx.world, a.workers)[3]
    errors = ctx.gather(errors)
    if errors:
        shown = sorted(errors)[:10]
        raise D.DataError("%d image(s) cannot be decoded; fix or remove them (the exporter reads the same folder, "
                          "so a skipped file would shift its validation split):\n  %s%s"
                          % (len(errors), "\n  ".join(shown), "\n  ..." if len(errors) > 10 else ""))
    if a.mean is not None:
        mean, std = [float(v) for v in a.mean.split(",")], [float(v) for v in a.std.split(",")]
        if len(mean) != shape.channels or len(std) != shape.channels or min(std) <= 0:
            raise UsageError("--mean/--std need %d value(s) each, std positive" % shape.channels)
        return mean, std
    sums = ctx.all_sum(torch.cat([total, total_sq, torch.tensor([float(count)], dtype=torch.float64)]))
    c = shape.channels
    return D.normalization(sums[:c], sums[c:2 * c], float(sums[2 * c]))


def saved_normalization(path, shape):
    """The run's mean / std from its config.json (a resumed run keeps the normalisation it started with)."""
    try:
        with open(path, encoding="utf-8") as f:
            n = json.load(f)["normalization"]
        mean, std = [float(v) for v in n["mean"]], [float(v) for v in n["std"]]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise UsageError("--resume: %s is unreadable or lacks normalization.mean/std (%s)" % (path, e)) from None
    if len(mean) != shape.channels or len(std) != shape.channels:
        raise UsageError("--resume: %s has a normalisation for %d channel(s), the model has %d"
                         % (path, len(mean), shape.channels))
    return mean, std


def last_good(out, history):
    return "the checkpoint of epoch %d" % history[-1]["epoch"] if history else "no checkpoint yet"
