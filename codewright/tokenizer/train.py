"""Train the code tokenizer by streaming pii_scrubbed_code, and save it for both libraries.

The corpus is read once, in record batches: training documents feed the BPE trainer as they
arrive (tokenizers keeps only pre-token counts), held-back documents (the same doc_id split
as tokenized_shards' validation set) are kept, up to a cap, to measure bytes per token
against cl100k_base on text the tokenizer never saw.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import defaultdict
from pathlib import Path
from typing import Iterable, Iterator

from tokenizers import AddedToken, Tokenizer, pre_tokenizers, trainers

from codewright.storage import replace_dir
from codewright.tokenizer.compare import compare
from codewright.tokenizer.corpus import is_val, iter_batches
from codewright.tokenizer.vocab import CONTROL_TOKENS, EOS, PII_TOKENS, SPECIAL_TOKENS, new_tokenizer

TOKENIZER_FILE = "tokenizer.json"
REPORT_FILE = "report.json"
_PII_SPLIT = re.compile("|".join(re.escape(t) for t in PII_TOKENS))


def train_from_texts(texts: Iterable[str | list[str]], vocab_size: int = 32768,
                     min_frequency: int = 2) -> Tokenizer:
    """A trained code tokenizer from an iterator of texts (or lists of texts, for batching)."""
    tokenizer = new_tokenizer()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),  # all 256 bytes: exact round trip
        special_tokens=[AddedToken(t, special=True, normalized=False) for t in SPECIAL_TOKENS],
        show_progress=False,
    )

    def pieces() -> Iterator[list[str]]:
        # The trainer does not extract added tokens, so a placeholder would otherwise teach it
        # merges like `EMAIL>`; train on the text around placeholders instead.
        for item in texts:
            batch = [item] if isinstance(item, str) else item
            yield [piece for text in batch for piece in _PII_SPLIT.split(text) if piece]

    tokenizer.train_from_iterator(pieces(), trainer)
    return _mark_placeholders_ordinary(tokenizer)


def _mark_placeholders_ordinary(tokenizer: Tokenizer) -> Tokenizer:
    # BpeTrainer registers every token it is given as special. The PII placeholders are text
    # the model reads and writes: keep them atomic but not special, so that decoding with
    # skip_special_tokens keeps them and the shard encoder (encode_special_tokens) still
    # matches them.
    spec = json.loads(tokenizer.to_str())
    for added in spec["added_tokens"]:
        if added["content"] in PII_TOKENS:
            added["special"] = False
    return Tokenizer.from_str(json.dumps(spec))


def save_tokenizer(tokenizer: Tokenizer, folder: str) -> str:
    """tokenizer.json plus transformers' config files; returns the tokenizer.json path.

    The config is written by hand rather than by PreTrainedTokenizerFast.save_pretrained,
    because importing transformers imports torch (tens of seconds) for two small JSON files.
    """
    Path(folder).mkdir(parents=True, exist_ok=True)
    path = str(Path(folder, TOKENIZER_FILE))
    tokenizer.save(path)
    names = {"bos_token": EOS, "eos_token": EOS, "unk_token": EOS,
             "additional_special_tokens": CONTROL_TOKENS[1:]}
    Path(folder, "special_tokens_map.json").write_text(json.dumps(names, indent=2))
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "clean_up_tokenization_spaces": False,
              "model_max_length": 1_000_000_000, **names}
    Path(folder, "tokenizer_config.json").write_text(json.dumps(config, indent=2))
    return path


def tokenizer_file(path: str) -> str:
    """The tokenizer.json of a tokenizer folder, or `path` itself if it names the file."""
    return str(Path(path, TOKENIZER_FILE)) if Path(path).is_dir() else path


def load_tokenizer(path: str) -> Tokenizer:
    """A saved tokenizer, from its folder or its tokenizer.json."""
    file = Path(tokenizer_file(path))
    if not file.exists():
        raise FileNotFoundError(f"no tokenizer at {file}: materialize the tokenizer asset first")
    return Tokenizer.from_file(str(file))


def file_sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def build_tokenizer(corpus_dir: str, out_dir: str, *, vocab_size: int = 32768,
                    val_fraction: float = 0.01, max_train_bytes: int | None = None,
                    held_back_bytes: int = 5_000_000, min_frequency: int = 2,
                    batch_rows: int = 1024) -> dict:
    """Train on `corpus_dir`, write `out_dir/tokenizer.json` (replacing it whole), return the report."""
    stats = dict.fromkeys(["training_documents", "training_bytes", "held_back_documents",
                           "held_back_bytes", "empty_documents"], 0)
    stats["stopped_at_max_train_bytes"] = False
    held_back: dict[str, list[str]] = defaultdict(list)

    def training_texts() -> Iterator[list[str]]:
        for batch in iter_batches(corpus_dir, batch_rows):
            texts = []
            for doc_id, text, lang in zip(batch.doc_ids, batch.texts, batch.langs):
                size = len(text.encode("utf-8", "surrogatepass"))
                if not text:
                    stats["empty_documents"] += 1
                elif is_val(doc_id, val_fraction):
                    stats["held_back_documents"] += 1
                    if stats["held_back_bytes"] < held_back_bytes:
                        held_back[lang or "unknown"].append(text)
                        stats["held_back_bytes"] += size
                else:
                    texts.append(text)
                    stats["training_documents"] += 1
                    stats["training_bytes"] += size
            yield texts
            if max_train_bytes and stats["training_bytes"] >= max_train_bytes:
                stats["stopped_at_max_train_bytes"] = True
                return

    start = time.perf_counter()
    tokenizer = train_from_texts(training_texts(), vocab_size, min_frequency)
    seconds = time.perf_counter() - start
    if not stats["training_documents"]:
        raise ValueError(f"no training documents in {corpus_dir} (val_fraction={val_fraction})")

    report = {
        "vocab_size": tokenizer.get_vocab_size(),
        "requested_vocab_size": vocab_size,
        "special_tokens": {t: tokenizer.token_to_id(t) for t in SPECIAL_TOKENS},
        **stats,
        "train_seconds": round(seconds, 2),
        "val_fraction": val_fraction,
        "held_back": compare(tokenizer, held_back) if held_back else {},
    }
    with replace_dir(out_dir) as staging:
        path = save_tokenizer(tokenizer, staging)
        report["tokenizer_sha256"] = file_sha256(path)
        Path(staging, REPORT_FILE).write_text(json.dumps(report, indent=2))
    return report
