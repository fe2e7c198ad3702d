#!/usr/bin/env python3
"""Test helper for DdpObjectiveParityTest: runs optimisation steps of the DDP trainer's own train_step (the function
its DDP loop calls) from given weights on a given batch, and writes the losses and the weights after every step.

usage: ddp_parity_steps.py JOB.json
JOB: {"shape": VitConfig JSON, "batch": batch.safetensors (images [B,C,S,S] normalised, labels [B]),
      "cases": [{"mode", "init": timm-named safetensors, "out", "steps": [{"step", "lr"}], "clip", "weightDecay",
                 "alignedOnly", "beta"}]}
out: loss [steps] and "step{k}/{timm name}" = the weights after step k.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "main", "python"))

import torch  # noqa: E402

from elasticdepth_ddp import safetensors_io  # noqa: E402
from elasticdepth_ddp.model import ElasticVit, VitShape  # noqa: E402
from elasticdepth_ddp.optim import adamw  # noqa: E402
from elasticdepth_ddp.trainer import train_step  # noqa: E402


def main(job_file):
    with open(job_file) as f:
        job = json.load(f)
    torch.set_num_threads(1)
    shape = VitShape.from_json(job["shape"])
    batch, _ = safetensors_io.load(job["batch"])
    images, labels = batch["images"], batch["labels"].long()
    for case in job["cases"]:
        vit = ElasticVit(shape, multihead=case["mode"] == "multihead")
        init, _ = safetensors_io.load(case["init"])
        vit.load_state_dict(init, strict=True)
        optimizer = adamw(vit, case["weightDecay"])
        losses, out = [], {}
        for k, s in enumerate(case["steps"]):
            loss, _, applied = train_step(vit, vit, optimizer, case["mode"], s["step"], images, labels, s["lr"],
                                          case["clip"], case["alignedOnly"], case["beta"])
            if not applied:
                raise SystemExit("step %d of %s was skipped (not finite)" % (k, case["mode"]))
            losses.append(loss)
            for name, value in vit.state_dict().items():
                out["step%d/%s" % (k, name)] = value.detach().clone()
        out["loss"] = torch.tensor(losses, dtype=torch.float32)
        with open(case["out"], "wb") as f:
            f.write(safetensors_io.encode(out))


if __name__ == "__main__":
    main(sys.argv[1])
