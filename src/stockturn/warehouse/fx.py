"""Currency conversion to the base currency at the day's rate, for imports and analytics alike.

`fx_rate` stores "1 `currency` is worth `rate` `quote_currency`" per day. A rate into the base currency is
found, in this order: the direct pair (X -> base), the inverse pair (base -> X, inverted), or a cross
through a common quote currency (X -> Q and base -> Q on the same day). When a day has no rate, the most
recent earlier rate is used if it is at most `max_age_days` old (weekends and holidays); otherwise the
conversion fails with `FxRateMissing`, naming the currency and the days without a rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl

from stockturn.errors import StockturnError
from stockturn.warehouse.connection import Warehouse

DEFAULT_MAX_AGE_DAYS = 4


class FxRateMissing(StockturnError):
    """No exchange rate into the base currency for a currency on some days."""


def rates_to_base_sql(base: str) -> str:
    """A SELECT of (rate_date, currency, rate): 1 unit of `currency` is worth `rate` units of `base`.

    `base` must be a validated ISO code (Settings checks it); it is inlined as a literal.
    """
    if not (len(base) == 3 and base.isalpha() and base.isupper()):
        raise ValueError(f"base currency must be a 3-letter ISO code, found {base!r}")
    b = f"'{base}'"
    return f"""
        SELECT rate_date, currency, min(rate) AS rate FROM (
            SELECT rate_date, currency, rate FROM fx_rate WHERE quote_currency = {b} AND currency <> {b}
            UNION ALL
            SELECT rate_date, quote_currency, 1.0 / rate FROM fx_rate
             WHERE currency = {b} AND quote_currency <> {b}
            UNION ALL
            SELECT x.rate_date, x.currency, x.rate / y.rate
              FROM fx_rate x JOIN fx_rate y
                ON y.rate_date = x.rate_date AND y.quote_currency = x.quote_currency AND y.currency = {b}
             WHERE x.currency <> {b} AND x.quote_currency <> {b}
        ) GROUP BY rate_date, currency"""


def converted_sql(needs_sql: str, base: str, *, max_age_days: int = DEFAULT_MAX_AGE_DAYS) -> str:
    """Join a query of (day, currency, ...) to its rate into `base`: adds column `fx` (NULL when missing).

    `needs_sql` must produce columns named `day` (DATE) and `currency`; the base currency converts at 1.
    Rates are looked up once per distinct (day, currency) and joined back on equality, so millions of
    rows cost one hash join (no ASOF join, which DuckDB may plan as a nested loop). `needs_sql` is read
    twice (distinct pairs, then rows) rather than materialised.
    """
    return f"""
        WITH _pairs AS (SELECT DISTINCT day, currency FROM ({needs_sql})),
        _candidates AS (  -- the day itself and up to max_age_days before it: equality joins only
            SELECT p.day, p.currency, CAST(p.day - CAST(k AS INTEGER) AS DATE) AS rate_date, k
              FROM _pairs p CROSS JOIN range({int(max_age_days) + 1}) t(k) WHERE p.currency <> '{base}'),
        _rates AS (
            SELECT day, currency, 1.0 AS fx FROM _pairs WHERE currency = '{base}'
            UNION ALL
            SELECT c.day, c.currency, arg_min(r.rate, c.k) AS fx
              FROM _candidates c JOIN ({rates_to_base_sql(base)}) r
                ON r.currency = c.currency AND r.rate_date = c.rate_date
             GROUP BY c.day, c.currency)
        SELECT n.*, r.fx FROM ({needs_sql}) n LEFT JOIN _rates r ON r.day = n.day AND r.currency = n.currency"""


def require_rates(
    wh: Warehouse,
    needs_sql: str,
    base: str,
    *,
    params: dict[str, Any] | None = None,
    what: str = "amounts",
    max_age_days: int = DEFAULT_MAX_AGE_DAYS,
) -> None:
    """Raise FxRateMissing when some (day, currency) of `needs_sql` has no usable rate into `base`."""
    sql = (
        f"""SELECT currency, min(day) AS first_day, max(day) AS last_day, count(DISTINCT day) AS days
              FROM ({converted_sql(f"SELECT DISTINCT day, currency FROM ({needs_sql})", base,
                                   max_age_days=max_age_days)})
             WHERE fx IS NULL GROUP BY currency ORDER BY currency"""
    )
    used = {key: value for key, value in (params or {}).items() if f"${key}" in sql}
    relation = wh.con.sql(sql, params=used)
    missing: pl.DataFrame = relation.pl() if relation is not None else pl.DataFrame()
    if missing.height:
        parts = [
            f"{row['currency']} on {row['days']} day(s) from {row['first_day']} to {row['last_day']}"
            for row in missing.iter_rows(named=True)
        ]
        raise FxRateMissing(
            f"no exchange rate into {base} for {what}: " + "; ".join(parts),
            hint=f"import fx_rate rows for these currencies and days (a rate at most {max_age_days} days "
            f"older is accepted), or change the base_currency setting",
        )


def to_base(wh: Warehouse, amount: float, currency: str, on: date, base: str,
            *, max_age_days: int = DEFAULT_MAX_AGE_DAYS) -> float:
    """Convert one amount at the rate of day `on`."""
    frame = convert_frame(
        wh, pl.DataFrame({"amount": [amount], "currency": [currency], "day": [on]}),
        amount_columns=["amount"], base=base, max_age_days=max_age_days,
    )
    return float(frame["amount"][0])


def convert_frame(
    wh: Warehouse,
    frame: pl.DataFrame,
    *,
    amount_columns: Sequence[str],
    base: str,
    currency_column: str = "currency",
    day_column: str = "day",
    max_age_days: int = DEFAULT_MAX_AGE_DAYS,
) -> pl.DataFrame:
    """Return `frame` with `amount_columns` converted into `base` (its currency column set to `base`)."""
    if frame.height == 0:
        return frame
    keyed = frame.with_row_index("_fx_row").with_columns(
        pl.col(day_column).cast(pl.Date).alias("day"), pl.col(currency_column).alias("currency")
    )
    name = f"_fx_in_{id(keyed)}"
    wh.con.register(name, keyed.select("_fx_row", "day", "currency").to_arrow())
    try:
        needs = f"SELECT _fx_row, day, currency FROM {name}"
        require_rates(wh, needs, base, what="the converted amounts", max_age_days=max_age_days)
        rates = wh.frame(f"SELECT _fx_row, fx FROM ({converted_sql(needs, base, max_age_days=max_age_days)})")
    finally:
        wh.con.unregister(name)
    joined = keyed.join(rates, on="_fx_row", how="left")
    return joined.with_columns(
        *[(pl.col(c) * pl.col("fx")).alias(c) for c in amount_columns],
        pl.lit(base).alias(currency_column),
    ).select(frame.columns)
