"""Two pieces of mbi (private-pgm) made deterministic: message passing and sampling.

mbi schedules belief propagation by a topological sort of a graph built from a Python ``set``
of messages, and its sampler orders columns from ``set``s of attribute names: both follow the
process's string-hash seed, so the same fit ran in two processes added the same floating-point
messages in another order and drew columns in another order. Here the schedule comes from the
junction tree's own (sorted) structure and the draws from a generator passed in, so a model and
its samples depend on the data and the seed only.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import networkx as nx
import numpy as np
import pandas as pd


def _schedule(jtree: nx.Graph) -> list[tuple[Any, Any]]:
    """A valid order of messages: leaves to root, then root to leaves (root: the first node)."""
    order: list[tuple[Any, Any]] = []
    for component in sorted(nx.connected_components(jtree), key=lambda c: sorted(c)[0]):
        root = sorted(component)[0]
        parents = dict(nx.bfs_predecessors(jtree, root))
        down = [root, *(n for n in nx.dfs_preorder_nodes(jtree, root) if n != root)]
        order += [(n, parents[n]) for n in reversed(down) if n != root]
        order += [(parents[n], n) for n in down if n != root]
    return order


@functools.partial(jax.jit, static_argnums=[2])
def message_passing(potentials: Any, total: float = 1, mesh: Any = None) -> Any:
    """mbi's ``message_passing_stable`` (log-space belief propagation) in a fixed order."""
    from mbi import junction_tree
    from mbi.clique_vector import CliqueVector

    if len(potentials.cliques) == 0:
        return CliqueVector(potentials.domain, [], {})
    potentials = potentials.apply_sharding(mesh)
    domain, cliques = potentials.domain, potentials.cliques
    jtree = junction_tree.make_junction_tree(domain, cliques)[0]
    beliefs = potentials.expand(junction_tree.maximal_cliques(jtree)).apply_sharding(mesh)
    messages: dict[tuple[Any, Any], Any] = {}
    for i, j in _schedule(jtree):
        keep = tuple(a for a in i if a in j)
        tau = beliefs[i] - messages[(j, i)] if (j, i) in messages else beliefs[i]
        messages[(i, j)] = tau.logsumexp(beliefs[i].domain.invert(keep))
        beliefs[j] = beliefs[j] + messages[(i, j)]
    return beliefs.normalize(total, log=True).exp().contract(cliques).apply_sharding(mesh)


def marginal(model: Any, attrs: tuple[str, ...]) -> np.ndarray:
    """The model's marginal counts over ``attrs`` (axes in that order), in numpy.

    A marginal the model holds is read from it; any other is computed by variable elimination
    over its potentials. mbi's own elimination runs as eager jax operations, each compiled on
    first use: scoring every pair of columns that way took most of an MST fit.
    """
    if model.marginals.supports(attrs):
        return np.asarray(model.project(attrs).datavector(flatten=False))
    factors = []
    for cl in model.cliques:
        log = np.asarray(model.potentials[cl].values, dtype=float)
        factors.append((tuple(model.potentials[cl].domain.attributes), np.exp(log - log.max())))
    others = [a for a in model.domain.attributes if a not in attrs]
    while others:
        # eliminate first the variable whose product of neighbouring factors is smallest
        scopes = [cl for cl, _ in factors]
        z = min(others, key=lambda v: _scope_size(model.domain, scopes, v))
        others.remove(z)
        near = [f for f in factors if z in f[0]]
        factors = [f for f in factors if z not in f[0]]
        scope = tuple(dict.fromkeys(a for cl, _ in near for a in cl if a != z))
        factors.append((scope, _einsum(near, scope)))
    table = _einsum(factors, attrs)
    return table * (model.total / table.sum())


def _scope_size(domain: Any, scopes: list[tuple[str, ...]], z: str) -> int:
    near = {a for cl in scopes if z in cl for a in cl}
    return int(np.prod([domain[a] for a in near]))


def _einsum(factors: list[tuple[tuple[str, ...], np.ndarray]], out: tuple[str, ...]) -> np.ndarray:
    letters = {a: chr(97 + i) for i, a in enumerate(dict.fromkeys(
        [*out, *(a for cl, _ in factors for a in cl)]))}  # fmt: skip
    spec = ",".join("".join(letters[a] for a in cl) for cl, _ in factors)
    result = np.einsum(f"{spec}->{''.join(letters[a] for a in out)}", *(v for _, v in factors))
    return result / max(float(result.max()), 1e-300)


def sample(model: Any, rows: int, rng: np.random.Generator) -> pd.DataFrame:
    """``rows`` i.i.d. records of a fitted mbi model, columns named as its domain.

    Columns are drawn in the reverse of the junction tree's elimination order, each from its
    conditional distribution given the columns already drawn that share a clique with it.
    """
    from mbi import junction_tree

    domain = model.domain
    cliques = [tuple(cl) for cl in model.cliques]
    jtree, elimination = junction_tree.make_junction_tree(domain, cliques)
    marginals = message_passing(model.potentials.expand(list(jtree.nodes)), model.total)
    drawn: dict[str, np.ndarray] = {}
    for col in reversed(elimination):
        near = {a for cl in cliques if col in cl for a in cl}
        parents = tuple(a for a in domain.attributes if a in drawn and a in near)
        joint = np.asarray(marginals.project((*parents, col)).datavector(flatten=False))
        joint = np.clip(joint.reshape(-1, domain[col]), 0, None)
        mass = joint.sum(axis=1, keepdims=True)
        cond = np.divide(joint, mass, out=np.full_like(joint, 1 / domain[col]), where=mass > 0)
        cdf = np.cumsum(cond, axis=1)
        if parents:
            shape = tuple(domain[p] for p in parents)
            row = np.ravel_multi_index(tuple(drawn[p] for p in parents), shape)
        else:
            row = np.zeros(rows, dtype=int)
        u = rng.random(rows)
        pick = (cdf[row] <= u[:, None]).sum(axis=1)
        drawn[col] = np.minimum(pick, domain[col] - 1)
    return pd.DataFrame({a: drawn[a] for a in domain.attributes})


__all__ = ["marginal", "message_passing", "sample"]
