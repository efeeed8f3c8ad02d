"""The results of a timeline as one typed model: every output (text, JSON, CSV, plots) renders it.

Keys are stable snake_case; every quantity is ``{"value": ..., "unit": ...}``; money in MUSD,
power in MW, energy in MWh.
"""

from __future__ import annotations

from pydantic import Field

from planner.results import Quantity, SolverResults, _Model

TIMELINE_SCHEMA_VERSION = "1.0"


class PeriodAudit(_Model):
    passed: bool
    hours_checked: int
    violations: list[str]


class PeriodResults(_Model):
    period: str = Field(description="label, e.g. 2027-Q1")
    start: str
    end: str = Field(description="first day after the period")
    racks: dict[str, int] = Field(description="compute racks online per rack type, GPU hours and leased together")
    racks_gpu_as_a_service: dict[str, int]
    racks_colocation: dict[str, int]
    gpus: int
    it_design: Quantity
    it_gpu_as_a_service: Quantity = Field(description="typical IT of the units selling GPU hours (with support IT)")
    it_colocation: Quantity = Field(description="typical IT of the leased units (with support IT); rent is billed "
                                                "on their design IT")
    cdus: dict[str, int]
    heat_rejection: dict[str, int] = Field(description="modules installed per id@loop")
    air_side: dict[str, int]
    mining_installed: dict[str, Quantity] = Field(description="owned miners installed, per model")
    miners_owned: dict[str, int] = Field(description="miners owned (installed or in store), per model")
    mining_average: Quantity = Field(description="mean mining power over the period's hours")
    converted_hall: Quantity
    hashprice: Quantity
    block_subsidy: Quantity
    gpu_price: dict[str, Quantity] = Field(description="price of GPU-hour contracts signed in the period")
    energy: Quantity = Field(description="energy bought in the period")
    grid_average: Quantity = Field(description="mean draw at the meter")
    cash: dict[str, Quantity] = Field(description="cash flow parts in the period, undiscounted (revenue positive, costs negative)")
    cash_flow: Quantity
    discount_factor: float
    discounted_cash_flow: Quantity
    cumulative_cash: Quantity
    cumulative_npv: Quantity
    audit: PeriodAudit


class Monetisation(_Model):
    chosen: str = Field(description="gpu_as_a_service, colocation, mixed or none")
    basis: str = Field(description="how the two NPVs below were found: each optimised on its own, or on the "
                                   "plan's build schedule with each unit switched")
    npv_gpu_as_a_service: Quantity | None = Field(description="NPV with every unit selling GPU hours")
    npv_colocation: Quantity | None = Field(description="NPV with every unit leased")
    flip_lease_price: Quantity | None = Field(
        None, description="lease price below which GPU hours are worth more than leasing, at most (the leasing "
                          "plan's NPV taken linear in the lease price on its own build schedule)")
    lease_price: Quantity | None
    lease_term: Quantity | None
    break_even_lease_price: Quantity | None = Field(
        description="lease price at which leasing the plan's units earns the same NPV as selling their GPU hours")
    break_even_by_cohort: dict[str, Quantity] = Field(description="per period of signing")


class Baseline(_Model):
    description: str
    status: str
    npv: Quantity
    incremental_npv: Quantity = Field(description="the plan's NPV less the baseline's: what the conversion adds")
    incremental_irr: Quantity | None = Field(None, description="IRR of the plan's cash flows less the baseline's")


class TimelineResults(_Model):
    schema_version: str = TIMELINE_SCHEMA_VERSION
    site: str
    horizon: str
    periods: list[PeriodResults]
    npv: Quantity
    terminal_value: dict[str, Quantity] = Field(description="at the end of the horizon, undiscounted")
    terminal_value_rule: str
    terminal_value_discounted: Quantity = Field(description="its share of the NPV")
    npv_without_terminal_value: Quantity
    irr: Quantity | None
    payback: Quantity | None = Field(description="years from the start until cumulative cash stays non-negative")
    discounted_payback: Quantity | None
    capex_total: Quantity
    discount_rate: Quantity
    monetisation: Monetisation
    baseline: Baseline | None = Field(None, description="the site without conversion, and what the conversion adds")
    technology: str = Field(description="equipment types the periods may install, and how they were chosen")
    solver: SolverResults
    alternatives_time: Quantity | None = Field(None, description="time to solve the baseline and the other monetisation")
    audit_passed: bool
    notes: list[str]





def schema_text() -> str:
    """The JSON Schema of ``timeline.json`` (``python -m planner.timeline.results > docs/timeline.schema.json``)."""
    import json

    schema = TimelineResults.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://github.com/gpu-site-planner/timeline.schema.json?v={TIMELINE_SCHEMA_VERSION}"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


__all__ = ["TimelineResults", "PeriodResults", "PeriodAudit", "Monetisation", "Baseline", "schema_text"]

if __name__ == "__main__":
    print(schema_text(), end="")
