"""Figures of a risk study for its HTML report: the NOI distribution of each design and the tornado."""

from __future__ import annotations

import numpy as np

from planner.report.files import _png


def risk_figures(distributions: list[tuple[str, np.ndarray]], tornado: list[tuple[str, float, float]],
                 median_noi: float | None) -> list[tuple[str, str]]:
    """(title, base64 PNG) of the NOI histogram and CDF, and of the tornado.

    Parameters
    ----------
    distributions : list of (label, NOI per sample [MUSD/yr])
    tornado : list of (input, NOI at its P10, NOI at its P90) [MUSD/yr], largest swing first
    median_noi : float or None
        NOI with every input at its median [MUSD/yr], the tornado's axis.
    """
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    out = []
    fig, (hist, cdf) = plt.subplots(1, 2, figsize=(10, 4))
    finite = [v[np.isfinite(v)] for _, v in distributions]
    edges = np.histogram_bin_edges(np.concatenate(finite) if finite else [0.0], bins=30)
    for (label, _), values in zip(distributions, finite):
        hist.hist(values, bins=edges, alpha=0.5, label=label)
        xs = np.sort(values)
        cdf.step(xs, np.arange(1, xs.size + 1) / max(xs.size, 1), where="post", label=label)
    for ax in (hist, cdf):
        ax.axvline(0.0, color="grey", lw=0.8)
        ax.set_xlabel("NOI [MUSD/yr]")
    hist.set_ylabel("samples")
    cdf.set_ylabel("share of samples at or below")
    for q in (0.1, 0.5, 0.9):
        cdf.axhline(q, color="grey", lw=0.5, ls=":")
    hist.legend(fontsize=8)
    out.append(("NOI over the samples: histogram and cumulative distribution (P10, P50, P90 dotted)", _png(fig)))

    if tornado and median_noi is not None:
        fig, ax = plt.subplots(figsize=(7, 0.5 * len(tornado) + 1.2))
        for k, (name, low, high) in enumerate(reversed(tornado)):
            ax.barh(k, low - median_noi, left=median_noi, color="tab:red", alpha=0.7,
                    label="input at its P10" if k == 0 else None)
            ax.barh(k, high - median_noi, left=median_noi, color="tab:blue", alpha=0.7,
                    label="input at its P90" if k == 0 else None)
        ax.set_yticks(range(len(tornado)), [name for name, _, _ in reversed(tornado)])
        ax.axvline(median_noi, color="black", lw=0.8)
        ax.set_xlabel("NOI [MUSD/yr]")
        ax.legend(fontsize=8)
        out.append(("Tornado: NOI with one input at its P10 or P90, the others at their medians", _png(fig)))
    return out


__all__ = ["risk_figures"]
