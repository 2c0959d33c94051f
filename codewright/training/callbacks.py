"""Composer callbacks and logger destinations of our own, each for something Composer lacks.

- MetricsFile: every logged metric as one JSON line in checkpoint/metrics.jsonl. It outlives a
  killed process, so the loss curve and the summary cover a run that was resumed.
- BatchFingerprint: a CRC of each training batch, so a log shows (and a test checks) that a
  resumed run continues the data order rather than restarting it.
- ProgressLogger: forwards progress to a log function: Dagster Pipes' log when the process was
  launched through Pipes, the asset's context.log when training runs in-process.
"""

from __future__ import annotations

import json
import math
import os
import zlib
from typing import Any, Callable

from composer.core import Callback, State
from composer.loggers import Logger, LoggerDestination
from composer.utils import dist


class MetricsFile(LoggerDestination):
    def __init__(self, path: str):
        super().__init__()
        self.path = path
        self._file = None

    def log_metrics(self, metrics: dict[str, Any], step: int | None = None) -> None:
        if dist.get_global_rank() != 0:
            return
        numbers = {k: float(v) for k, v in metrics.items() if _is_number(v)}
        if not numbers:
            return
        if self._file is None:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            self._file = open(self.path, "a", buffering=1)  # line-buffered: survives a kill
        self._file.write(json.dumps({"step": step, **numbers}) + "\n")

    def close(self, state: State, logger: Logger) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class BatchFingerprint(Callback):
    """Logs `data/batch_crc32` each step (the batch is still on the CPU at AFTER_DATALOADER)."""

    def after_dataloader(self, state: State, logger: Logger) -> None:
        batch = state.batch
        if hasattr(batch, "numpy") and batch.device.type == "cpu":
            logger.log_metrics({"data/batch_crc32": zlib.crc32(batch.numpy().tobytes())})


class ProgressLogger(LoggerDestination):
    """Evaluation results always, training loss and throughput every `every` steps, as log lines
    (and, for Pipes, as custom messages a Dagster run can read)."""

    def __init__(self, info: Callable[[str], None], every: int = 50,
                 message: Callable[[dict], None] | None = None):
        super().__init__()
        self.info, self.every, self.message = info, every, message

    def log_metrics(self, metrics: dict[str, Any], step: int | None = None) -> None:
        if dist.get_global_rank() != 0:
            return
        periodic = step is not None and step % self.every == 0
        shown = {k: round(float(v), 4) for k, v in metrics.items() if _is_number(v) and (
            k.startswith("metrics/val") or (periodic and k.startswith(("loss/train", "throughput/tokens"))))}
        if shown:
            self.info(f"step {step}: " + ", ".join(f"{k}={v}" for k, v in sorted(shown.items())))
            if self.message is not None:
                self.message({"step": step, **shown})


def _is_number(v: Any) -> bool:
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def read_metrics(path: str) -> dict[str, list[tuple[int, float]]]:
    """metrics.jsonl -> {metric: [(step, value)]}, the last record winning for a step.

    A resumed run repeats the steps after its last checkpoint; the repeat is what the
    checkpoint's weights saw, so it replaces the killed process's record.
    """
    series: dict[str, dict[int, float]] = {}
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        for line in f:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a kill
            step = rec.pop("step", None)
            if step is None:
                continue
            for k, v in rec.items():
                series.setdefault(k, {})[int(step)] = v
    return {k: sorted(v.items()) for k, v in series.items()}


def wandb_logger(**kwargs):
    """Composer's WandBLogger, adapted to wandb 0.31 and to checkpoints kept on local disk.

    - Composer 0.32 calls `wandb.run.get_url()`, which wandb 0.31 removed in favour of the `url`
      property; we put the old name back rather than carry a copy of the logger.
    - On autoresume, Composer asks every logger for the latest checkpoint when the save folder
      has none; WandBLogger would then query the W&B API (an error offline, a network round trip
      online) for artifacts we never upload. Saying "not here" lets a fresh run start.
    """
    from composer.loggers import WandBLogger
    from wandb.sdk.wandb_run import Run

    if not hasattr(Run, "get_url"):
        Run.get_url = lambda self: self.url

    class LocalCheckpointsWandBLogger(WandBLogger):
        def download_file(self, remote_file_name, destination, overwrite=False, progress_bar=True):
            if not self._log_artifacts:
                raise NotImplementedError("checkpoints are not uploaded to W&B in this project")
            return super().download_file(remote_file_name, destination, overwrite, progress_bar)

    return LocalCheckpointsWandBLogger(**kwargs)
