"""checkpoint: a GPT trained with MosaicML Composer on tokenized_shards, exported for transformers."""


import base64
import os

import dagster as dg

from assets.metadata import md_table
from codewright.training.config import TrainConfig
from resources.storage import StorageResource
from resources.training import TrainingResource


class CheckpointConfig(dg.Config):
    preset: str = "tiny"  # tiny (CPU, minutes), gpt-125m, gpt-350m (GPU)
    max_duration: str | None = None  # Composer time string: "200ba", "1ep", "1000000000tok"
    global_batch_size: int | None = None
    device_microbatch_size: int | None = None
    lr: float | None = None
    eval_interval: str | None = None
    checkpoint_interval: str | None = None
    seed: int = 17
    restart: bool = False  # discard this run's checkpoints instead of resuming them
    compile: bool = False  # torch.compile (GPU)
    wandb: bool = True


@dg.asset(deps=["tokenized_shards", "tokenizer"], group_name="model", kinds={"pytorch", "mosaicml"})
def checkpoint(context: dg.AssetExecutionContext, config: CheckpointConfig, storage: StorageResource,
               training: TrainingResource) -> dg.MaterializeResult:
    """A GPT-2-layout model trained with Composer's Trainer on tokenized_shards/train, evaluated
    on val. `checkpoint/` keeps Composer checkpoints (`latest-rank0.pt`; a killed run resumes
    from it) and `model/`, the weights in transformers' GPT-2 format with the tokenizer. The
    validation bits per byte stand beside xz -9e and zstd -19 on the same bytes: a model that
    has learned something about code beats them."""
    overrides = {k: getattr(config, k) for k in ("max_duration", "global_batch_size", "device_microbatch_size",
                                                 "lr", "eval_interval", "checkpoint_interval")
                 if getattr(config, k) is not None}
    cfg = TrainConfig(preset=config.preset, overrides=overrides, seed=config.seed, restart=config.restart,
                      compile=config.compile, wandb=config.wandb,
                      data=storage.path("tokenized_shards"),
                      tokenizer_file=storage.path("tokenizer", "tokenizer.json"),
                      save_folder=storage.path("checkpoint"))
    s = training.train(context, cfg)
    context.log.info(f"checkpoint: {s['run_name']} val loss {s['final_val_loss']}, "
                     f"{s['bits_per_byte']} bits/byte, {s['tokens_per_second']} tokens/s")
    return dg.MaterializeResult(metadata=metadata(s))


def metadata(s: dict) -> dict:
    def num(key, digits=4):
        return round(s[key], digits) if s.get(key) is not None else None

    compare = [("model (validation loss / bytes per token)", num("bits_per_byte"))]
    compare += [(name, num(key)) for name, key in (("xz -9e", "xz_bits_per_byte"),
                                                   ("zstd -19", "zstd_bits_per_byte")) if key in s]
    meta = {
        "run_name": s["run_name"],
        "preset": s["preset"],
        "device": s["device"],
        "params": s["params"],
        "steps": s["steps"],
        "final_val_loss": num("final_val_loss"),
        "val_perplexity": num("val_perplexity", 2),
        "bits_per_byte": num("bits_per_byte"),
        "bits_per_byte_vs_compressors": dg.MetadataValue.md(
            md_table(("on the same validation bytes", "bits per byte"), compare)
            + f"\n\n{s.get('val_bytes', 0):,} bytes from {s['val_sequences_scored']:,} validation sequences"),
        "tokens_per_second": num("tokens_per_second", 1),
        # Composer's SpeedMonitor knows the peak FLOP/s of GPUs only; a CPU has no MFU here.
        "mfu": num("mfu") if s.get("mfu") is not None else "n/a (CPU: no known peak FLOP/s)",
        "model_dir": dg.MetadataValue.path(s["model_dir"]),
        "composer_checkpoint": dg.MetadataValue.path(s["checkpoint"]),
    }
    if s.get("wandb"):
        w = s["wandb"]
        meta["wandb_run"] = dg.MetadataValue.url(w["url"]) if w.get("url") else \
            f"{w['id']} (offline: `wandb sync {os.path.dirname(w['dir'].rstrip('/'))}`)"
    if s.get("loss_curve") and os.path.exists(s["loss_curve"]):
        with open(s["loss_curve"], "rb") as f:
            png = base64.b64encode(f.read()).decode()
        meta["loss_curve"] = dg.MetadataValue.md(f"![loss curve](data:image/png;base64,{png})")
    return {k: v for k, v in meta.items() if v is not None}


MODEL_ASSETS = [checkpoint]
