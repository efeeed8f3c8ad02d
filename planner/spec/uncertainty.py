"""Pydantic model of a site's ``[uncertainty]`` table: the distributions `plan risk` samples.

Each uncertain input is optional; an input the table leaves out keeps the site's value in
every sample. Prices and the network difficulty are lognormal factors on the site's value;
the billable utilisation is bounded (triangular or uniform). Correlations are between the
inputs' normal scores (a Gaussian copula), so they hold for any mix of distributions.
"""

from __future__ import annotations

from typing import Literal, Optional

import numpy as np
from pydantic import Field, model_validator

from planner.spec.fields import FieldError, StrictModel, quantity

#: Inputs `plan risk` can sample, in the order of the sample table.
UNCERTAIN_INPUTS = ("btc_price", "difficulty", "gpu_price", "utilisation", "energy_price")
#: TOML path of the site value each factor multiplies (utilisation is sampled as a value).
SITE_PATHS = {
    "btc_price": "market.btc_price",
    "difficulty": "market.difficulty",
    "gpu_price": "gpu_market.price",
    "utilisation": "gpu_market.utilisation",
    "energy_price": "tariff.energy_price",
}


class Lognormal(StrictModel):
    """The site's value times a lognormal factor: median (1 + growth)^H, log-deviation volatility x sqrt(H)."""

    distribution: Literal["lognormal"] = Field("lognormal", description="Only 'lognormal' for this input.")
    growth: quantity("annual_rate", "Median change per year from the site's value", ge=-0.95, le=10) = "0 %/year"
    volatility: quantity(
        "fraction", "Annualised volatility: standard deviation of the log change over one year", ge=0, le=5)
    source: str = Field("", description="Where the figures come from, for the report.")


class Bounded(StrictModel):
    """A value between ``low`` and ``high``: triangular about ``mode``, or uniform."""

    distribution: Literal["triangular", "uniform"] = Field(
        "triangular", description="'triangular' (low, mode, high) or 'uniform' (low, high).")
    low: quantity("fraction", "Lowest value", ge=0, le=1)
    mode: Optional[quantity("fraction", "Most likely value (triangular)", ge=0, le=1)] = None
    high: quantity("fraction", "Highest value", ge=0, le=1)
    source: str = Field("", description="Where the figures come from, for the report.")

    @model_validator(mode="after")
    def _ordered(self):
        if self.distribution == "triangular" and self.mode is None:
            raise FieldError("mode", "a triangular distribution needs a mode between low and high")
        if self.distribution == "uniform" and self.mode is not None:
            raise FieldError("mode", "a uniform distribution has no mode; remove it or use 'triangular'")
        mode = self.mode.value if self.mode is not None else self.low.value
        if not self.low.value <= mode <= self.high.value or self.low.value == self.high.value:
            raise FieldError("high", f"expected low < high{' and low <= mode <= high' if self.mode else ''}; "
                             f"got low {self.low.text}, " + (f"mode {self.mode.text}, " if self.mode else "")
                             + f"high {self.high.text}")
        return self


class Correlation(StrictModel):
    """Correlation of two uncertain inputs (of their normal scores)."""

    inputs: list[Literal[UNCERTAIN_INPUTS]] = Field(  # type: ignore[valid-type]
        min_length=2, max_length=2, description="The two inputs, e.g. ['btc_price', 'difficulty'].")
    coefficient: quantity("fraction", "Correlation coefficient", ge=-1, le=1)
    source: str = Field("", description="Where the figure comes from, for the report.")


class Uncertainty(StrictModel):
    """What `plan risk` samples; inputs left out keep the site's value."""

    horizon: quantity(
        "duration", "Time ahead the sampled levels stand for: growth and volatility are scaled to it",
        gt=0, le=30) = "1 year"
    btc_price: Optional[Lognormal] = Field(None, description="Bitcoin price, a factor on market.btc_price.")
    difficulty: Optional[Lognormal] = Field(None, description="Network difficulty, a factor on market.difficulty.")
    gpu_price: Optional[Lognormal] = Field(
        None, description="GPU-hour price, a factor on gpu_market.price and every gpu_market.price_by_rack.")
    utilisation: Optional[Bounded] = Field(
        None, description="Billable utilisation, in place of gpu_market.utilisation.")
    energy_price: Optional[Lognormal] = Field(
        None, description="Energy price, a factor on tariff.energy_price and every time-of-use price.")
    correlations: list[Correlation] = Field(default_factory=list, description="Correlations between the inputs.")

    def declared(self) -> list[str]:
        """The inputs this table samples, in the order of :data:`UNCERTAIN_INPUTS`."""
        return [name for name in UNCERTAIN_INPUTS if getattr(self, name) is not None]

    def correlation_matrix(self) -> np.ndarray:
        """Correlation matrix of the declared inputs' normal scores (identity where none is given)."""
        names = self.declared()
        c = np.eye(len(names))
        for item in self.correlations:
            i, j = (names.index(n) for n in item.inputs)
            c[i, j] = c[j, i] = item.coefficient.value
        return c

    @model_validator(mode="after")
    def _correlations(self):
        names = self.declared()
        seen = set()
        for k, item in enumerate(self.correlations):
            a, b = item.inputs
            if a == b:
                raise FieldError(f"correlations[{k}].inputs", f"an input is correlated with itself ({a!r})")
            for n in (a, b):
                if n not in names:
                    raise FieldError(f"correlations[{k}].inputs", f"{n!r} has no distribution in [uncertainty]; "
                                     f"declared: {', '.join(names) or 'none'}")
            if frozenset((a, b)) in seen:
                raise FieldError(f"correlations[{k}].inputs", f"the correlation of {a} and {b} is given twice")
            seen.add(frozenset((a, b)))
        if names and np.linalg.eigvalsh(self.correlation_matrix()).min() <= 1e-9:
            raise FieldError("correlations", "the correlations are inconsistent (the matrix is not positive "
                             "definite); lower the largest coefficients")
        return self


__all__ = ["UNCERTAIN_INPUTS", "SITE_PATHS", "Lognormal", "Bounded", "Correlation", "Uncertainty"]
