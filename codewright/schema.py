"""The table contracts shared by every data stage (DESIGN.md, "Storage")."""

from __future__ import annotations

import hashlib

import pyarrow as pa

# The Stack's columns, in The Stack's order, plus our stable content hash.
STACK_SCHEMA = pa.schema(
    [
        ("hexsha", pa.string()),
        ("size", pa.int64()),
        ("ext", pa.string()),
        ("lang", pa.string()),
        ("max_stars_repo_path", pa.string()),
        ("max_stars_repo_name", pa.string()),
        ("max_stars_repo_licenses", pa.list_(pa.string())),
        ("max_stars_count", pa.int64()),
        ("content", pa.string()),
        ("avg_line_length", pa.float64()),
        ("max_line_length", pa.int64()),
        ("alphanum_fraction", pa.float64()),
        ("doc_id", pa.string()),
    ]
)
STACK_COLUMNS = [f.name for f in STACK_SCHEMA]

# Inputs that could not be read (raw_stack_shards/_rejected/).
REJECTED_SCHEMA = pa.schema(
    [
        ("max_stars_repo_name", pa.string()),
        ("max_stars_repo_path", pa.string()),
        ("size", pa.int64()),
        ("reason", pa.string()),
    ]
)

# Spark DDL for the same columns, for pandas UDF return types and empty frames.
STACK_DDL = (
    "hexsha string, size bigint, ext string, lang string, max_stars_repo_path string, "
    "max_stars_repo_name string, max_stars_repo_licenses array<string>, max_stars_count bigint, "
    "content string, avg_line_length double, max_line_length bigint, alphanum_fraction double, "
    "doc_id string"
)


def doc_id(content: str) -> str:
    """Stable document id: a hash of the content alone (never a Spark auto-increment id)."""
    return hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def git_blob_sha(data: bytes) -> str:
    """The Stack's `hexsha`: the git blob id of the file's bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def line_stats(content: str) -> tuple[float, int, float]:
    """avg_line_length, max_line_length, alphanum_fraction as The Stack computes them."""
    lines = content.splitlines() or [""]
    lengths = [len(line) for line in lines]
    alnum = sum(map(str.isalnum, content))
    return (
        sum(lengths) / len(lengths),
        max(lengths),
        alnum / len(content) if content else 0.0,
    )


def stack_record(
    repo_name: str,
    path: str,
    content: str,
    licenses: list[str],
    *,
    lang: str | None = None,
    stars: int = 0,
    data: bytes | None = None,
) -> dict:
    """One row in STACK_SCHEMA for a decoded source file (`data`: its bytes, if at hand)."""
    from codewright.languages import language_of

    raw = data if data is not None else content.encode("utf-8")
    ext = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    avg, longest, alnum = line_stats(content)
    return {
        "hexsha": git_blob_sha(raw),
        "size": len(raw),
        "ext": ext,
        "lang": lang or language_of(path) or "",
        "max_stars_repo_path": path,
        "max_stars_repo_name": repo_name,
        "max_stars_repo_licenses": list(licenses),
        "max_stars_count": stars,
        "content": content,
        "avg_line_length": avg,
        "max_line_length": longest,
        "alphanum_fraction": alnum,
        "doc_id": doc_id(content),
    }
