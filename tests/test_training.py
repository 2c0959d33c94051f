"""Training with Composer on small MDS shards built here: configuration errors, a tiny run whose
loss falls (checkpoint, export, W&B offline files), and a killed training process that resumes."""

from __future__ import annotations

import glob
import json
import math
import os
import re
import signal
import subprocess
import sys
import sysconfig
import time

import numpy as np
import pytest
import torch

from codewright.training.config import ConfigError, TrainConfig, plan

SEQ = 64
MODEL = {"n_layer": 1, "n_head": 2, "d_model": 64, "seq_len": SEQ, "global_batch_size": 8,
         "device_microbatch_size": 8, "warmup": "2ba", "eval_batches": 2, "keep_checkpoints": 2}


def build_shards(root: str, seq_len: int = SEQ, vocab: int = 300, n_files: int = 12) -> dict:
    """A byte-level BPE tokenizer and MDS train/val shards from some standard-library source."""
    from streaming import MDSWriter
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    files = sorted(glob.glob(os.path.join(sysconfig.get_paths()["stdlib"], "*.py")))[:n_files]
    texts = [open(f, encoding="utf-8", errors="replace").read() for f in files]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(texts, trainers.BpeTrainer(
        vocab_size=vocab, special_tokens=["<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    os.makedirs(f"{root}/tokenizer")
    tok.save(f"{root}/tokenizer/tokenizer.json")
    eos = tok.token_to_id("<|endoftext|>")
    ids = [i for t in texts for i in tok.encode(t).ids + [eos]]
    n = len(ids) // seq_len
    rows = np.array(ids[: n * seq_len], dtype=np.uint16).reshape(n, seq_len)
    n_val = n // 10
    for split, part in (("train", rows[n_val:]), ("val", rows[:n_val])):
        with MDSWriter(out=f"{root}/tokenized_shards/{split}", columns={"tokens": "ndarray:uint16"},
                       size_limit=1 << 16) as w:
            for r in part:
                w.write({"tokens": r})
    meta = {"vocab_size": tok.get_vocab_size(), "seq_len": seq_len, "dtype": "uint16", "eos_id": eos,
            "tokenizer_sha256": "test", "documents": len(texts), "tokens": len(ids), "sequences": n,
            "bytes_per_token": sum(len(t.encode()) for t in texts) / len(ids)}
    with open(f"{root}/tokenized_shards/meta.json", "w") as f:
        json.dump(meta, f)
    return meta


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("shards"))
    meta = build_shards(root)
    return root, meta


def config(root: str, save: str, **overrides) -> TrainConfig:
    return TrainConfig(preset="tiny", overrides={**MODEL, **overrides}, wandb=False,
                       data=f"{root}/tokenized_shards", tokenizer_file=f"{root}/tokenizer/tokenizer.json",
                       save_folder=save)


def test_bad_configurations_fail_before_training_and_say_what_to_change(shards, tmp_path):
    root, meta = shards
    with pytest.raises(ConfigError, match="override seq_len >= 64"):
        plan(config(root, str(tmp_path), seq_len=32))
    with pytest.raises(ConfigError, match=f"override vocab_size >= {meta['vocab_size']}"):
        plan(config(root, str(tmp_path), vocab_size=256))
    with pytest.raises(ConfigError, match="materialize tokenized_shards"):
        plan(TrainConfig(data=str(tmp_path / "nothing"), save_folder=str(tmp_path)))
    with pytest.raises(ConfigError, match="needs a GPU"):
        plan(TrainConfig(preset="gpt-125m", data=f"{root}/tokenized_shards"), cuda_available=False)
    with pytest.raises(ConfigError, match="not a Composer time string"):
        plan(config(root, str(tmp_path), max_duration="ten batches"))
    with pytest.raises(ConfigError, match="unknown override"):
        config(root, str(tmp_path), n_layers=3)
    # vocab_size unset: the model fits the tokenizer, rounded up to a multiple of 64
    assert plan(config(root, str(tmp_path))).model.vocab_size == 320


@pytest.fixture(scope="module")
def tiny_run(shards, tmp_path_factory):
    from codewright.training.train import train

    root, _ = shards
    home = tmp_path_factory.mktemp("home")
    save = str(home / "checkpoint")
    old = {k: os.environ.get(k) for k in ("WANDB_DIR", "WANDB_MODE", "WANDB_API_KEY", "CODEWRIGHT_HOME")}
    os.environ.pop("WANDB_API_KEY", None)
    os.environ.pop("WANDB_DIR", None)
    os.environ["CODEWRIGHT_HOME"] = str(home)
    cfg = config(root, save, max_duration="30ba", lr=5e-3, eval_interval="15ba", checkpoint_interval="15ba")
    cfg.wandb = True
    try:
        summary = train(cfg)
    finally:
        for k, v in old.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    return summary, home, cfg


def test_tiny_run_loss_decreases_and_is_reported(tiny_run, shards):
    s, home, _ = tiny_run
    assert s["steps"] == 30
    assert s["train_loss_last"] < s["train_loss_first"] - 1.0, s
    assert s["final_val_loss"] < math.log(shards[1]["vocab_size"])
    assert s["bits_per_byte"] == pytest.approx(s["final_val_loss"] / math.log(2) / s["bytes_per_token"], rel=1e-4)
    assert 0 < s["xz_bits_per_byte"] < 8 and 0 < s["zstd_bits_per_byte"] < 8
    assert s["tokens_per_second"] > 0 and s["mfu"] is None  # no MFU on a CPU
    assert os.path.getsize(s["loss_curve"]) > 1000
    with open(os.path.join(home, "checkpoint", "summary.json")) as f:
        assert json.load(f)["run_name"] == s["run_name"]


def test_wandb_offline_files_are_written(tiny_run):
    s, home, _ = tiny_run
    assert s["wandb"]["mode"] == "offline" and s["wandb"]["id"]
    runs = glob.glob(str(home / "wandb" / "wandb" / f"offline-run-*-{s['wandb']['id']}"))
    assert len(runs) == 1
    assert glob.glob(os.path.join(runs[0], "*.wandb"))


def test_checkpoint_round_trip_and_transformers_export(tiny_run):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from codewright.model.export import strip_wrappers
    from codewright.model.gpt import GPT
    from codewright.training.config import plan as make_plan

    s, home, cfg = tiny_run
    folder = home / "checkpoint"
    assert os.path.islink(folder / "latest-rank0.pt")
    assert len(glob.glob(str(folder / "ep*-ba*-rank0.pt"))) <= 2  # retention count
    state = torch.load(folder / "latest-rank0.pt", map_location="cpu", weights_only=False)
    assert state["state"]["timestamp"]["Timestamp"]["batch"] == 30
    gpt = GPT(make_plan(cfg).model).eval()
    gpt.load_state_dict(strip_wrappers(state["state"]["model"]))
    hf = AutoModelForCausalLM.from_pretrained(str(folder / "model")).eval()
    tok = AutoTokenizer.from_pretrained(str(folder / "model"))
    ids = tok("def main():\n    return 0\n", return_tensors="pt")["input_ids"]
    assert tok.decode(ids[0]) == "def main():\n    return 0\n"
    with torch.no_grad():
        torch.testing.assert_close(hf(ids).logits, gpt(ids), atol=1e-4, rtol=1e-4)


def batch_crcs(path: str, lines: list[str] | None = None) -> dict[int, int]:
    out = {}
    for line in lines if lines is not None else open(path):
        rec = json.loads(line)
        if "data/batch_crc32" in rec:
            out[rec["step"]] = int(rec["data/batch_crc32"])
    return out


def test_killed_training_process_resumes_step_count_and_data_order(shards, tmp_path):
    from codewright.training.train import train

    root, _ = shards
    steps = 60
    cfg = config(root, str(tmp_path / "resumed"), max_duration=f"{steps}ba", checkpoint_interval="5ba",
                 eval_interval="1000ba")
    env = {**os.environ, "CODEWRIGHT_HOME": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "codewright.training.train", "--config", cfg.to_json()],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    latest = tmp_path / "resumed" / "latest-rank0.pt"
    deadline = time.time() + 240
    while not os.path.lexists(latest) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate()
    assert proc.returncode == -signal.SIGKILL, f"training ended before it was killed: {err.decode()[-2000:]}"
    checkpoint_step = int(re.search(r"ba(\d+)", os.readlink(latest)).group(1))
    metrics = tmp_path / "resumed" / "metrics.jsonl"
    killed_at = max(batch_crcs(str(metrics)))
    assert killed_at < steps
    with open(metrics) as f:
        before = len(f.readlines())

    summary = train(cfg)  # the same run again: autoresume from latest-rank0.pt
    with open(metrics) as f:
        after = f.readlines()[before:]
    resumed_steps = sorted(batch_crcs("", after))
    # A fingerprint is logged before its batch counts, so batch index `checkpoint_step` is the
    # first one the checkpoint had not trained on.
    assert resumed_steps[0] == checkpoint_step  # continued from the checkpoint, not restarted
    assert resumed_steps[-1] == steps - 1 and summary["steps"] == steps

    # The same configuration trained without a kill saw exactly the same batches at every step.
    reference = config(root, str(tmp_path / "reference"), max_duration=f"{steps}ba",
                       checkpoint_interval="1000ba", eval_interval="1000ba")
    train(reference)
    expected = batch_crcs(str(tmp_path / "reference" / "metrics.jsonl"))
    got = {**batch_crcs(str(metrics)), **batch_crcs("", after)}
    assert len(expected) == steps and got == expected
