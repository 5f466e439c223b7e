"""PCA projections of hidden-state trajectories, with a basis that stays put across probes.

A fresh PCA per probe would let the picture rotate, swap axes and flip signs between
updates although the states barely moved. `TrajectoryProjector` keeps one basis per run:

1. The first probe fits PCA on all hₜ of all probe samples (centred) and fixes each
   component's sign so that its largest loading is positive.
2. Every later probe fits PCA afresh (so the plane is always the current top-k subspace and
   the explained variance is current), then rotates that k-dimensional basis by the
   orthogonal matrix R that best maps it onto the previous probe's basis — the orthogonal
   Procrustes solution R = U Vᵀ from the SVD U Σ Vᵀ of V_newᵀ V_prev. R may reflect, which
   undoes sign flips; it also undoes axis swaps when two components' variances cross.

The 2- and 3-component views are aligned separately, so the 2-D view always spans the top
two components. After the rotation an axis is a mix of components: its explained variance
is its own share of the total variance, and the shares of the k axes sum to the top-k share.

The linear algebra runs in torch rather than numpy so that a probe uses one thread pool:
numpy's OpenBLAS threads spin for a while after each call and would compete with training.
"""

from __future__ import annotations

import numpy as np
import torch


class TrajectoryProjector:
    """Projects (samples, time, features) hidden states to 2 and 3 dimensions, stably."""

    def __init__(self) -> None:
        self._previous: dict[int, torch.Tensor] = {}  # k -> (features, k) basis of the last probe
        self.reference_step: int | None = None

    def project(self, states: np.ndarray | torch.Tensor, step: int) -> dict:
        """{'pca2': (S, T, 2), 'pca3': (S, T, 3), 'explained2': (2,), 'explained3': (3,),
        'reference_step': the step of the first fit}; float32 arrays."""
        samples, steps, features = states.shape
        flat = torch.as_tensor(states, dtype=torch.float64).reshape(samples * steps, features)
        centred = flat - flat.mean(dim=0)
        variance, vt = _principal_axes(centred)
        total = float(variance.sum())
        if self.reference_step is None:
            self.reference_step = int(step)
        result: dict = {}
        for k in (2, 3):
            projected, explained = self._view(centred, vt, variance, total, k)
            result[f"pca{k}"] = projected.reshape(samples, steps, k).numpy().astype(np.float32)
            result[f"explained{k}"] = explained.numpy().astype(np.float32)
        result["reference_step"] = self.reference_step
        return result

    def _view(self, centred, vt, variance, total, k):
        usable = min(k, vt.shape[0])
        basis = vt[:usable].T  # (F, usable)
        previous = self._previous.get(k)
        if previous is None or previous.shape != basis.shape:
            rotation = torch.diag(_signs(basis))
        else:
            rotation = procrustes(basis, previous)
        basis = basis @ rotation
        self._previous[k] = basis
        axis_variance = torch.einsum("ij,i,ij->j", rotation, variance[:usable], rotation)
        explained = axis_variance / total if total > 0 else torch.zeros(usable, dtype=torch.float64)
        projected = centred @ basis
        if usable < k:  # fewer features (or states) than axes: the missing axes stay at zero
            projected = torch.nn.functional.pad(projected, (0, k - usable))
            explained = torch.nn.functional.pad(explained, (0, k - usable))
        return projected, explained


def _principal_axes(centred: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(variances, axes as rows), largest first: from the F×F scatter matrix when there are
    more states than features (much cheaper than an SVD of all states), else from the SVD."""
    count, features = centred.shape
    if count <= features:
        _, singular, vt = torch.linalg.svd(centred, full_matrices=False)
        return singular**2, vt
    variance, vectors = torch.linalg.eigh(centred.T @ centred)  # ascending
    return variance.flip(0).clamp_min(0.0), vectors.flip(1).T


def procrustes(basis: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The orthogonal R minimising ‖basis·R − target‖_F (reflections allowed)."""
    u, _, vt = torch.linalg.svd(basis.T @ target)
    return u @ vt


def _signs(basis: torch.Tensor) -> torch.Tensor:
    """+1 or -1 per column, making each column's largest-magnitude entry positive."""
    columns = torch.arange(basis.shape[1])
    largest = basis[basis.abs().argmax(dim=0), columns] if basis.numel() else torch.ones(basis.shape[1])
    return torch.where(largest < 0, -1.0, 1.0).to(torch.float64)
