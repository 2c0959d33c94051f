"""Train the GPT on tokenized_shards with Composer's Trainer; export the weights; write a summary.

Runnable as `python -m codewright.training.train --preset tiny --set max_duration=40ba`, so that
a subprocess, Composer's launcher (`composer -n 8 -m codewright.training.train ...`) or Dagster
Pipes can run it. The same `train()` runs in-process for the tiny preset.

checkpoint/ (DESIGN.md): Composer checkpoints + `latest-rank0.pt`, `model/` (transformers
GPT-2 format), run.json (which run the checkpoints belong to), metrics.jsonl, summary.json,
loss_curve.png.
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import os
import sys
import time
from dataclasses import asdict

from codewright.storage import asset_path, replace_dir
from codewright.training.config import ConfigError, Plan, TrainConfig, plan

RUN_FILE, METRICS_FILE, SUMMARY_FILE = "run.json", "metrics.jsonl", "summary.json"


def setup_wandb_env() -> None:
    """Offline under CODEWRIGHT_HOME/wandb unless the user has W&B credentials."""
    if not os.environ.get("WANDB_API_KEY"):
        os.environ.setdefault("WANDB_MODE", "offline")
    os.environ.setdefault("WANDB_DIR", asset_path("wandb"))
    os.makedirs(os.environ["WANDB_DIR"], exist_ok=True)


def prepare_checkpoint_dir(p: Plan) -> None:
    """Keep the checkpoints only if they belong to this run; Composer's autoresume would load any."""
    folder = p.cfg.checkpoint_dir
    os.makedirs(folder, exist_ok=True)
    run_file = os.path.join(folder, RUN_FILE)
    previous = None
    if os.path.exists(run_file):
        with open(run_file) as f:
            previous = json.load(f).get("run_name")
    if p.cfg.restart or previous != p.run_name:
        for path in glob.glob(os.path.join(folder, "*.pt")) + [os.path.join(folder, METRICS_FILE)]:
            if os.path.lexists(path):
                os.remove(path)
    with open(run_file, "w") as f:
        json.dump({"run_name": p.run_name, "config": asdict(p.cfg), "preset": asdict(p.preset),
                   "model": p.model.to_dict()}, f, indent=2)


def build_trainer(p: Plan, extra_loggers=()):
    from composer import Trainer
    from composer.algorithms import GradientClipping
    from composer.callbacks import LRMonitor, SpeedMonitor
    from composer.core import DataSpec, Evaluator
    from composer.optim import CosineAnnealingWithWarmupScheduler, DecoupledAdamW
    from composer.utils import reproducibility

    from codewright.training.callbacks import BatchFingerprint, MetricsFile, wandb_logger
    from codewright.training.composer_model import ComposerGPT
    from codewright.training.data import token_loader

    cfg, preset = p.cfg, p.preset
    reproducibility.seed_all(cfg.seed)  # before the model: its initial weights come from this seed
    model = ComposerGPT(p.model, bytes_per_token=p.meta["bytes_per_token"])
    gpu = p.device == "gpu"
    workers = cfg.num_workers if cfg.num_workers is not None else (4 if gpu else 0)
    per_device = preset.global_batch_size // p.world_size
    count_tokens = lambda batch: batch.numel()  # noqa: E731 (Composer needs it for tokens/s)
    train_dl = DataSpec(token_loader(os.path.join(cfg.data_dir, "train"), per_device, True, cfg.seed,
                                     workers, pin_memory=gpu), get_num_tokens_in_batch=count_tokens)
    val_dl = DataSpec(token_loader(os.path.join(cfg.data_dir, "val"), preset.device_microbatch_size, False,
                                   cfg.seed, workers, pin_memory=gpu), get_num_tokens_in_batch=count_tokens)
    evaluator = Evaluator(label="val", dataloader=val_dl, metric_names=list(model.val_metrics))

    # Decoupled decay is applied as weight_decay * lr / initial_lr, so scaling by lr gives the
    # familiar AdamW strength. Biases and LayerNorm gains are not decayed (GPT-2 practice).
    decay = [q for q in model.parameters() if q.dim() >= 2]
    no_decay = [q for q in model.parameters() if q.dim() < 2]
    optimizer = DecoupledAdamW([{"params": decay, "weight_decay": preset.weight_decay * preset.lr},
                                {"params": no_decay, "weight_decay": 0.0}],
                               lr=preset.lr, betas=(0.9, 0.95), eps=1e-8)
    scheduler = CosineAnnealingWithWarmupScheduler(t_warmup=preset.warmup, alpha_f=0.1)

    folder = cfg.checkpoint_dir
    loggers = [MetricsFile(os.path.join(folder, METRICS_FILE)), *extra_loggers]
    if cfg.wandb:
        setup_wandb_env()
        loggers.append(wandb_logger(project=os.environ.get("WANDB_PROJECT", "codewright"), name=p.run_name,
                                   init_kwargs={"dir": os.environ["WANDB_DIR"], "config": asdict(preset)}))
    return Trainer(
        model=model, run_name=p.run_name, seed=cfg.seed,
        train_dataloader=train_dl, eval_dataloader=evaluator,
        max_duration=preset.max_duration, eval_interval=preset.eval_interval,
        eval_subset_num_batches=preset.eval_batches,
        optimizers=optimizer, schedulers=scheduler,
        algorithms=[GradientClipping(clipping_type="norm", clipping_threshold=1.0)],
        device=p.device, precision="amp_bf16" if gpu else "fp32",
        device_train_microbatch_size=preset.device_microbatch_size,
        compile_config={} if cfg.compile else None,
        callbacks=[SpeedMonitor(window_size=5), LRMonitor(), BatchFingerprint()],
        loggers=loggers, progress_bar=False, log_to_console=True, console_log_interval="10ba",
        save_folder=folder, save_interval=preset.checkpoint_interval,
        save_num_checkpoints_to_keep=preset.keep_checkpoints, autoresume=True,
    )


