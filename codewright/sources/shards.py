"""Writing rows as Parquet shards of bounded size."""

from __future__ import annotations

import os

import pyarrow as pa
import pyarrow.parquet as pq

from codewright.schema import REJECTED_SCHEMA, STACK_SCHEMA

SHARD_BYTES = 64 * 1024 * 1024  # content bytes per shard: a few hundred thousand files at most


class ShardWriter:
    """Appends rows, starting a new `shard-NNNNN.parquet` once SHARD_BYTES of content is in."""

    def __init__(self, folder: str, schema: pa.Schema = STACK_SCHEMA, shard_bytes: int = SHARD_BYTES,
                 prefix: str = "shard"):
        self.folder, self.schema, self.shard_bytes, self.prefix = folder, schema, shard_bytes, prefix
        os.makedirs(folder, exist_ok=True)
        self.shards: list[str] = []
        self.rows = 0
        self._buffer: list[dict] = []
        self._buffer_bytes = 0
        self._writer: pq.ParquetWriter | None = None
        self._shard_bytes = 0

    def write(self, row: dict) -> None:
        self._buffer.append(row)
        self._buffer_bytes += int(row.get("size") or 0)
        self.rows += 1
        if len(self._buffer) >= 1024 or self._buffer_bytes >= 8 * 1024 * 1024:
            self._flush()

    def _flush(self) -> None:
        if not self._buffer:
            return
        if self._writer is None:
            path = os.path.join(self.folder, f"{self.prefix}-{len(self.shards):05d}.parquet")
            self._writer = pq.ParquetWriter(path, self.schema, compression="zstd")
            self.shards.append(path)
        self._writer.write_table(pa.Table.from_pylist(self._buffer, schema=self.schema))
        self._shard_bytes += self._buffer_bytes
        self._buffer, self._buffer_bytes = [], 0
        if self._shard_bytes >= self.shard_bytes:
            self._writer.close()
            self._writer, self._shard_bytes = None, 0

    def close(self) -> None:
        self._flush()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if not self.shards:
            # An empty but readable table, so downstream readers see the schema.
            path = os.path.join(self.folder, f"{self.prefix}-00000.parquet")
            pq.write_table(self.schema.empty_table(), path)
            self.shards.append(path)


def rejected_writer(folder: str) -> ShardWriter:
    return ShardWriter(folder, schema=REJECTED_SCHEMA, prefix="rejected")
