"""The GPT we train (gpt.py) and the mappings that carry its weights to other runtimes (export.py)."""

from codewright.model.gpt import GPT, GPTConfig

__all__ = ["GPT", "GPTConfig"]