def train(cfg: TrainConfig, extra_loggers=()) -> dict:
    """Train (or resume) one run, export `checkpoint/model/`, return and save the summary."""
    from composer.utils import dist

    p = plan(cfg)
    if dist.get_global_rank() == 0:
        prepare_checkpoint_dir(p)
    trainer = build_trainer(p, extra_loggers)
    tokens_before = int(trainer.state.timestamp.token)  # nonzero when resuming
    start = time.perf_counter()
    trainer.fit()
    seconds = time.perf_counter() - start
    wandb_info = _wandb_run_info() if cfg.wandb else None
    summary = None
    if dist.get_global_rank() == 0:
        model = trainer.state.model
        gpt = getattr(model, "module", model).model
        summary = finish(p, gpt, int(trainer.state.timestamp.batch), seconds, wandb_info,
                         int(trainer.state.timestamp.token) - tokens_before)
    trainer.close()
    return summary


def finish(p: Plan, gpt, steps: int, seconds: float, wandb_info: dict | None,
           tokens_this_process: int = 0) -> dict:
    """Export the weights, measure the compressors, draw the curve, write summary.json."""

    from codewright.model.export import export_transformers, strip_wrappers
    from codewright.model.gpt import GPT
    from codewright.training.callbacks import read_metrics
    from codewright.training.data import read_token_rows
    from codewright.training.report import compressor_bits_per_byte, loss_curve_png, val_bytes

    cfg, folder = p.cfg, p.cfg.checkpoint_dir
    clean = GPT(p.model)  # a plain module: no compile wrapper, on the CPU
    clean.load_state_dict({k: v.detach().float().cpu() for k, v in strip_wrappers(gpt.state_dict()).items()})
    tokenizer = cfg.tokenizer_path if os.path.exists(cfg.tokenizer_path) else None
    with replace_dir(os.path.join(folder, "model")) as staging:
        export_transformers(clean, staging, tokenizer, p.meta.get("eos_id"))

    series = read_metrics(os.path.join(folder, METRICS_FILE))
    last = lambda name: series[name][-1][1] if series.get(name) else None  # noqa: E731
    val_loss = last("metrics/val/LanguageCrossEntropy")
    rows = read_token_rows(os.path.join(cfg.data_dir, "val"),
                           p.preset.eval_batches * p.preset.device_microbatch_size)
    summary = {
        "run_name": p.run_name, "preset": p.preset.name, "device": p.device, "world_size": p.world_size,
        "params": clean.num_params(), "model": p.model.to_dict(), "steps": steps,
        "train_seconds_this_process": round(seconds, 1),
        # SpeedMonitor's windowed rate; a run too short to fill the window gets this process's average.
        "tokens_per_second": last("throughput/tokens_per_sec") or tokens_this_process / max(seconds, 1e-9),
        "mfu": last("throughput/device/mfu"),
        "flops_per_token": clean.flops_per_token(),
        "train_loss_first": series["loss/train/total"][0][1] if series.get("loss/train/total") else None,
        "train_loss_last": last("loss/train/total"),
        "final_val_loss": val_loss,
        "val_perplexity": last("metrics/val/LanguagePerplexity"),
        "bits_per_byte": last("metrics/val/BitsPerByte"),
        "bytes_per_token": p.meta["bytes_per_token"],
        "val_sequences_scored": int(rows.shape[0]),
        "checkpoint": os.path.join(folder, "latest-rank0.pt"),
        "model_dir": os.path.join(folder, "model"),
        "wandb": wandb_info,
    }
    if tokenizer and rows.size:
        data = val_bytes(rows, tokenizer)
        summary["val_bytes"] = len(data)
        summary.update(compressor_bits_per_byte(data))
        if val_loss is not None and p.world_size == 1:
            # The same ratio from the exact bytes scored (the first token of each row is not
            # predicted, so this is a slight overestimate of the model's cost).
            predicted = rows.shape[0] * (rows.shape[1] - 1)
            summary["bits_per_byte_exact"] = val_loss * predicted / math.log(2) / len(data)
    summary["loss_curve"] = loss_curve_png(series, os.path.join(folder, "loss_curve.png"),
                                           f"{p.run_name} ({p.model.n_layer}L d{p.model.d_model})")
    with open(os.path.join(folder, SUMMARY_FILE), "w") as f:
        json.dump(summary, f, indent=2)
    return summary


