"""Training throughput per preset on this machine: tokens/s and MFU, Composer's Trainer against a
plain PyTorch loop on the same model, optimizer, clipping, precision and batches.

    python bench/train_throughput.py                 # CPU: tiny; GPU: gpt-125m and gpt-350m
    python bench/train_throughput.py tiny gpt-125m --steps 4 --warmup 1
    python bench/train_throughput.py gpt-125m --compile

MFU = flops_per_token x tokens/s / peak. On a GPU the peak is the card's dense bf16 figure (H100
989 TFLOP/s, H200 the same, A100 312); on a CPU there is no datasheet figure we can trust, so the
peak is measured here: the best fp32 GEMM rate (a 2048^3 matmul) on this machine, printed.
"""

from __future__ import annotations

import argparse
import json
import time

import torch
import torch.nn.functional as F

from codewright.model.gpt import GPT, GPTConfig
from codewright.presets import get_preset

GPU_PEAK_BF16 = {"H100": 989.4e12, "H200": 989.4e12, "A100": 312e12, "L4": 121e12, "A10": 125e12}


def peak_flops(device: str) -> tuple[float, str]:
    if device == "cuda":
        name = torch.cuda.get_device_name()
        for key, peak in GPU_PEAK_BF16.items():
            if key in name:
                return peak, f"{name} dense bf16 datasheet"
        return float("nan"), f"{name}: unknown peak"
    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    return 2 * 2048**3 / best, f"measured fp32 GEMM, {torch.get_num_threads()} threads"


def sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def model_config(preset) -> GPTConfig:
    # tiny fits its tokenizer; the bench uses 8192, a plausible small code vocabulary.
    return GPTConfig(vocab_size=preset.vocab_size or 8192, seq_len=preset.seq_len, n_layer=preset.n_layer,
                     n_head=preset.n_head, d_model=preset.d_model)


def batches(cfg: GPTConfig, batch: int, n: int) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    return [torch.randint(0, cfg.vocab_size, (batch, cfg.seq_len), generator=g) for _ in range(n)]


def plain_loop(cfg, data, device, compile_, warmup) -> float:
    """Seconds per step, our own loop: AdamW, clipping at 1.0, bf16 autocast on GPU."""
    from codewright.training.composer_model import next_token_targets

    torch.manual_seed(0)
    model = GPT(cfg).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.95), fused=device == "cuda")
    fwd = torch.compile(model) if compile_ else model
    times = []
    for x in data:
        x = x.to(device, non_blocking=True)
        with torch.autocast(device, torch.bfloat16, enabled=device == "cuda"):
            logits = fwd(x)
        loss = F.cross_entropy(logits.float().view(-1, cfg.vocab_size), next_token_targets(x).view(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        sync(device)
        times.append(time.perf_counter())
    return (times[-1] - times[warmup - 1]) / (len(times) - warmup)


def composer_loop(cfg, data, device, compile_, warmup) -> float:
    """Seconds per step through Composer's Trainer: same model, batches, optimizer, clipping."""
    from composer import Callback, Trainer
    from composer.algorithms import GradientClipping
    from composer.core import DataSpec

    from codewright.training.composer_model import ComposerGPT

    class StepTimes(Callback):
        def __init__(self):
            self.t = []

        def batch_end(self, state, logger):
            sync(device)
            self.t.append(time.perf_counter())

    torch.manual_seed(0)
    model = ComposerGPT(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.95), fused=device == "cuda")
    loader = torch.utils.data.DataLoader(data, batch_size=None, pin_memory=device == "cuda")
    timer = StepTimes()
    Trainer(model=model, train_dataloader=DataSpec(loader, get_num_tokens_in_batch=lambda b: b.numel()),
            max_duration=f"{len(data)}ba", optimizers=opt,
            algorithms=[GradientClipping(clipping_type="norm", clipping_threshold=1.0)],
            device="gpu" if device == "cuda" else "cpu", precision="amp_bf16" if device == "cuda" else "fp32",
            device_train_microbatch_size=data[0].shape[0], compile_config={} if compile_ else None,
            callbacks=[timer], progress_bar=False, log_to_console=False, loggers=[]).fit()
    return (timer.t[-1] - timer.t[warmup - 1]) / (len(timer.t) - warmup)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("presets", nargs="*")
    ap.add_argument("--steps", type=int, default=None, help="timed steps (default: 10 CPU, 20 GPU)")
    ap.add_argument("--warmup", type=int, default=None, help="untimed steps first (default: 2 CPU, 8 GPU)")
    ap.add_argument("--batch", type=int, default=None, help="sequences per step (default: the preset's microbatch)")
    ap.add_argument("--compile", action="store_true")
    a = ap.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    presets = a.presets or (["gpt-125m", "gpt-350m"] if device == "cuda" else ["tiny"])
    steps = a.steps or (20 if device == "cuda" else 10)
    warmup = a.warmup or (8 if device == "cuda" else 2)
    peak, peak_note = peak_flops(device)
    print(json.dumps({"device": device, "peak_flops": peak, "peak": peak_note, "torch": torch.__version__}))
    for name in presets:
        preset = get_preset(name)
        cfg = model_config(preset)
        batch = a.batch or preset.device_microbatch_size
        data = batches(cfg, batch, warmup + steps)
        fpt = GPT(cfg).flops_per_token()
        results = {}
        for label, run in (("pytorch", plain_loop), ("composer", composer_loop)):
            dt = run(cfg, data, device, a.compile, warmup)
            tps = batch * cfg.seq_len / dt
            results[label] = dt
            print(json.dumps({"preset": name, "loop": label + ("-compile" if a.compile else ""),
                              "params_M": round(GPT(cfg).num_params() / 1e6, 1), "batch": batch,
                              "seq_len": cfg.seq_len, "step_s": round(dt, 4), "tokens_per_second": round(tps),
                              "mfu": round(fpt * tps / peak, 4)}), flush=True)
        print(json.dumps({"preset": name, "composer_over_pytorch_step_time": round(
            results["composer"] / results["pytorch"], 3), "goal": "<= 1.10"}), flush=True)


if __name__ == "__main__":
    main()
