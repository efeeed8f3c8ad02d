"""Net operating income of a design as operated for a year (from the audit's simulation)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.audit import Design, Operation, capex
from planner.inputs import Inputs


def objective_text(objective: str) -> str:
    """``economics.objective`` in words."""
    return "NOI less annualised capex" if objective == "noi_less_annualised_capex" else "NOI within the capex budget"


@dataclass
class Economics:
    """Yearly figures in USD (per year) and the capital cost in USD."""

    gpu_revenue: float
    mining_revenue: float
    energy_cost: float
    demand_cost: float
    fixed_charges: float
    water_cost: float
    facility_opex: float
    mining_opex: float
    it_support: float
    capex_parts: dict[str, float]
    annualised_capex: float

    @property
    def noi(self) -> float:
        return (self.gpu_revenue + self.mining_revenue - self.energy_cost - self.demand_cost
                - self.fixed_charges - self.water_cost - self.facility_opex - self.mining_opex - self.it_support)

    @property
    def capex(self) -> float:
        return sum(self.capex_parts.values())

    @property
    def noi_less_annualised_capex(self) -> float:
        return self.noi - self.annualised_capex

    def objective(self, objective: str) -> float:
        """The figure ``economics.objective`` ranks by [USD/yr]: NOI less annualised capex, or NOI."""
        return self.noi_less_annualised_capex if objective == "noi_less_annualised_capex" else self.noi

    def parts(self) -> list[tuple[str, float]]:
        return [
            ("GPU revenue", self.gpu_revenue),
            ("mining revenue", self.mining_revenue),
            ("energy", -self.energy_cost),
            ("demand charges", -self.demand_cost),
            ("fixed utility charges", -self.fixed_charges),
            ("water", -self.water_cost),
            ("facility opex", -self.facility_opex),
            ("mining opex", -self.mining_opex),
            ("GPU and network hardware support", -self.it_support),
        ]


def evaluate(inp: Inputs, design: Design, op: Operation) -> Economics:
    """Revenue, costs and capex of one design over one year."""
    racks = {r.id: r for r in inp.racks}
    gpu_rev = sum(design.racks.get(k, 0) * r.gpus * r.gpu_price for k, r in racks.items()) * inp.utilisation * 8760.0
    mining_rev = sum(float(np.sum(op.mining_power[m.id])) * m.revenue_per_mwh for m in inp.miners)
    energy = float(np.sum(op.grid_draw * op.energy_price))
    month = inp.climate.month
    peaks = [float(op.grid_draw[month == mo].max()) for mo in range(1, 13) if (month == mo).any()]
    demand = inp.demand_charge * sum(peaks)
    water = float(np.sum(op.water_m3)) * inp.water_price
    parts = capex(inp, design)
    gpu_parts = parts["GPU racks"] + parts["scale-out network, storage, management"]
    miner_parts = parts["miners"]
    facility_parts = sum(parts.values()) - gpu_parts - miner_parts
    annualised = (gpu_parts * inp.crf["gpu"] + miner_parts * inp.crf["miner"]
                  + facility_parts * inp.crf["facility"])
    return Economics(
        gpu_revenue=gpu_rev,
        mining_revenue=mining_rev,
        energy_cost=energy,
        demand_cost=demand,
        fixed_charges=12 * inp.fixed_monthly,
        water_cost=water,
        facility_opex=inp.facility_opex * op.it_design,
        mining_opex=inp.mining_opex * sum(design.mining.values()),
        it_support=inp.it_support * (parts["GPU racks"] + parts["scale-out network, storage, management"])
        / (1.0 + inp.installation),
        capex_parts=parts,
        annualised_capex=annualised,
    )