def _wandb_run_info() -> dict | None:
    import wandb

    run = wandb.run
    if run is None:
        return None
    return {"id": run.id, "url": run.url, "dir": run.dir, "mode": os.environ.get("WANDB_MODE", "online"),
            "project": run.project}


def parse_args(argv: list[str]) -> TrainConfig:
    ap = argparse.ArgumentParser(prog="python -m codewright.training.train", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", help="a TrainConfig as JSON (what the Dagster resource passes)")
    ap.add_argument("--preset", help="tiny, gpt-125m or gpt-350m")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override a preset field, e.g. max_duration=200ba or lr=1e-3 (repeatable)")
    ap.add_argument("--run-name")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--restart", action="store_true", help="discard this run's checkpoints")
    ap.add_argument("--compile", action="store_true", help="torch.compile the model")
    ap.add_argument("--no-wandb", action="store_true")
    ap.add_argument("--data", help="tokenized_shards folder")
    ap.add_argument("--save-folder", help="checkpoint folder")
    ap.add_argument("--tokenizer-file")
    a = ap.parse_args(argv)
    cfg = TrainConfig.from_json(a.config) if a.config else TrainConfig()
    if a.preset:
        cfg.preset = a.preset
    overrides = dict(cfg.overrides)
    for item in a.set:
        key, _, value = item.partition("=")
        overrides[key] = _parse_value(value)
    for attr, value in (("run_name", a.run_name), ("seed", a.seed), ("data", a.data),
                        ("save_folder", a.save_folder), ("tokenizer_file", a.tokenizer_file)):
        if value is not None:
            setattr(cfg, attr, value)
    cfg.restart = cfg.restart or a.restart
    cfg.compile = cfg.compile or a.compile
    cfg.wandb = cfg.wandb and not a.no_wandb
    return TrainConfig(**{**asdict(cfg), "overrides": overrides})


def _parse_value(text: str):
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return None if text.lower() == "none" else text


def main(argv: list[str] | None = None) -> int:
    try:
        cfg = parse_args(sys.argv[1:] if argv is None else argv)
        plan(cfg)  # fail here, before Composer starts, with a message that says what to change
    except ConfigError as e:
        print(f"codewright.training: bad configuration: {e}", file=sys.stderr)
        return 2
    if os.environ.get("DAGSTER_PIPES_CONTEXT") and os.environ.get("RANK", "0") == "0":
        # Launched through Dagster Pipes: stream progress into the run. dagster_pipes is the
        # dependency-free half of Pipes; the engine still never imports dagster.
        from dagster_pipes import open_dagster_pipes

        from codewright.training.callbacks import ProgressLogger

        with open_dagster_pipes() as pipes:
            progress = ProgressLogger(pipes.log.info, message=pipes.report_custom_message)
            summary = train(cfg, extra_loggers=[progress])
            pipes.log.info(f"training finished: {json.dumps(summary, default=str)}")
        return 0
    summary = train(cfg)
    if summary is not None:
        print(json.dumps(summary, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
