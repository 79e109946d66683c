"""Simulate the demo seller's stock against the real daily demand (generated data, seeded).

The seller follows today's rule of thumb: every Monday, when stock plus in-transit covers less than the
sea lead time + 14 days at the 30-day average of sales, ship 75 days of that average from the home
warehouse (air for a 21-day bridge when stock is nearly out). The home warehouse orders 120 days of
total demand from the supplier when it runs low, later around Chinese New Year. Demand beyond the
stock on the shelf is lost, so the demo has real stockouts and censored sales.

Vectorised over SKU-warehouse keys; the only Python loop is over days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

F = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass
class Lane:
    """One shipping option to a sales warehouse."""

    mode: str
    transit_mean: float
    transit_sd: float
    fixed_days: float  # customs + receiving


@dataclass
class SimulationInput:
    start: date
    demand: F                  # [days, keys] units wanted per day
    key_sku: Ints                 # [keys] sku index
    key_warehouse: Ints           # [keys] sales-warehouse index
    slow_lane: list[Lane]      # per sales warehouse: sea (or rail)
    fast_lane: list[Lane]      # per sales warehouse: air
    case_pack: F               # [skus]
    supplier_lead_mean: F      # [skus]
    supplier_lead_sd: F        # [skus]
    moq: F                     # [skus]
    closures: list[tuple[date, date]]
    seed: int = 42


@dataclass
class SimulationOutput:
    sales: F                   # [days, keys]
    on_hand: F                 # [days, keys] end of day
    in_transit: F              # [days, keys]
    home_on_hand: F            # [days, skus]
    home_on_order: F           # [days, skus]
    shipments: list[tuple[int, int, str, int]] = field(default_factory=list)  # day, warehouse, mode, arrival day
    shipment_lines: list[tuple[int, int, float]] = field(default_factory=list)  # shipment no, sku, qty
    order_lines: list[tuple[int, int, float, int]] = field(default_factory=list)  # day, sku, qty, ready day


def _round_up(qty: F, pack: F) -> F:
    return np.ceil(np.maximum(qty, 0.0) / pack) * pack


def simulate(inp: SimulationInput) -> SimulationOutput:
    rng = np.random.default_rng(inp.seed)
    days, keys = inp.demand.shape
    skus = inp.case_pack.shape[0]
    horizon = days + 200
    arrive = np.zeros((horizon, keys))
    home_arrive = np.zeros((horizon, skus))
    out = SimulationOutput(
        sales=np.zeros((days, keys)), on_hand=np.zeros((days, keys)), in_transit=np.zeros((days, keys)),
        home_on_hand=np.zeros((days, skus)), home_on_order=np.zeros((days, skus)),
    )
    warm: F = inp.demand[:60].mean(axis=0)
    on_hand = np.round(warm * rng.uniform(30, 70, keys))
    in_transit = np.zeros(keys)
    home_daily = np.bincount(inp.key_sku, weights=warm, minlength=skus)
    home: F = np.round(home_daily * 60).astype(np.float64)
    home_open = np.zeros(skus)
    pack = inp.case_pack[inp.key_sku].astype(np.float64)
    lead = np.array([inp.slow_lane[w].transit_mean + inp.slow_lane[w].fixed_days for w in inp.key_warehouse])
    closed = [(a - inp.start).days for a, _ in inp.closures], [(b - inp.start).days for _, b in inp.closures]

    for t in range(days):
        on_hand += arrive[t]
        in_transit -= arrive[t]
        home += home_arrive[t]
        home_open -= home_arrive[t]
        sold = np.minimum(inp.demand[t], on_hand)
        on_hand -= sold
        out.sales[t] = sold
        if (inp.start + timedelta(days=t)).weekday() == 0:
            _review_sales_warehouses(inp, out, rng, t, on_hand, in_transit, home, arrive, warm, pack, lead)
            _review_home(inp, out, rng, t, home, home_open, home_arrive, warm, closed)
        out.on_hand[t] = on_hand
        out.in_transit[t] = in_transit
        out.home_on_hand[t] = home
        out.home_on_order[t] = home_open
    return out


def _recent_daily(out: SimulationOutput, t: int, warm: F) -> F:
    # The seller sees sales, not demand: the rule of thumb learns stockout days as zero demand.
    return out.sales[t - 30 : t].mean(axis=0) if t >= 30 else warm


def _review_sales_warehouses(
    inp: SimulationInput, out: SimulationOutput, rng: np.random.Generator, t: int,
    on_hand: F, in_transit: F, home: F, arrive: F, warm: F, pack: F, lead: F,
) -> None:
    daily = _recent_daily(out, t, warm)
    position = on_hand + in_transit
    need = (daily > 0) & (position < daily * (lead + 14))
    qty = np.where(need, _round_up(daily * 75 - position, pack), 0.0)
    wanted = np.bincount(inp.key_sku, weights=qty, minlength=home.shape[0])
    share = np.divide(home, wanted, out=np.ones_like(home), where=wanted > 0).clip(max=1.0)
    qty = np.floor(qty * share[inp.key_sku] / pack) * pack
    bridge = np.where(on_hand < daily * 14, np.minimum(qty, _round_up(daily * 21, pack)), 0.0)
    for lanes, part in ((inp.fast_lane, bridge), (inp.slow_lane, qty - bridge)):
        for w, lane in enumerate(lanes):
            mask = (inp.key_warehouse == w) & (part > 0)
            if not mask.any():
                continue
            transit = max(1.0, rng.normal(lane.transit_mean, lane.transit_sd)) + lane.fixed_days
            arrival = t + round(transit)
            shipment_no = len(out.shipments)
            out.shipments.append((t, w, lane.mode, arrival))
            for k in np.flatnonzero(mask):
                out.shipment_lines.append((shipment_no, int(inp.key_sku[k]), float(part[k])))
            arrive[arrival, mask] += part[mask]
            in_transit[mask] += part[mask]
            np.subtract.at(home, inp.key_sku[mask], part[mask])


def _review_home(
    inp: SimulationInput, out: SimulationOutput, rng: np.random.Generator, t: int,
    home: F, home_open: F, home_arrive: F, warm: F, closed: tuple[list[int], list[int]],
) -> None:
    daily = np.bincount(inp.key_sku, weights=_recent_daily(out, t, warm), minlength=home.shape[0])
    position = home + home_open
    need = (daily > 0) & (position < daily * (inp.supplier_lead_mean + 45))
    qty = np.where(need, np.maximum(_round_up(daily * 120 - position, inp.case_pack), inp.moq), 0.0)
    if not (qty > 0).any():
        return
    ready = t + np.maximum(5, rng.normal(inp.supplier_lead_mean, inp.supplier_lead_sd)).round().astype(np.int64)
    for start, end in zip(*closed, strict=True):
        overlaps = (ready >= start) & (t <= end)
        ready = np.where(overlaps, ready + (end - max(start, t)), ready)  # the factory is shut meanwhile
    for s in np.flatnonzero(qty > 0):
        out.order_lines.append((t, int(s), float(qty[s]), int(ready[s])))
        home_arrive[min(int(ready[s]) + 2, home_arrive.shape[0] - 1), s] += qty[s]
    home_open += qty
