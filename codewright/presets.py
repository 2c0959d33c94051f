"""Training presets as data: one dataclass instance per model size (llm-foundry's habit, no registry).

`tiny` trains on a CPU in minutes for the demo and tests; the GPT presets match GPT-2 small and
medium and need a GPU.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Preset:
    name: str
    n_layer: int
    n_head: int
    d_model: int
    seq_len: int  # tokens per training sequence; tokenized_shards are cut to this length
    vocab_size: int | None  # vocabulary the model is built for; None: the tokenizer's, rounded up to 64
    global_batch_size: int  # sequences per optimizer step
    device_microbatch_size: int
    max_duration: str  # Composer time string: "200ba", "2ep", "1000000000tok"
    lr: float
    warmup: str
    eval_interval: str
    checkpoint_interval: str
    needs_gpu: bool
    eval_batches: int = -1  # validation batches per evaluation; -1: the whole split
    weight_decay: float = 0.1  # AdamW-style decay on matrices (scaled for DecoupledAdamW in training)
    keep_checkpoints: int = 3  # Composer checkpoints kept in checkpoint/ (latest-rank0.pt points at one)

    def with_overrides(self, **changes) -> "Preset":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        # tiny: ~165k tokens in ~1-2 minutes on 2 CPU cores (make demo); vocab fits the tokenizer.
        Preset("tiny", n_layer=2, n_head=4, d_model=128, seq_len=256, vocab_size=None,
               global_batch_size=8, device_microbatch_size=8, max_duration="80ba", lr=4e-3,
               warmup="8ba", eval_interval="40ba", checkpoint_interval="40ba", needs_gpu=False,
               eval_batches=4),
        Preset("gpt-125m", n_layer=12, n_head=12, d_model=768, seq_len=2048, vocab_size=32768,
               global_batch_size=256, device_microbatch_size=16, max_duration="20000ba",
               lr=6e-4, warmup="500ba", eval_interval="1000ba", checkpoint_interval="1000ba",
               needs_gpu=True),
        Preset("gpt-350m", n_layer=24, n_head=16, d_model=1024, seq_len=2048, vocab_size=32768,
               global_batch_size=256, device_microbatch_size=8, max_duration="20000ba",
               lr=3e-4, warmup="500ba", eval_interval="1000ba", checkpoint_interval="1000ba",
               needs_gpu=True),
    )
}


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown training preset {name!r}; choose one of {sorted(PRESETS)}") from None
