"""Which edges are skip connections: the shorter branch into an Add, from the node where the branches fork."""

from __future__ import annotations

from .catalogue import Role, get_spec
from .graph import Graph
from .model import Edge

SEARCH_DEPTH = 64
"""How far back to look for the fork of an Add's branches (a bottleneck block is 10 layers deep)."""


def _walk_back_together(graph: Graph, starts: list[str]) -> list[tuple[dict[str, int], dict[str, str]]]:
    """Breadth-first walks against the data flow, one per start, a level at a time, until they meet.

    Each walk records the distance of every node from its start and the next node towards that start.
    """
    walks: list[tuple[dict[str, int], dict[str, str]]] = [({s: 0}, {}) for s in starts]
    frontiers = [[s] for s in starts]
    for _ in range(SEARCH_DEPTH):
        common = set(walks[0][0])
        for distance, _towards in walks[1:]:
            common &= distance.keys()
        if common or not any(frontiers):
            break
        for (distance, towards), frontier in zip(walks, frontiers):
            following: list[str] = []
            for node_id in frontier:
                for pred in graph.predecessors(node_id):
                    if pred not in distance:
                        distance[pred] = distance[node_id] + 1
                        towards[pred] = node_id
                        following.append(pred)
            frontier[:] = following
    return walks


def bypass_edges(graph: Graph, add_id: str) -> set[Edge]:
    """The edges of the branch that skips around the others into this merge node (empty when none is shorter)."""
    incoming = graph.edges_into(add_id)
    if len(incoming) < 2:
        return set()
    walks = _walk_back_together(graph, [e.src for e in incoming])
    common = set(walks[0][0])
    for distance, _ in walks[1:]:
        common &= distance.keys()
    if not common:
        return set()
    fork = min(common, key=lambda n: (max(d[n] for d, _ in walks), n))
    lengths = [d[fork] for d, _ in walks]
    shortest = min(lengths)
    if lengths.count(shortest) > 1:
        return set()  # branches of equal length: a symmetric merge, no skip to single out
    branch = lengths.index(shortest)
    _, towards = walks[branch]
    edges: set[Edge] = {incoming[branch]}
    node = fork
    while node != incoming[branch].src:
        nxt = towards[node]
        edges.update(e for e in graph.edges_from(node) if e.dst == nxt)
        node = nxt
    return edges


def skip_edges(graph: Graph) -> set[Edge]:
    """Every skip edge of the network."""
    found: set[Edge] = set()
    for node in graph.nodes:
        if get_spec(node.type).role is Role.MERGE:
            found |= bypass_edges(graph, node.id)
    return found
