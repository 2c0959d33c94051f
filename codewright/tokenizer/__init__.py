"""The code tokenizer: a byte-level BPE with a code-aware pre-tokenizer (vocab.py), trained by
streaming the scrubbed corpus (train.py), compared with cl100k_base (compare.py)."""

from codewright.tokenizer.corpus import is_val, iter_batches
from codewright.tokenizer.train import (
    REPORT_FILE, TOKENIZER_FILE, build_tokenizer, file_sha256, load_tokenizer, save_tokenizer,
    tokenizer_file, train_from_texts,
)
from codewright.tokenizer.vocab import (
    CONTROL_TOKENS, EOS, FIM_MIDDLE, FIM_PAD, FIM_PREFIX, FIM_SUFFIX, PII_TOKENS, SPECIAL_TOKENS,
    new_tokenizer,
)

__all__ = [
    "CONTROL_TOKENS", "EOS", "FIM_MIDDLE", "FIM_PAD", "FIM_PREFIX", "FIM_SUFFIX", "PII_TOKENS",
    "REPORT_FILE", "SPECIAL_TOKENS", "TOKENIZER_FILE", "build_tokenizer", "file_sha256",
    "is_val", "iter_batches", "load_tokenizer", "new_tokenizer", "save_tokenizer",
    "tokenizer_file", "train_from_texts",
]
