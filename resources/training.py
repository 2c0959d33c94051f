"""Where training runs: in the Dagster process for CPU presets (`tiny`), otherwise a subprocess
launched through Dagster Pipes — Composer's launcher when there are several GPUs — so that its
logs and metrics stream into the run while the Dagster process stays light.

Resource key: `training`.
"""


import json
import os
import sys

import dagster as dg

from codewright.presets import get_preset
from codewright.training.config import TrainConfig, plan
from codewright.training.train import SUMMARY_FILE


class TrainingResource(dg.ConfigurableResource):
    """How to launch training on this host."""

    gpus: int = 0  # processes (one per GPU) for GPU presets; 0: every GPU visible here
    python: str = ""  # interpreter for the subprocess; "": the one running Dagster
    in_process: bool | None = None  # None: in-process exactly for presets that need no GPU

    def train(self, context: dg.AssetExecutionContext, cfg: TrainConfig) -> dict:
        """Train (or resume) a run; return its summary (checkpoint/summary.json)."""
        plan(cfg)  # a bad configuration fails here, before anything starts
        in_process = self.in_process if self.in_process is not None else not get_preset(cfg.preset).needs_gpu
        if in_process:
            from codewright.training.callbacks import ProgressLogger
            from codewright.training.train import train

            return train(cfg, extra_loggers=[ProgressLogger(context.log.info, every=20)])
        dg.PipesSubprocessClient(forward_termination=True).run(
            context=context, command=self.command(cfg), env=dict(os.environ))
        with open(os.path.join(cfg.checkpoint_dir, SUMMARY_FILE)) as f:
            return json.load(f)

    def command(self, cfg: TrainConfig) -> list[str]:
        python = self.python or sys.executable
        n = self.gpus or _visible_gpus()
        args = ["-m", "codewright.training.train", "--config", cfg.to_json()]
        if n > 1:  # one process per GPU; Composer's launcher sets RANK / WORLD_SIZE for each
            return [python, "-m", "composer.cli.launcher", "-n", str(n), *args]
        return [python, *args]


def _visible_gpus() -> int:
    import torch

    return torch.cuda.device_count()


def training_resource() -> TrainingResource:
    return TrainingResource(gpus=int(os.environ.get("CODEWRIGHT_GPUS", "0")))
