"""Recursive neural network over a binary tree (the course's syntax-tree exercise).

A tree is a leaf vector (H,) or a dict {'left': tree, 'right': tree}. Each inner node merges
its children with the shared weights W (H, 2H):

    v = act(W.dot(np.concatenate([left, right])))        (+ b when given)

Concatenating keeps both children's features; W brings the 2H back down to H.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import get_activation
from .conventions import DTYPE


class TreeGrads(NamedTuple):
    dW: np.ndarray  # (H, 2H)
    db: np.ndarray | None  # (H,)
    dleaves: object  # same nesting as the tree, a gradient array at each leaf


def _is_leaf(node):
    return not isinstance(node, dict)


def traverse(node, W, activation="tanh", b=None):
    """The vector (H,) of ``node``; ``activation`` is a name or a callable (the course's
    ``_activation``)."""
    act = activation if callable(activation) else get_activation(activation)[0]
    W = np.asarray(W, dtype=DTYPE)
    if _is_leaf(node):
        return np.asarray(node, dtype=DTYPE)
    left = traverse(node["left"], W, act, b)
    right = traverse(node["right"], W, act, b)
    u = W.dot(np.concatenate([left, right]))
    return act(u if b is None else u + b)


def traverse_backward(dv, node, W, activation="tanh", b=None):
    """Backpropagation through structure: gradients for W, b and every leaf, given dL/dv (H,)."""
    f, f_grad = get_activation(activation)
    W = np.asarray(W, dtype=DTYPE)
    H = W.shape[0]
    dW = np.zeros_like(W)
    db = None if b is None else np.zeros(H, dtype=DTYPE)

    def backward(dv, node):
        nonlocal db
        if _is_leaf(node):
            return np.asarray(dv, dtype=DTYPE)
        left = traverse(node["left"], W, f, b)
        right = traverse(node["right"], W, f, b)
        children = np.concatenate([left, right])
        u = W.dot(children)
        if b is not None:
            u = u + b
        du = dv * f_grad(u)
        dW[...] += np.outer(du, children)
        if db is not None:
            db += du
        dchildren = W.T.dot(du)
        return {
            "left": backward(dchildren[:H], node["left"]),
            "right": backward(dchildren[H:], node["right"]),
        }

    dleaves = backward(np.asarray(dv, dtype=DTYPE), node)
    return TreeGrads(dW, db, dleaves)
