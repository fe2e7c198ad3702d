#!/usr/bin/env python3
"""Test helper for DdpTrainerTest: runs the DDP trainer's main() once per argument list, in this one process
(no torchrun environment: a single process), and prints one JSON line per run: exit status, stdout, stderr.
One interpreter for all cases keeps the test fast (importing torch takes seconds).

usage: ddp_trainer_cases.py CASES.json     CASES: [[arg, ...], ...]
"""
import contextlib
import io
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "main", "python"))

from elasticdepth_ddp.trainer import main  # noqa: E402

with open(sys.argv[1]) as f:
    cases = json.load(f)
for argv in cases:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as e:  # argparse
            status = e.code
    print(json.dumps({"status": status, "out": out.getvalue(), "err": err.getvalue()}), flush=True)
