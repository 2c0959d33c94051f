"""Connected components of an undirected graph, in the DataFrame API.

Min-label propagation with tree hooking and pointer jumping (after Shiloach-Vishkin): every
node starts labelled with the smallest of itself and its neighbours; each round, a node takes
the smallest label among its own and its neighbours' (hook), every group of nodes sharing a
label takes the smallest label any of them reached (tree hook), then each node takes the label
of its label (jump). A path of n copies-of-copies converges in O(log n) rounds. Labels only
decrease and a label is always a node of the same component no larger than the node itself;
when a round changes nothing, labels are constant along every edge, hence constant on each
component, and equal to its smallest node. The answer depends only on the graph, never on
partitioning or task order.

The loop grows the query plan each round; `materialize` (see dedup.py) cuts the lineage so
that round 20 costs what round 1 costs.

Each round is several shuffles and two jobs: seconds of fixed cost even for a tiny graph. A
graph of at most `local_limit` edges (a million fit easily in the driver's memory) is
collected instead and solved with union-find on the driver, with the same answer (a
component's label is its smallest node, whatever the order of the unions); `rounds` is then 0.
Set `local_limit=0` to always run the distributed rounds.
"""

from __future__ import annotations

from typing import Callable

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

Materialize = Callable[[DataFrame, str], DataFrame]

LOCAL_EDGE_LIMIT = 1_000_000  # edges solved on the driver: a few hundred MB of Python strings at most


def _union_find(edges: list[tuple[str, str]]) -> dict[str, str]:
    """node -> smallest node of its component."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    for a, b in edges:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = find(a), find(b)
        if ra != rb:  # the smaller root survives: each root is its component's smallest node
            parent[max(ra, rb)] = min(ra, rb)
    return {node: find(node) for node in parent}


def connected_components(
    edges: DataFrame, materialize: Materialize, max_rounds: int = 64,
    local_limit: int = LOCAL_EDGE_LIMIT, edge_count: int | None = None,
) -> tuple[DataFrame, int]:
    """(node, component) for every node of `edges` (src, dst), and the rounds it took
    (0: solved on the driver, see the module docstring). `edge_count`, when the caller knows
    it, saves counting the edges again.

    `component` is the smallest node (string order) of the node's component.
    """
    if local_limit > 0 and (edges.count() if edge_count is None else edge_count) <= local_limit:
        pairs = [(r["src"], r["dst"]) for r in edges.select("src", "dst").collect()]
        labels = sorted(_union_find(pairs).items())
        frame = edges.sparkSession.createDataFrame(labels, "node string, component string")
        return materialize(frame, "cc_local"), 0
    both = edges.select("src", "dst").union(edges.select(F.col("dst").alias("src"), F.col("src").alias("dst")))
    adjacency = materialize(both.distinct(), "cc_adjacency")
    labels = materialize(
        adjacency.groupBy("src")
        .agg(F.min("dst").alias("neighbour"))
        .select(F.col("src").alias("node"), F.least("src", "neighbour").alias("label")),
        "cc_labels_0",
    )
    for round_ in range(1, max_rounds + 1):
        neighbour_min = (
            adjacency.join(labels.select(F.col("node").alias("dst"), "label"), "dst")
            .groupBy(F.col("src").alias("node"))
            .agg(F.min("label").alias("neighbour_label"))
        )
        hooked = labels.join(neighbour_min, "node").select(
            "node", F.col("label").alias("previous"), F.least("label", "neighbour_label").alias("reached")
        )
        # Every tree (the nodes sharing a label) moves at once to the smallest label any of
        # its members reached: without this, trees merge one edge at a time (a scrambled
        # path of 1,000 copies takes ~200 rounds; with it, 7).
        tree_min = hooked.groupBy("previous").agg(F.min("reached").alias("tree_reached"))
        hooked = hooked.join(tree_min, "previous").select(
            "node", "previous", F.least("reached", "tree_reached").alias("label")
        )
        jumped = (
            hooked.alias("h")
            .join(hooked.alias("t"), F.col("h.label") == F.col("t.node"))
            .select(F.col("h.node").alias("node"), "h.previous", F.col("t.label").alias("label"))
        )
        jumped = materialize(jumped, f"cc_labels_{round_}")
        changed = jumped.where(F.col("label") != F.col("previous")).limit(1).count()
        labels = jumped.select("node", "label")
        if not changed:
            return labels.select("node", F.col("label").alias("component")), round_
    raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
