"""tokenized_shards -> batches: StreamingDataset over the MDS folders, one `tokens` column.

StreamingDataset (not a plain Dataset) because it is what Composer checkpoints: its
`state_dict` records how many samples were consumed, so a resumed run continues the same
data order without replaying the epoch.
"""

from __future__ import annotations

import os

import numpy as np
import torch
from torch.utils.data import DataLoader


def collate_tokens(samples: list[dict]) -> torch.Tensor:
    """MDS samples -> (batch, seq_len) int64 token ids (uint16/uint32 on disk)."""
    return torch.from_numpy(np.stack([s["tokens"] for s in samples]).astype(np.int64))


def token_dataset(folder: str, batch_size: int, shuffle: bool, seed: int):
    from streaming import StreamingDataset

    # remote=None: the shards are already local, nothing is downloaded or copied. One canonical
    # node per physical node: the default (64 per node) pads small corpora with repeated samples.
    nodes = int(os.environ.get("NUM_NODES", "1"))
    return StreamingDataset(local=folder, remote=None, shuffle=shuffle, shuffle_seed=seed,
                            batch_size=batch_size, num_canonical_nodes=nodes)


def token_loader(folder: str, batch_size: int, shuffle: bool, seed: int, num_workers: int = 0,
                 pin_memory: bool = False) -> DataLoader:
    """Per-device batches of `batch_size` sequences (the global batch divided over devices)."""
    dataset = token_dataset(folder, batch_size, shuffle, seed)
    return DataLoader(dataset, batch_size=batch_size, collate_fn=collate_tokens, num_workers=num_workers,
                      pin_memory=pin_memory, drop_last=shuffle, persistent_workers=num_workers > 0)


def read_token_rows(folder: str, limit: int | None = None) -> np.ndarray:
    """The first `limit` sequences of an MDS folder in stored order, as one (rows, seq_len) array."""
    from streaming import StreamingDataset

    ds = StreamingDataset(local=folder, remote=None, shuffle=False, batch_size=1)
    n = len(ds) if limit is None or limit < 0 else min(limit, len(ds))
    return np.stack([ds.get_item(i)["tokens"] for i in range(n)]) if n else np.zeros((0, 0), np.int64)
