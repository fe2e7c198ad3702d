"""PyTorch DistributedDataParallel twin of the exporter's DJL trainer (same model, objective, optimiser).

Launch with torchrun (see README "Train at scale"); the output directory (model.safetensors + config.json) is a
SOURCE for `exporter import`.
"""
