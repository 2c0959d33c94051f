"""Carry our GPT's weights to transformers' GPT-2 format (`checkpoint/model/`).

`to_gpt2_state_dict` is a plain function over a state dict (llm-foundry's habit): the
FasterTransformer converter starts from its output, so both runtimes share one name mapping.
"""

from __future__ import annotations

import json
import os
import shutil

import torch

from codewright.model.gpt import GPT, GPTConfig

# Linear layers whose weights GPT-2 stores as Conv1D, i.e. transposed to (in, out).
_CONV1D = ("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight")
# Prefixes that wrappers add to our parameter names: Composer's model wrapper, torch.compile, DDP.
_WRAPPER_PREFIXES = ("model.", "_orig_mod.", "module.")


def strip_wrappers(state_dict: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Our GPT's own names from a state dict saved through Composer / torch.compile / DDP."""
    out = {}
    for name, tensor in state_dict.items():
        changed = True
        while changed:
            changed = False
            for prefix in _WRAPPER_PREFIXES:
                if name.startswith(prefix):
                    name, changed = name[len(prefix):], True
        out[name] = tensor
    return out


def to_gpt2_state_dict(state_dict: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Our names -> `GPT2LMHeadModel` names (`transformer.h.0.attn.c_attn.weight`, ...)."""
    out = {}
    for name, tensor in strip_wrappers(state_dict).items():
        if name == "lm_head.weight":
            out[name] = tensor  # tied to wte; transformers re-ties on load
            continue
        if name.endswith(_CONV1D):
            tensor = tensor.t()
        out["transformer." + name] = tensor.contiguous()
    return out


def gpt2_config(cfg: GPTConfig, eos_id: int | None = None):
    from transformers import GPT2Config

    return GPT2Config(
        vocab_size=cfg.vocab_size, n_positions=cfg.seq_len, n_embd=cfg.d_model,
        n_layer=cfg.n_layer, n_head=cfg.n_head, n_inner=4 * cfg.d_model,
        activation_function="gelu_new", layer_norm_epsilon=1e-5, tie_word_embeddings=True,
        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
        bos_token_id=eos_id, eos_token_id=eos_id,
    )


def export_transformers(model: GPT, out_dir: str, tokenizer_file: str | None = None,
                        eos_id: int | None = None) -> str:
    """Write config.json + model.safetensors (+ tokenizer files) loadable by `AutoModelForCausalLM`."""
    from transformers import GPT2LMHeadModel

    hf = GPT2LMHeadModel(gpt2_config(model.cfg, eos_id))
    missing, unexpected = hf.load_state_dict(to_gpt2_state_dict(model.state_dict()), strict=False)
    # Only GPT-2's causal-mask buffers may be missing; anything else is a mapping bug.
    missing = [m for m in missing if not m.endswith(".attn.bias") and not m.endswith(".attn.masked_bias")]
    if missing or unexpected:
        raise RuntimeError(f"GPT-2 name mapping is incomplete: missing {missing}, unexpected {unexpected}")
    os.makedirs(out_dir, exist_ok=True)
    hf.save_pretrained(out_dir, safe_serialization=True)
    if tokenizer_file:
        save_tokenizer(tokenizer_file, out_dir, eos_id)
    return out_dir


def save_tokenizer(tokenizer_file: str, out_dir: str, eos_id: int | None) -> None:
    """tokenizer.json plus the small config files that `AutoTokenizer` reads beside it."""
    from transformers import PreTrainedTokenizerFast

    shutil.copyfile(tokenizer_file, os.path.join(out_dir, "tokenizer.json"))
    tok = PreTrainedTokenizerFast(tokenizer_file=tokenizer_file)
    if eos_id is not None:
        eos = tok.convert_ids_to_tokens(eos_id)
        tok.eos_token = tok.bos_token = eos
    tok.save_pretrained(out_dir)


def load_exported_config(out_dir: str) -> GPTConfig:
    """Our config back from an exported config.json (for tools that start from `model/`)."""
    with open(os.path.join(out_dir, "config.json")) as f:
        c = json.load(f)
    return GPTConfig(vocab_size=c["vocab_size"], seq_len=c["n_positions"], n_layer=c["n_layer"],
                     n_head=c["n_head"], d_model=c["n_embd"])
