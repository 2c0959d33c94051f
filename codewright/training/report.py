"""What a finished run learned, in figures a reader can judge: loss curve, bits per byte next to
general-purpose compressors on the same validation bytes."""

from __future__ import annotations

import lzma
import os

import numpy as np

# xz -9e runs at ~1 MB/s; a few MB give a stable ratio without dominating the demo's time.
MAX_COMPRESS_BYTES = 8 << 20


def val_bytes(rows: np.ndarray, tokenizer_file: str) -> bytes:
    """Validation token rows decoded back to the source bytes the model was scored on."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(tokenizer_file)
    # One decode over the concatenation: rows are cut mid-document, so decoding row by row would
    # split multi-byte characters at the seams.
    text = tok.decode(rows.reshape(-1).tolist(), skip_special_tokens=True)
    return text.encode("utf-8")


def compressor_bits_per_byte(data: bytes) -> dict[str, float]:
    """`xz -9e` and `zstd -19` bits per byte: what a general-purpose compressor gets from the bytes."""
    import zstandard

    data = data[:MAX_COMPRESS_BYTES]
    if not data:
        return {}
    xz = lzma.compress(data, preset=9 | lzma.PRESET_EXTREME)
    zstd = zstandard.ZstdCompressor(level=19).compress(data)
    return {"xz_bits_per_byte": 8 * len(xz) / len(data), "zstd_bits_per_byte": 8 * len(zstd) / len(data)}


def loss_curve_png(series: dict[str, list[tuple[int, float]]], path: str, title: str) -> str | None:
    """Training loss per step and validation loss at each evaluation, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # no display; also safe inside Dagster's worker processes
    import matplotlib.pyplot as plt

    train = series.get("loss/train/total", [])
    val = series.get("metrics/val/LanguageCrossEntropy", [])
    if not train and not val:
        return None
    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=100)
    if train:
        ax.plot(*zip(*train), label="train", linewidth=1)
    if val:
        ax.plot(*zip(*val), "o-", label="validation")
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy (nats/token)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
