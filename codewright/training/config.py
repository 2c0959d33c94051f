"""What one training run is: a preset plus overrides plus where things live — checked before training.

Every check that can fail on a bad configuration runs here, before a model or a dataloader is
built, and its message says what to change.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field, fields

from codewright.model.gpt import GPTConfig
from codewright.presets import Preset, get_preset
from codewright.storage import asset_path


class ConfigError(ValueError):
    """A training configuration that cannot work; the message says what to change."""


@dataclass
class TrainConfig:
    preset: str = "tiny"
    overrides: dict = field(default_factory=dict)  # Preset fields: max_duration, lr, n_layer, ...
    seed: int = 17
    run_name: str | None = None  # None: derived from preset, overrides, seed and the data
    restart: bool = False  # drop this run's checkpoints and train from scratch
    compile: bool = False  # torch.compile the model (GPU)
    wandb: bool = True
    num_workers: int | None = None  # dataloader workers; None: 0 on CPU, 4 on GPU
    data: str | None = None  # tokenized_shards folder; None: CODEWRIGHT_HOME's
    tokenizer_file: str | None = None  # None: CODEWRIGHT_HOME/tokenizer/tokenizer.json
    save_folder: str | None = None  # None: CODEWRIGHT_HOME/checkpoint

    def __post_init__(self):
        known = {f.name for f in fields(Preset)} - {"name", "needs_gpu"}
        unknown = set(self.overrides) - known
        if unknown:
            raise ConfigError(f"unknown override(s) {sorted(unknown)}; overridable: {sorted(known)}")

    @property
    def data_dir(self) -> str:
        return self.data or asset_path("tokenized_shards")

    @property
    def tokenizer_path(self) -> str:
        return self.tokenizer_file or asset_path("tokenizer", "tokenizer.json")

    @property
    def checkpoint_dir(self) -> str:
        return self.save_folder or asset_path("checkpoint")

    def resolved_preset(self) -> Preset:
        return get_preset(self.preset).with_overrides(**self.overrides)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "TrainConfig":
        return cls(**json.loads(text))


@dataclass(frozen=True)
class Plan:
    """A checked configuration: the model to build and the facts about the data it trains on."""

    cfg: TrainConfig
    preset: Preset
    model: GPTConfig
    meta: dict  # tokenized_shards/meta.json
    device: str  # "gpu" or "cpu"
    world_size: int
    run_name: str


def read_meta(data_dir: str) -> dict:
    path = os.path.join(data_dir, "meta.json")
    if not os.path.exists(path):
        raise ConfigError(f"no {path}: materialize tokenized_shards first, or point `data` at its folder")
    with open(path) as f:
        meta = json.load(f)
    missing = {"vocab_size", "seq_len", "eos_id", "bytes_per_token"} - set(meta)
    if missing:
        raise ConfigError(f"{path} lacks {sorted(missing)}; re-materialize tokenized_shards")
    return meta


def round_up(n: int, multiple: int) -> int:
    return -(-n // multiple) * multiple


def plan(cfg: TrainConfig, cuda_available: bool | None = None, world_size: int | None = None) -> Plan:
    """Check everything that can be checked before training; return what to build."""
    import torch
    from composer.core import Time

    preset = cfg.resolved_preset()
    cuda = torch.cuda.is_available() if cuda_available is None else cuda_available
    world = world_size or int(os.environ.get("WORLD_SIZE", "1"))
    if preset.needs_gpu and not cuda:
        raise ConfigError(f"preset {preset.name!r} needs a GPU and none is visible here "
                          f"(torch.cuda.is_available() is False): use preset 'tiny' on this machine, "
                          f"or run on a GPU host")
    for split in ("train", "val"):
        index = os.path.join(cfg.data_dir, split, "index.json")
        if not os.path.exists(index):
            raise ConfigError(f"no shards at {os.path.dirname(index)} (index.json missing): "
                              f"materialize tokenized_shards first, or point `data` at its folder")
    meta = read_meta(cfg.data_dir)
    if meta["seq_len"] > preset.seq_len:
        raise ConfigError(f"tokenized_shards holds sequences of {meta['seq_len']} tokens, above the "
                          f"context of {preset.seq_len} in preset {preset.name!r}: override seq_len >= "
                          f"{meta['seq_len']}, or re-tokenize with seq_len <= {preset.seq_len}")
    vocab = preset.vocab_size or round_up(meta["vocab_size"], 64)  # 64: friendlier matmul shapes
    if meta["vocab_size"] > vocab:
        raise ConfigError(f"the tokenizer has {meta['vocab_size']} tokens, more than the model's "
                          f"vocab_size={vocab} (preset {preset.name!r}): override vocab_size >= "
                          f"{meta['vocab_size']} or leave it unset to fit the tokenizer")
    if preset.d_model % preset.n_head:
        raise ConfigError(f"d_model={preset.d_model} is not a multiple of n_head={preset.n_head}")
    if preset.global_batch_size % world:
        raise ConfigError(f"global_batch_size={preset.global_batch_size} does not divide over "
                          f"{world} devices: make it a multiple of {world}")
    for name in ("max_duration", "warmup", "eval_interval", "checkpoint_interval"):
        try:
            Time.from_timestring(getattr(preset, name))
        except (ValueError, TypeError) as e:
            raise ConfigError(f"{name}={getattr(preset, name)!r} is not a Composer time string "
                              f"such as '200ba', '1ep' or '1000000tok' ({e})") from None
    model = GPTConfig(vocab_size=vocab, seq_len=preset.seq_len, n_layer=preset.n_layer,
                      n_head=preset.n_head, d_model=preset.d_model)
    return Plan(cfg, preset, model, meta, "gpu" if cuda else "cpu", world,
                cfg.run_name or default_run_name(preset, cfg.seed, meta))


def default_run_name(preset: Preset, seed: int, meta: dict) -> str:
    """Same model, seed and data -> same name, so a killed run resumes; anything else starts afresh.

    max_duration is left out on purpose: training an existing run for longer continues it.
    """
    identity = {k: v for k, v in asdict(preset).items() if k not in ("max_duration", "eval_interval",
                                                                     "checkpoint_interval", "eval_batches",
                                                                     "keep_checkpoints")}
    identity.update(seed=seed, data={k: meta.get(k) for k in ("tokenizer_sha256", "tokens", "sequences",
                                                              "seq_len", "vocab_size")})
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:8]
    return f"{preset.name}-{digest}"
