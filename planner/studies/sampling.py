"""Draw the uncertain inputs a site's ``[uncertainty]`` table declares; same seed, same samples.

A sample is a mapping input -> value in canonical units (USD/BTC, difficulty, USD/GPU/h,
share, USD/MWh) for every input of :data:`UNCERTAIN_INPUTS`; an input the table leaves out
keeps the site's value. The normal scores of all samples are drawn at once, row by row, from
``numpy.random.default_rng(seed)``, so sample ``i`` of a study of ``n`` samples is sample ``i``
of any larger study with the same seed (``--resume`` with more samples extends a study).
"""

from __future__ import annotations

import math

import numpy as np

from planner.spec.uncertainty import UNCERTAIN_INPUTS, Bounded, Lognormal, Uncertainty

Z_P10 = -1.2815515655446004  # standard normal score of the 10th percentile


def nominal_values(spec) -> dict[str, float]:
    """The site's value of each uncertain input, canonical units."""
    return {
        "btc_price": spec.market.btc_price.value,
        "difficulty": float(spec.market.difficulty),
        "gpu_price": spec.gpu_market.price.value,
        "utilisation": spec.gpu_market.utilisation.value,
        "energy_price": spec.tariff.energy_price.value,
    }


def _phi(z: np.ndarray) -> np.ndarray:
    """Standard normal distribution function."""
    return 0.5 * (1.0 + np.vectorize(math.erf)(np.asarray(z, dtype=float) / math.sqrt(2.0)))


def bounded_quantile(dist: Bounded, u: np.ndarray) -> np.ndarray:
    """Quantile function of a triangular or uniform distribution at probabilities ``u``."""
    lo, hi = dist.low.value, dist.high.value
    u = np.asarray(u, dtype=float)
    if dist.distribution == "uniform":
        return lo + u * (hi - lo)
    mode = dist.mode.value
    cut = (mode - lo) / (hi - lo)
    left = lo + np.sqrt(u * (hi - lo) * (mode - lo))
    right = hi - np.sqrt((1.0 - u) * (hi - lo) * (hi - mode))
    return np.where(u < cut, left, right)


def lognormal_factor(dist: Lognormal, horizon: float, z: np.ndarray) -> np.ndarray:
    """Factor on the site's value: (1 + growth)^H exp(volatility sqrt(H) z)."""
    return (1.0 + dist.growth.value) ** horizon * np.exp(dist.volatility.value * math.sqrt(horizon) * np.asarray(z))


def values_at(unc: Uncertainty, nominal: dict[str, float], z: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Input values at normal scores ``z`` (per declared input; absent inputs at the site's value)."""
    horizon = unc.horizon.value
    n = len(next(iter(z.values()))) if z else 1
    out = {}
    for name in UNCERTAIN_INPUTS:
        dist = getattr(unc, name)
        if dist is None or name not in z:
            out[name] = np.full(n, nominal[name])
        elif isinstance(dist, Bounded):
            out[name] = bounded_quantile(dist, _phi(z[name]))
        else:
            out[name] = nominal[name] * lognormal_factor(dist, horizon, z[name])
    return out


def draw(unc: Uncertainty, nominal: dict[str, float], n: int, seed: int) -> list[dict[str, float]]:
    """``n`` samples of the declared inputs with their correlations (a Gaussian copula)."""
    names = unc.declared()
    eps = np.random.default_rng(seed).standard_normal((n, len(names)))
    scores = eps @ np.linalg.cholesky(unc.correlation_matrix()).T
    values = values_at(unc, nominal, {name: scores[:, k] for k, name in enumerate(names)})
    return [{name: float(values[name][i]) for name in UNCERTAIN_INPUTS} for i in range(n)]


def one_at_a_time(unc: Uncertainty, nominal: dict[str, float]) -> tuple[dict[str, float], list[tuple[str, str, dict]]]:
    """The tornado's points: every input at its median, then each input at its P10 and P90 alone.

    Returns the median point and ``(input, "p10" | "p90", point)`` for each declared input.
    """
    names = unc.declared()
    zero = {name: np.zeros(1) for name in names}
    base = {k: float(v[0]) for k, v in values_at(unc, nominal, zero).items()}
    swings = []
    for name in names:
        for label, score in (("p10", Z_P10), ("p90", -Z_P10)):
            point = dict(base)
            point[name] = float(values_at(unc, nominal, {**zero, name: np.array([score])})[name][0])
            swings.append((name, label, point))
    return base, swings


__all__ = ["nominal_values", "draw", "one_at_a_time", "values_at", "bounded_quantile", "lognormal_factor"]
