"""2PL calibration by marginal maximum likelihood: parameter recovery and edge cases."""

from __future__ import annotations

import numpy as np
import pytest

from gongjiang.learning.statistics.irt import dichotomise, twopl_mml


def simulate(n_examinees: int, n_items: int, seed: int):
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.6, 2.0, n_items)
    b = rng.uniform(-2.0, 2.0, n_items)
    theta = rng.standard_normal(n_examinees)
    p = 1.0 / (1.0 + np.exp(-a[None, :] * (theta[:, None] - b[None, :])))
    return (rng.random(p.shape) < p).astype(float), a, b, rng


def rmse(estimate, truth):
    return float(np.sqrt(np.mean((estimate - truth) ** 2)))


def test_recovers_known_parameters():
    responses, a, b, _ = simulate(3000, 20, seed=20260101)
    fit = twopl_mml(responses)
    assert fit["converged"]
    assert rmse(fit["b"], b) < 0.2
    assert rmse(fit["a"], a) < 0.25


def test_recovers_parameters_with_missing_answers():
    responses, a, b, rng = simulate(3000, 20, seed=7)
    responses[rng.random(responses.shape) < 0.2] = np.nan
    fit = twopl_mml(responses)
    assert rmse(fit["b"], b) < 0.25
    assert rmse(fit["a"], a) < 0.3


def test_items_without_information_are_not_estimated():
    responses, _, _, _ = simulate(500, 5, seed=3)
    responses[:, 1] = 1.0  # everyone right
    responses[:, 3] = np.nan  # nobody answered
    fit = twopl_mml(responses)
    assert np.isnan(fit["a"][1]) and np.isnan(fit["b"][1])
    assert np.isnan(fit["a"][3]) and np.isnan(fit["b"][3])
    assert np.all(np.isfinite(fit["a"][[0, 2, 4]]))


def test_rejects_non_dichotomous_input():
    with pytest.raises(ValueError):
        twopl_mml(np.array([[0.0, 0.5], [1.0, 0.0]]))
    with pytest.raises(ValueError):
        twopl_mml(np.zeros(4))


def test_dichotomise_half_marks_are_correct():
    marks = np.array([[1.0, 1.0, np.nan], [2.0, 0.4, 0.0]])
    scored = dichotomise(marks, np.array([4.0, 1.0, 0.0]))
    assert scored[0, 0] == 0.0  # 1/4
    assert scored[1, 0] == 1.0  # 2/4: exactly half counts as correct
    assert scored[0, 1] == 1.0 and scored[1, 1] == 0.0
    # Not answered, or a question worth nothing: missing.
    assert np.isnan(scored[0, 2]) and np.isnan(scored[1, 2])
