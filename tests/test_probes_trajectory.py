"""Hidden-state trajectories: PCA views whose basis does not jump between probes."""

from __future__ import annotations

import numpy as np
import pytest

from engine.trajectory import TrajectoryProjector, procrustes


def states_along(axes: np.ndarray, spreads: list[float], seed: int = 0) -> np.ndarray:
    """(4 samples, 30 steps, F) states varying along the given orthonormal axes (rows)."""
    generator = np.random.default_rng(seed)
    weights = generator.standard_normal((120, len(spreads))) * np.array(spreads)
    return (weights @ axes).reshape(4, 30, axes.shape[1])


def orthonormal(count: int, features: int, seed: int = 1) -> np.ndarray:
    q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((features, count)))
    return q.T


def test_projection_shapes_and_explained_variance():
    axes = orthonormal(3, 6)
    view = TrajectoryProjector().project(states_along(axes, [3.0, 2.0, 1.0]), step=0)
    assert view["pca2"].shape == (4, 30, 2) and view["pca3"].shape == (4, 30, 3)
    assert view["pca2"].dtype == np.float32 and view["reference_step"] == 0
    assert view["explained3"].sum() == pytest.approx(1.0, abs=1e-5)  # the states span 3 directions
    assert view["explained2"][0] > view["explained2"][1] > 0


def test_the_same_states_give_the_same_picture():
    projector = TrajectoryProjector()
    states = states_along(orthonormal(3, 5), [3.0, 2.0, 1.0])
    first = projector.project(states, 0)
    second = projector.project(states, 100)
    assert np.allclose(first["pca3"], second["pca3"], atol=1e-5) and second["reference_step"] == 0


def test_axes_keep_their_meaning_when_variances_cross():
    """Between two probes the second direction overtakes the first: a fresh PCA would swap
    the axes; the aligned view keeps its first axis on the first direction, with its sign."""
    axes = orthonormal(2, 4)
    projector = TrajectoryProjector()
    before_states = states_along(axes, [2.0, 1.0], seed=3)
    after_states = states_along(axes, [1.0, 1.3], seed=4)
    before = projector.project(before_states, 0)
    after = projector.project(after_states, 100)
    fresh = TrajectoryProjector().project(after_states, 100)

    def agreement(view, states):  # correlation of the view's first axis with direction one
        flat = states.reshape(-1, 4) - states.reshape(-1, 4).mean(0)
        return np.corrcoef(view["pca2"].reshape(-1, 2)[:, 0], flat @ axes[0])[0, 1]

    sign = np.sign(agreement(before, before_states))
    assert sign * agreement(before, before_states) > 0.999
    assert sign * agreement(after, after_states) > 0.99
    assert abs(agreement(fresh, after_states)) < 0.5
    assert after["explained2"].sum() == pytest.approx(fresh["explained2"].sum(), abs=1e-6)
    assert after["explained2"][1] > after["explained2"][0]  # axis 2 now carries more variance


def test_procrustes_undoes_a_rotation_and_reflection():
    basis = orthonormal(3, 7).T  # (7, 3)
    rotation = np.linalg.qr(np.random.default_rng(2).standard_normal((3, 3)))[0]
    rotation[:, 0] *= -1
    import torch

    recovered = procrustes(torch.as_tensor(basis @ rotation), torch.as_tensor(basis)).numpy()
    assert np.allclose(basis @ rotation @ recovered, basis, atol=1e-10)


def test_fewer_features_than_axes():
    view = TrajectoryProjector().project(np.random.default_rng(0).standard_normal((2, 5, 2)), 0)
    assert view["pca3"].shape == (2, 5, 3) and np.all(view["pca3"][..., 2] == 0)
    assert view["explained3"][2] == 0 and view["explained3"].sum() == pytest.approx(1.0, abs=1e-5)


def test_constant_states_do_not_divide_by_zero():
    view = TrajectoryProjector().project(np.ones((2, 4, 3)), 0)
    assert np.all(view["explained3"] == 0) and np.all(np.isfinite(view["pca3"]))
