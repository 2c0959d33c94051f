"""Our GPT as a Composer model: next-token loss, validation metrics, FLOPs for MFU."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from composer.metrics.nlp import LanguageCrossEntropy, LanguagePerplexity
from composer.models import ComposerModel

from codewright.model.gpt import GPT, GPTConfig


def next_token_targets(tokens: torch.Tensor) -> torch.Tensor:
    """Targets for logits over the whole sequence: the next token, -100 (ignored) at the end.

    The model sees all seq_len tokens (a power of two suits flash attention) and the last
    position simply has nothing to predict.
    """
    return F.pad(tokens[:, 1:], (0, 1), value=-100)


class BitsPerByte(LanguageCrossEntropy):
    """Cross-entropy in bits per byte of source text, comparable with a compressor's ratio."""

    def __init__(self, bytes_per_token: float, **kwargs):
        super().__init__(**kwargs)
        self.bytes_per_token = bytes_per_token

    def compute(self) -> torch.Tensor:
        return super().compute() / math.log(2) / self.bytes_per_token


class ComposerGPT(ComposerModel):
    def __init__(self, cfg: GPTConfig, bytes_per_token: float = 1.0, train_seq_len: int | None = None):
        super().__init__()
        self.model = GPT(cfg)
        self.train_seq_len = train_seq_len or cfg.seq_len
        self.train_metrics = {"LanguageCrossEntropy": LanguageCrossEntropy()}
        self.val_metrics = {
            "LanguageCrossEntropy": LanguageCrossEntropy(),
            "LanguagePerplexity": LanguagePerplexity(),
            "BitsPerByte": BitsPerByte(bytes_per_token),
        }

    def forward(self, batch: torch.Tensor) -> torch.Tensor:
        return self.model(batch)

    def loss(self, outputs: torch.Tensor, batch: torch.Tensor) -> torch.Tensor:
        # float(): the cross-entropy of bf16 logits loses precision that the loss curve shows.
        return F.cross_entropy(outputs.float().view(-1, outputs.size(-1)),
                               next_token_targets(batch).view(-1), ignore_index=-100)

    def eval_forward(self, batch: torch.Tensor, outputs: torch.Tensor | None = None) -> torch.Tensor:
        return outputs if outputs is not None else self.forward(batch)

    def get_metrics(self, is_train: bool = False) -> dict:
        return self.train_metrics if is_train else self.val_metrics

    def update_metric(self, batch: torch.Tensor, outputs: torch.Tensor, metric) -> None:
        metric.update(outputs.float(), next_token_targets(batch))

    def flops_per_batch(self, batch: torch.Tensor) -> float:
        """Read by Composer's SpeedMonitor to log FLOPs/s and MFU."""
        return self.model.flops_per_token(batch.shape[1]) * batch.numel()
