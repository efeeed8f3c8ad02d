"""Defaults that silently change the answer: one warning per key a site file leaves out.

A site file may leave out keys whose default is a choice, not a neutral value: water at no cost,
miners with no running cost, every rack type sold at the same GPU price. The plan is still valid,
but it may be a different plan from the one the site would get with its real figures. A key
written in the file (or set by a scenario or ``--set``), even at the same value, is taken as meant
and not warned about. A default that cannot change this site's answer (water when no offered
module uses water, mining costs when no miner is offered) is not warned about either.

:func:`default_warnings` is pure: it reads a loaded site and returns ``(TOML path, message)``.
"""

from __future__ import annotations

from planner.load import LoadedSite


def _given(table, key: str) -> bool:
    return key in table.model_fields_set


def default_warnings(loaded: LoadedSite) -> list[tuple[str, str]]:
    """``(TOML path, message)`` for each default of ``loaded`` that can change its plan."""
    spec = loaded.spec
    out: list[tuple[str, str]] = []

    wet = [h.id for h in loaded.heat_rejection if h.water_use.value > 0]
    if wet and not _given(spec.economics, "water_price"):
        out.append(("economics.water_price", (
            f"not given, so water is free (default {spec.economics.water_price.text}), yet "
            f"{', '.join(wet)} {'uses' if len(wet) == 1 else 'use'} water: the plan may favour evaporative "
            "cooling it would not choose at the real price; give the site's water and sewer price")))

    if loaded.miners:
        market = spec.market
        if not _given(market, "mining_opex"):
            out.append(("market.mining_opex", (
                f"not given, so miners cost nothing to run besides their energy (default {market.mining_opex.text}): "
                "the plan may install more mining than pays; give repairs, staff and hosting per MW and year")))
        if not _given(market, "fees_per_block"):
            out.append(("market.fees_per_block", (
                f"not given, so mining earns the block subsidy only (default {market.fees_per_block.text}): "
                "mining revenue is understated; give the average transaction fees per block")))
        if not _given(market, "pool_fee"):
            out.append(("market.pool_fee", (
                "not given, so the pool takes no fee (default 0 %): mining revenue is overstated by the "
                "pool's share; give the pool's fee")))

    own = spec.gpu_market.price_by_rack
    shared = [r for r in loaded.racks if r.id not in own]
    if len(shared) >= 2:
        for rack in shared:
            out.append((f"gpu_market.price_by_rack.{rack.id}", (
                f"no price of its own, so {rack.name} is sold at gpu_market.price ({spec.gpu_market.price.text}) "
                f"like {', '.join(r.id for r in shared if r is not rack)}: the plan chooses between them on "
                "cost alone; give each rack type its own price per GPU-hour")))

    if not _given(spec.tariff, "demand_charge"):
        out.append(("tariff.demand_charge", (
            f"not given, so each month's highest draw is free (default {spec.tariff.demand_charge.text}): "
            "peaks cost nothing; give the tariff's demand charge, or write \"0 USD/kW/month\" if it has none")))

    return out


__all__ = ["default_warnings"]
