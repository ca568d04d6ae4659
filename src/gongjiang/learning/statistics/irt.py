"""Two-parameter logistic (2PL) item response theory calibration.

Marginal maximum likelihood by the Bock-Aitkin EM algorithm: the ability distribution is a
standard normal evaluated on a fixed grid of quadrature nodes; the E-step computes, for every
item and node, the expected number of examinees and of correct answers; the M-step maximises
each item's expected complete-data log-likelihood by a few Newton steps, all items at once.

The model is ``P(correct | theta) = 1 / (1 + exp(-a (theta - b)))``. Internally the slope /
intercept form ``a theta + d`` (``d = -a b``) is used because it keeps the M-step concave.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import expit, log_expit, logsumexp

__all__ = ["dichotomise", "twopl_mml"]

#: Slopes are kept inside this interval so that nearly separable items cannot run away.
SLOPE_BOUNDS = (-6.0, 6.0)
INTERCEPT_BOUND = 30.0


def dichotomise(matrix: np.ndarray, max_marks: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Score marks 1 when ``mark / max_mark >= threshold``, else 0; ``NaN`` stays missing.

    A question whose ``max_mark`` is zero carries no information and becomes all missing.
    """
    x = np.asarray(matrix, dtype=float)
    max_marks = np.asarray(max_marks, dtype=float)
    out = np.full(x.shape, np.nan)
    usable = ~np.isnan(x) & (max_marks > 0)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        out[usable] = (x / max_marks[None, :] >= threshold)[usable].astype(float)
    return out


def _newton_m_step(
    a: np.ndarray,
    d: np.ndarray,
    theta: np.ndarray,
    correct: np.ndarray,
    total: np.ndarray,
    steps: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Maximise sum_q r log P + (n - r) log(1 - P) over (a, d) for every item at once."""
    t2 = theta * theta
    for _ in range(steps):
        p = expit(a[:, None] * theta[None, :] + d[:, None])
        resid = correct - total * p
        info = total * p * (1.0 - p)
        g_a = resid @ theta
        g_d = resid.sum(axis=1)
        h_aa = info @ t2
        h_ad = info @ theta
        h_dd = info.sum(axis=1)
        det = h_aa * h_dd - h_ad * h_ad
        det = np.where(det > 1e-12, det, 1e-12)
        step_a = (h_dd * g_a - h_ad * g_d) / det
        step_d = (h_aa * g_d - h_ad * g_a) / det
        # Damp very long steps: the objective is concave, so a shorter step still ascends.
        scale = np.minimum(1.0, 1.0 / np.maximum(np.abs(step_a), np.abs(step_d) / 4.0 + 1e-300))
        a = np.clip(a + scale * step_a, *SLOPE_BOUNDS)
        d = np.clip(d + scale * step_d, -INTERCEPT_BOUND, INTERCEPT_BOUND)
        if max(np.max(np.abs(step_a), initial=0.0), np.max(np.abs(step_d), initial=0.0)) < 1e-8:
            break
    return a, d


def twopl_mml(
    responses: np.ndarray,
    *,
    quadrature_points: int = 41,
    theta_bound: float = 6.0,
    max_iterations: int = 500,
    tolerance: float = 1e-4,
    newton_steps: int = 4,
) -> dict[str, Any]:
    """Calibrate the 2PL model on a 0/1 ``examinees x items`` matrix (``NaN`` = not answered).

    Returns ``{"a": array, "b": array, "iterations": int, "converged": bool,
    "log_likelihood": float}``. Items that cannot be estimated (no answers, or every answer
    right or every answer wrong, or a slope that runs off to its bound) get ``NaN`` for ``a``
    and ``b``.
    """
    r = np.asarray(responses, dtype=float)
    if r.ndim != 2:
        raise ValueError("responses must be a two-dimensional examinees x items array")
    observed = ~np.isnan(r)
    if np.any((r[observed] != 0) & (r[observed] != 1)):
        raise ValueError("responses must be 0, 1 or NaN")
    n_items = r.shape[1]
    a_out = np.full(n_items, np.nan)
    b_out = np.full(n_items, np.nan)

    n_obs = observed.sum(axis=0)
    n_right = np.where(observed, r, 0.0).sum(axis=0)
    estimable = (n_right > 0) & (n_right < n_obs)
    rows = observed[:, estimable].any(axis=1)
    y = np.where(observed, r, 0.0)[np.ix_(rows, estimable)]
    wrong = observed[np.ix_(rows, estimable)].astype(float) - y
    result: dict[str, Any] = {
        "a": a_out,
        "b": b_out,
        "iterations": 0,
        "converged": False,
        "log_likelihood": float("nan"),
    }
    if not estimable.any():
        return result

    theta = np.linspace(-theta_bound, theta_bound, quadrature_points)
    log_prior = -0.5 * theta * theta
    log_prior -= logsumexp(log_prior)

    # Start: unit slopes, intercepts from the proportion correct (logistic-normal approximation).
    p_plus = (n_right[estimable] + 0.5) / (n_obs[estimable] + 1.0)
    a = np.ones(int(estimable.sum()))
    d = np.log(p_plus / (1.0 - p_plus)) * np.sqrt(1.0 + np.pi / 8.0)

    complete = bool(wrong.size) and not np.any(y + wrong == 0)
    observed_f = None if complete else (y + wrong)
    previous = -np.inf
    log_likelihood = -np.inf
    for iteration in range(1, max_iterations + 1):
        z = a[:, None] * theta[None, :] + d[:, None]
        log_q = log_expit(-z)
        # E-step: log-likelihood of each examinee's answers at each node (y log P + (1-y) log Q
        # summed over the answered items), plus the log prior, then the posterior over nodes.
        log_like = y @ (log_expit(z) - log_q)
        if complete:
            log_like += log_q.sum(axis=0) + log_prior
        else:
            log_like += observed_f @ log_q
            log_like += log_prior
        peak = log_like.max(axis=1, keepdims=True)
        log_like -= peak
        posterior = np.exp(log_like, out=log_like)
        norm = posterior.sum(axis=1, keepdims=True)
        log_likelihood = float(np.log(norm).sum() + peak.sum())
        posterior /= norm
        correct = y.T @ posterior
        if complete:
            total = np.broadcast_to(posterior.sum(axis=0), correct.shape)
        else:
            total = observed_f.T @ posterior
        # M-step.
        a_new, d_new = _newton_m_step(a, d, theta, correct, total, newton_steps)
        change = max(np.max(np.abs(a_new - a)), np.max(np.abs(d_new - d)))
        a, d = a_new, d_new
        result["iterations"] = iteration
        if change < tolerance or abs(log_likelihood - previous) < tolerance * 1e-3:
            result["converged"] = True
            break
        previous = log_likelihood

    # A slope or intercept stuck on its bound means the likelihood has no finite maximum.
    diverged = (
        (a <= SLOPE_BOUNDS[0]) | (a >= SLOPE_BOUNDS[1]) | (np.abs(d) >= INTERCEPT_BOUND) | (a == 0)
    )
    a_out[estimable] = np.where(diverged, np.nan, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        b_out[estimable] = np.where(diverged, np.nan, -d / a)
    result["log_likelihood"] = log_likelihood
    return result
