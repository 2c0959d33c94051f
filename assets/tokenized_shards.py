"""tokenized_shards: the scrubbed corpus as fixed-length token sequences in MDS shards."""

import json
from pathlib import Path

import dagster as dg

from assets.metadata import md_table
from assets.tokenizer import tokenizer
from codewright.presets import get_preset
from codewright.tokenized_shards import write_shards
from resources.storage import StorageResource


class TokenizedShardsConfig(dg.Config):
    preset: str = "tiny"  # training preset whose seq_len the sequences are cut to
    val_fraction: float = 0.01  # must match the tokenizer's, so val documents stay unseen
    compression: str = ""  # MDS shard compression ("zstd", ...); "" for none
    size_limit: str = "64mb"  # bytes per shard before MDSWriter starts the next


@dg.asset(deps=["tokenizer", "pii_scrubbed_code"], group_name="tokens", kinds={"mosaicml"})
def tokenized_shards(context: dg.AssetExecutionContext, config: TokenizedShardsConfig,
                     storage: StorageResource) -> dg.MaterializeResult:
    """Every document encoded and followed by <|endoftext|>, the stream cut into the preset's
    seq_len and written with streaming.MDSWriter to train/ and val/ (split by a hash of
    doc_id); meta.json names the tokenizer by sha256 so a mismatched reader fails loudly."""
    seq_len = get_preset(config.preset).seq_len
    report = Path(storage.path("tokenizer", "report.json"))
    trained_with = json.loads(report.read_text()).get("val_fraction") if report.exists() else None
    if trained_with is not None and trained_with != config.val_fraction:
        context.log.warning(f"the tokenizer held back val_fraction={trained_with}, the shards use "
                            f"{config.val_fraction}: some val documents were seen by the tokenizer")
    meta = write_shards(
        storage.path("pii_scrubbed_code"), storage.path("tokenizer"), storage.path("tokenized_shards"),
        seq_len=seq_len, val_fraction=config.val_fraction,
        compression=config.compression or None, size_limit=config.size_limit)
    splits = [(s, meta[s]["documents"], meta[s]["tokens"], meta[s]["sequences"],
               meta[s]["dropped_tokens"], meta[s]["shards"], meta[s]["shard_bytes"]) for s in ("train", "val")]
    context.log.info(f"tokenized_shards: {meta['sequences']} sequences of {seq_len} "
                     f"({meta['dtype']}), {meta['bytes_per_token']} bytes/token")
    return dg.MaterializeResult(metadata={
        "documents": meta["documents"],
        "tokens": meta["tokens"],
        "sequences": meta["sequences"],
        "shards": meta["train"]["shards"] + meta["val"]["shards"],
        "bytes": meta["bytes"],
        "shard_bytes": meta["train"]["shard_bytes"] + meta["val"]["shard_bytes"],
        "bytes_per_token": meta["bytes_per_token"],
        "seq_len": seq_len,
        "vocab_size": meta["vocab_size"],
        "dtype": meta["dtype"],
        "splits": dg.MetadataValue.md(md_table(
            ("split", "documents", "tokens", "sequences", "dropped tokens", "shards", "shard bytes"), splits)),
        "tokenizer_sha256": meta["tokenizer_sha256"],
        "path": dg.MetadataValue.path(storage.path("tokenized_shards")),
    })


TOKEN_ASSETS = [tokenizer, tokenized_shards]
