#!/usr/bin/env python3
"""torchrun entry point of the DDP trainer: `torchrun --nproc_per_node=8 train_ddp.py --data DIR --out OUT ...`.
See elasticdepth_ddp/trainer.py and README "Train at scale"."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from elasticdepth_ddp.trainer import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
