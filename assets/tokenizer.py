"""tokenizer: a byte-level BPE for code, trained on the scrubbed corpus."""

import dagster as dg

from assets.metadata import md_table
from codewright.tokenizer import build_tokenizer
from resources.storage import StorageResource


class TokenizerConfig(dg.Config):
    vocab_size: int = 32768
    val_fraction: float = 0.01  # documents held back (the same ones tokenized_shards puts in val)
    max_train_bytes: int = 0  # 0: train on the whole corpus
    min_frequency: int = 2


@dg.asset(deps=["pii_scrubbed_code"], group_name="tokens", kinds={"huggingface"})
def tokenizer(context: dg.AssetExecutionContext, config: TokenizerConfig,
              storage: StorageResource) -> dg.MaterializeResult:
    """Byte-level BPE (Hugging Face `tokenizers`) with a pre-tokenizer for code: whole
    identifiers, indentation carried by line breaks, digit groups of three. Special tokens:
    <|endoftext|>, FIM tokens, and the PII placeholders as one id each. Compared with
    cl100k_base on held-back documents the tokenizer never saw."""
    report = build_tokenizer(
        storage.path("pii_scrubbed_code"), storage.path("tokenizer"),
        vocab_size=config.vocab_size, val_fraction=config.val_fraction,
        max_train_bytes=config.max_train_bytes or None, min_frequency=config.min_frequency)
    held = report["held_back"]
    overall = held.get("all", {})
    context.log.info(f"tokenizer: vocabulary {report['vocab_size']}, "
                     f"{report['training_bytes']:,} training bytes, held back {overall}")
    return dg.MaterializeResult(metadata={
        "vocab_size": report["vocab_size"],
        "requested_vocab_size": report["requested_vocab_size"],
        "training_documents": report["training_documents"],
        "training_bytes": report["training_bytes"],
        "train_seconds": report["train_seconds"],
        "held_back_bytes_per_token": overall.get("bytes_per_token", 0.0),
        "held_back_cl100k_bytes_per_token": overall.get("cl100k_bytes_per_token", 0.0),
        "held_back_ratio_vs_cl100k": overall.get("ratio_vs_cl100k") or 0.0,
        "held_back_by_language": dg.MetadataValue.md(md_table(
            ("language", "documents", "bytes", "bytes/token", "cl100k bytes/token", "ratio"),
            [(lang, r["documents"], r["bytes"], r["bytes_per_token"], r["cl100k_bytes_per_token"],
              r["ratio_vs_cl100k"] or 0.0) for lang, r in held.items()])),
        "special_tokens": dg.MetadataValue.json(report["special_tokens"]),
        "tokenizer_sha256": report["tokenizer_sha256"],
        "path": dg.MetadataValue.path(storage.path("tokenizer", "tokenizer.json")),
    })
