"""Figures of a risk study for its HTML report: a figure's distribution per design, and the tornado."""

from __future__ import annotations

import numpy as np

from planner.report.files import _png


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def distribution_figure(distributions: list[tuple[str, np.ndarray]], label: str) -> tuple[str, str]:
    """(title, base64 PNG): histogram and cumulative distribution of a figure per design.

    Parameters
    ----------
    distributions : list of (design label, values per sample [MUSD/yr])
    label : str
        The figure, e.g. "NOI".
    """
    plt = _pyplot()
    fig, (hist, cdf) = plt.subplots(1, 2, figsize=(10, 4))
    finite = [v[np.isfinite(v)] for _, v in distributions]
    edges = np.histogram_bin_edges(np.concatenate(finite) if finite else [0.0], bins=30)
    for (name, _), values in zip(distributions, finite):
        hist.hist(values, bins=edges, alpha=0.5, label=name)
        xs = np.sort(values)
        cdf.step(xs, np.arange(1, xs.size + 1) / max(xs.size, 1), where="post", label=name)
    for ax in (hist, cdf):
        ax.axvline(0.0, color="grey", lw=0.8)
        ax.set_xlabel(f"{label} [MUSD/yr]")
    hist.set_ylabel("samples")
    cdf.set_ylabel("share of samples at or below")
    for q in (0.1, 0.5, 0.9):
        cdf.axhline(q, color="grey", lw=0.5, ls=":")
    hist.legend(fontsize=8)
    return (f"{label} over the samples: histogram and cumulative distribution (P10, P50, P90 dotted)", _png(fig))


def tornado_figure(tornado: list[tuple[str, float, float]], median: float) -> tuple[str, str]:
    """(title, base64 PNG): NOI with one input at its P10 or P90, largest swing on top [MUSD/yr]."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(tornado) + 1.2))
    for k, (name, low, high) in enumerate(reversed(tornado)):
        ax.barh(k, low - median, left=median, color="tab:red", alpha=0.7, label="input at its P10" if k == 0 else None)
        ax.barh(k, high - median, left=median, color="tab:blue", alpha=0.7, label="input at its P90" if k == 0 else None)
    ax.set_yticks(range(len(tornado)), [name for name, _, _ in reversed(tornado)])
    ax.axvline(median, color="black", lw=0.8)
    ax.set_xlabel("NOI [MUSD/yr]")
    ax.legend(fontsize=8)
    return "Tornado: NOI with one input at its P10 or P90, the others at their medians", _png(fig)


__all__ = ["distribution_figure", "tornado_figure"]
