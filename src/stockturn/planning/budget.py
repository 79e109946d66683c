"""Cash budget: choose order quantities across all plan lines to maximise expected profit within a cash limit.

Each line's quantity is split into tranches. A unit in a tranche starting x units above the line's
current position sells within the sales window with probability P(D > x), D ~ gamma with the forecast's
mean and variance over lead time + review + ``window_extra_days``. Its expected value is

    (margin + stockout penalty) x P(D > x) - holding cost over the window x (1 - P(D > x))

(selling it earns the margin and avoids the stockout cost; not selling it costs holding). Values fall
from tranche to tranche, so the LP (HiGHS, one cash row) fills the most valuable units first. MOQ (a
line is either dropped or at least its MOQ) is enforced after the LP: lines it left below their MOQ are
raised to it while cash allows, best value per unit of cash first, or dropped; case packs round down.
The value per unit of cash of the last tranche bought is the cut-off return; every cut line says how far
below it its next units fall.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import polars as pl
from numpy.typing import NDArray

from stockturn import phrases as P
from stockturn.errors import InputError
from stockturn.planning.forecast_input import ForecastArrays, window_moments
from stockturn.planning.textbook import gamma_loss

FloatArray = NDArray[np.float64]
REQUIRED = ("sku_id", "warehouse_id", "qty", "unit_cost", "unit_price", "freight_per_unit", "position",
            "lead_days", "moq", "case_pack", "bridge")


@dataclass(frozen=True)
class BudgetResult:
    lines: pl.DataFrame  # the input lines with qty_chosen, qty_cut, value_per_cash, budget_reason
    budget: float
    spent: float
    requested: float
    expected_profit: float
    cutoff_return: float  # expected profit per unit of cash of the marginal unit bought
    status: str


def _repair_moq(
    chosen: FloatArray, moq: FloatArray, cash_per_unit: FloatArray, first_value: FloatArray, budget: float
) -> FloatArray:
    """Lines the LP left between 0 and their MOQ: raise to the MOQ while cash allows, best value first,
    else drop."""
    out = chosen.copy()
    short = np.flatnonzero((out > 0) & (out < moq - 1e-9))
    out[short] = 0.0
    left = budget - float((out * cash_per_unit).sum())
    for i in short[np.argsort(-first_value[short] / np.maximum(cash_per_unit[short], 1e-12))]:
        need = moq[i] * cash_per_unit[i]
        if need <= left + 1e-9 and first_value[i] > 0:
            out[i] = moq[i]
            left -= need
    return out


def tranche_values(
    start: FloatArray, qty: FloatArray, window_mean: FloatArray, window_var: FloatArray,
    margin: FloatArray, stockout_penalty: FloatArray, holding: FloatArray, segments: int,
) -> tuple[FloatArray, FloatArray]:
    """Per line and tranche: width (units) and expected value per unit, shape (n, segments)."""
    width = np.repeat((qty / segments)[:, None], segments, axis=1)
    lower = start[:, None] + width * np.arange(segments)[None, :]
    upper = lower + width
    # average of P(D > x) over the tranche = (E[(D-lower)+] - E[(D-upper)+]) / width
    m, v = window_mean[:, None], window_var[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        p_sell = (gamma_loss(m, v, lower) - gamma_loss(m, v, upper)) / np.where(width > 0, width, 1.0)
    p_sell = np.clip(np.nan_to_num(p_sell), 0.0, 1.0)
    value = (margin + stockout_penalty)[:, None] * p_sell - holding[:, None] * (1.0 - p_sell)
    return width, value


def optimise_budget(
    lines: pl.DataFrame,
    forecast: ForecastArrays,
    budget: float,
    *,
    holding_rate: float = 0.22,
    stockout_penalty_share: float = 0.0,
    window_extra_days: float = 28.0,
    review_period: float = 7.0,
    segments: int = 4,
    enforce_moq: bool = True,
    time_limit_s: float = 25.0,
) -> BudgetResult:
    """Choose qty_chosen <= qty per line with sum(cash) <= budget, maximising expected profit.

    ``forecast`` rows must be aligned with ``lines`` through ``unique_id`` = sku_id@warehouse_id
    (several lines of one SKU-location, e.g. an air bridge and its sea remainder, share the row; the
    bridge's units come first). ``stockout_penalty_share``: goodwill cost of a lost sale beyond the
    margin, as a share of price.
    """
    missing = [c for c in REQUIRED if c not in lines.columns]
    if missing:
        raise InputError(f"plan lines lack column(s) {', '.join(missing)}", file="plan",
                         hint="pass the frame returned by build_plan")
    if budget < 0:
        raise InputError(f"budget must be >= 0, found {budget}", column="--budget", hint="give a cash amount")
    n = lines.height
    if n == 0:
        return BudgetResult(lines, budget, 0.0, 0.0, 0.0, 0.0, "empty")
    lines = lines.with_columns(unique_id=pl.col("sku_id") + "@" + pl.col("warehouse_id"))
    # units of earlier lines of the same SKU-location (bridge first) sit below this line's units
    lines = lines.with_columns(
        _earlier=(pl.col("qty").cum_sum().over("unique_id", order_by=~pl.col("bridge")) - pl.col("qty"))
    )
    row_of = {uid: i for i, uid in enumerate(forecast.series_ids)}
    try:
        rows = np.array([row_of[u] for u in lines["unique_id"].to_list()], dtype=np.int64)
    except KeyError as exc:
        raise InputError(f"no forecast row for plan line {exc.args[0]}", file="forecast",
                         hint="build the forecast arrays for the plan's SKU-locations") from None
    col = {c: lines[c].cast(pl.Float64).fill_null(0.0).to_numpy() for c in
           ("qty", "unit_cost", "unit_price", "freight_per_unit", "position", "lead_days", "moq", "_earlier")}
    window = col["lead_days"] + review_period + window_extra_days
    w_mean, w_var = window_moments(forecast.mean[rows], forecast.variance[rows], 0.0, window)
    # stock on hand and on order sells first; this line's units start above it
    start = np.maximum(col["position"], 0.0) + col["_earlier"]
    cash_per_unit = col["unit_cost"] + col["freight_per_unit"]
    margin = col["unit_price"] - cash_per_unit
    holding = col["unit_cost"] * holding_rate * window / 365.0
    width, value = tranche_values(start, col["qty"], w_mean, w_var, margin,
                                  stockout_penalty_share * col["unit_price"], holding, segments)
    requested = float((col["qty"] * cash_per_unit).sum())

    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.silent()
    h.setOptionValue("time_limit", float(time_limit_s))
    inf = highspy.kHighsInf
    nx = n * segments
    # HiGHS minimises: the costs are the negated values; one row: the cash limit
    h.addVars(nx, np.zeros(nx), width.ravel())
    h.changeColsCost(nx, np.arange(nx, dtype=np.int32), -value.ravel())
    h.addRow(-inf, float(budget), nx, np.arange(nx, dtype=np.int32), np.repeat(cash_per_unit, segments))
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    solution = np.asarray(h.getSolution().col_value, dtype=np.float64)
    if solution.size < nx:
        raise InputError(f"budget optimisation failed: {status}", hint="check the plan lines' costs and quantities")
    x = solution[:nx].reshape(n, segments)
    pack = np.maximum(lines["case_pack"].cast(pl.Float64).fill_null(1.0).to_numpy(), 1.0)
    chosen = np.minimum(np.floor(x.sum(axis=1) / pack + 1e-6) * pack, col["qty"])
    if enforce_moq:
        chosen = _repair_moq(chosen, np.minimum(col["moq"], col["qty"]), cash_per_unit, value[:, 0],
                             float(budget))
    bought = x > 1e-6
    ratio = value / np.maximum(cash_per_unit, 1e-12)[:, None]
    cutoff = float(ratio[bought].min()) if bought.any() else 0.0
    fully = chosen >= col["qty"] - 1e-9
    # value per unit of cash of the first unit not bought on each line
    first_cut = np.argmin(np.where(np.cumsum(width, axis=1) <= chosen[:, None] + 1e-9, 1, 0), axis=1)
    next_ratio = ratio[np.arange(n), first_cut]
    kept_head, kept_tail = P.BUDGET_KEPT.en.split("{}")
    cut_head, cut_middle, cut_tail = P.BUDGET_CUT.en.split("{}")
    reason = np.where(
        fully,
        np.char.add(kept_head, np.char.add(np.char.mod("%.2f", ratio[:, -1]), kept_tail)),
        np.char.add(
            np.char.add(cut_head, np.char.mod("%.2f", next_ratio)),
            np.char.add(cut_middle, np.char.add(np.char.mod("%.2f", cutoff), cut_tail)),
        ),
    )
    reason = np.where(next_ratio <= 0, P.BUDGET_UNSOLD.en, reason)
    dropped_head = P.BUDGET_DROPPED.en.removesuffix("{}")
    reason = np.where(fully, reason, np.where(chosen == 0, np.char.add(dropped_head, reason), reason))
    out = lines.drop("_earlier", "unique_id").with_columns(
        qty_chosen=pl.Series(chosen),
        qty_cut=pl.Series(col["qty"] - chosen),
        value_per_cash=pl.Series(ratio[:, 0]),
        budget_reason=pl.Series(reason.astype(str)),
    )
    spent = float((chosen * cash_per_unit).sum())
    # expected profit of the rounded choice, tranche by tranche
    filled = np.clip(chosen[:, None] - np.cumsum(width, axis=1) + width, 0.0, width)
    profit = float((filled * value).sum())
    return BudgetResult(out, budget, spent, requested, profit, cutoff, status)
