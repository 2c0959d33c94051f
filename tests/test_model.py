"""The GPT module: shapes, causality, FLOPs, generation, and the transformers export's logits."""

from __future__ import annotations

import pytest
import torch

from codewright.model import GPT, GPTConfig
from codewright.model.export import export_transformers, to_gpt2_state_dict

CFG = GPTConfig(vocab_size=320, seq_len=64, n_layer=2, n_head=4, d_model=64)


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return GPT(CFG).eval()


def test_shapes_and_tied_embeddings(model):
    logits = model(torch.randint(0, CFG.vocab_size, (3, 17)))
    assert logits.shape == (3, 17, CFG.vocab_size)
    assert model.lm_head.weight is model.wte.weight


def test_causal_future_tokens_do_not_change_the_past(model):
    x = torch.randint(0, CFG.vocab_size, (2, 32))
    y = x.clone()
    y[:, 20:] = (y[:, 20:] + 1) % CFG.vocab_size
    with torch.no_grad():
        a, b = model(x), model(y)
    torch.testing.assert_close(a[:, :20], b[:, :20])
    assert not torch.allclose(a[:, 20:], b[:, 20:])


def test_context_longer_than_positions_is_refused(model):
    with pytest.raises(ValueError, match="context"):
        model(torch.zeros(1, CFG.seq_len + 1, dtype=torch.long))


def test_flops_per_token_matches_the_6n_rule(model):
    n = model.num_params()
    assert n == sum(p.numel() for p in model.parameters()) - CFG.seq_len * CFG.d_model
    assert model.flops_per_token() == 6 * n + 12 * CFG.n_layer * CFG.d_model * CFG.seq_len


def test_generate_appends_tokens_greedy_is_deterministic(model):
    prompt = torch.randint(0, CFG.vocab_size, (1, 5))
    a = model.generate(prompt, 7, temperature=0)
    b = model.generate(prompt, 7, temperature=0)
    assert a.shape == (1, 12) and torch.equal(a, b) and torch.equal(a[:, :5], prompt)


def test_gpt2_mapping_transposes_conv1d_weights(model):
    sd = to_gpt2_state_dict({"model." + k: v for k, v in model.state_dict().items()})
    assert sd["transformer.h.0.attn.c_attn.weight"].shape == (CFG.d_model, 3 * CFG.d_model)
    assert sd["transformer.h.1.mlp.c_proj.weight"].shape == (4 * CFG.d_model, CFG.d_model)
    assert sd["transformer.wpe.weight"].shape == (CFG.seq_len, CFG.d_model)


def test_transformers_export_gives_the_same_logits(model, tmp_path):
    from transformers import AutoModelForCausalLM

    export_transformers(model, str(tmp_path))
    assert {"config.json", "model.safetensors"} <= {p.name for p in tmp_path.iterdir()}
    hf = AutoModelForCausalLM.from_pretrained(str(tmp_path)).eval()
    x = torch.randint(0, CFG.vocab_size, (2, CFG.seq_len))
    with torch.no_grad():
        torch.testing.assert_close(hf(x).logits, model(x), atol=1e-4, rtol=1e-4)
