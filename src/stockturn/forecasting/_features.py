"""Feature arrays for the global model, computed once per panel and gathered per (series, day, horizon).

A training or prediction row is (series i, target day t, horizon h); its features only use data up to
the origin o = t - h, plus what is known in advance about day t (calendar, events, planned price and
promotion). One model therefore serves every horizon, and the same code builds training rows (random h)
and forecast rows (o = as_of). Censored days are NaN and are skipped by every rolling statistic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from stockturn.forecasting._panel import F32, I64, Panel, day_offsets

ROLL_WINDOWS = (7, 28, 56, 112, 364)
RARE_EVENT_SHARE = 0.10  # event types on more than this share of days (e.g. SNAP) get no distance features
MAX_DISTANCE = 30


def rolling_mean(values: F32, window: int, *, stride: int = 1) -> F32:
    """NaN-aware mean of values[d - stride*(k)] for k in 0..window-1, at every column d."""
    n, t = values.shape
    obs = ~np.isnan(values)
    filled = np.where(obs, values, 0.0).astype(np.float64)
    if stride == 1:
        cs = np.cumsum(filled, axis=1)
        cc = np.cumsum(obs, axis=1, dtype=np.float64)
        shift = window
    else:
        pad = (-t) % stride
        fp = np.pad(filled, ((0, 0), (0, pad))).reshape(n, -1, stride)
        op = np.pad(obs.astype(np.float64), ((0, 0), (0, pad))).reshape(n, -1, stride)
        cs = np.cumsum(fp, axis=1).reshape(n, -1)[:, :t]
        cc = np.cumsum(op, axis=1).reshape(n, -1)[:, :t]
        shift = window * stride
    s = cs.copy()
    c = cc.copy()
    if shift < t:
        s[:, shift:] -= cs[:, :-shift]
        c[:, shift:] -= cc[:, :-shift]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(c > 0, s / np.maximum(c, 1), np.nan)
    return out.astype(np.float32)


def expanding_mean_and_count(values: F32) -> tuple[F32, F32]:
    obs = ~np.isnan(values)
    cs = np.cumsum(np.where(obs, values, 0.0), axis=1, dtype=np.float64)
    cc = np.cumsum(obs, axis=1, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(cc > 0, cs / np.maximum(cc, 1), np.nan)
    return mean.astype(np.float32), cc.astype(np.float32)


def days_since_sale(values: F32) -> F32:
    t = values.shape[1]
    sold = np.nan_to_num(values, nan=0.0) > 0
    idx = np.where(sold, np.arange(t)[None, :], -1)
    np.maximum.accumulate(idx, axis=1, out=idx)
    out = np.where(idx >= 0, np.arange(t)[None, :] - idx, np.nan)
    return np.minimum(out, 365).astype(np.float32)


@dataclass
class Calendar:
    """Per-day (and per-country for events) arrays over the panel's columns."""

    dow: I64
    dom: I64
    month: I64
    doy: I64
    event_code: I64  # (n_countries, width) 0 = none
    event_names: list[str]
    type_flags: F32  # (n_types, n_countries, width)
    event_types: list[str]
    days_to_next: F32  # (n_countries, width)
    days_since: F32


def build_calendar(panel: Panel, events: pl.DataFrame) -> Calendar:
    width = panel.width
    days = np.arange(width)
    base = np.datetime64(panel.start, "D")
    dates = base + days
    dow = ((dates.astype(np.int64) + 3) % 7).astype(np.int64)  # 1970-01-01 was a Thursday -> Monday=0
    years = dates.astype("datetime64[Y]")
    months = dates.astype("datetime64[M]")
    dom = (dates - months).astype(np.int64) + 1
    month = (months.astype(np.int64) % 12) + 1
    doy = (dates - years).astype(np.int64) + 1

    n_c = len(panel.countries)
    end = panel.start + dt.timedelta(days=width - 1)
    ev = events.filter((pl.col("ds") >= panel.start) & (pl.col("ds") <= end))
    names = sorted(set(events["event_name"].to_list()))
    types = sorted(set(events["event_type"].to_list()))
    code = np.zeros((n_c, width), dtype=np.int64)
    flags = np.zeros((len(types), n_c, width), dtype=np.float32)
    rare = np.zeros((n_c, width), dtype=bool)
    if ev.height:
        col = day_offsets(ev["ds"], panel.start).astype(np.int64)
        name_code = np.searchsorted(np.array(names), ev["event_name"].to_numpy()) + 1
        type_code = np.searchsorted(np.array(types), ev["event_type"].to_numpy())
        country = ev["country"].to_list()
        type_share = events.group_by("event_type").agg(pl.col("ds").n_unique().alias("days"))
        ev_days = day_offsets(events["ds"], panel.start)
        span = max(1, int(ev_days.max() - ev_days.min()) + 1)
        frequent = {
            t for t, d in zip(type_share["event_type"], type_share["days"], strict=True) if d / span > RARE_EVENT_SHARE
        }
        for c_idx, c_name in enumerate(panel.countries):
            mask = np.array([c == "" or c == c_name for c in country], dtype=bool)
            if not mask.any():
                continue
            # Rarer events win the day's code (a holiday matters more than a recurring SNAP day).
            is_rare = np.array([t not in frequent for t in ev["event_type"].to_list()], dtype=bool)
            order = np.lexsort((is_rare,))
            for j in order:
                if mask[j]:
                    code[c_idx, col[j]] = name_code[j]
            flags[type_code[mask], c_idx, col[mask]] = 1.0
            rare[c_idx, col[mask & is_rare]] = True
    to_next = np.full((n_c, width), np.nan, dtype=np.float32)
    since = np.full((n_c, width), np.nan, dtype=np.float32)
    for c_idx in range(n_c):
        hits = np.flatnonzero(rare[c_idx])
        if hits.size == 0:
            continue
        pos = np.searchsorted(hits, days)
        nxt = np.where(pos < hits.size, hits[np.minimum(pos, hits.size - 1)] - days, MAX_DISTANCE)
        prev_pos = np.searchsorted(hits, days, side="right") - 1
        prv = np.where(prev_pos >= 0, days - hits[np.maximum(prev_pos, 0)], MAX_DISTANCE)
        to_next[c_idx] = np.minimum(nxt, MAX_DISTANCE)
        since[c_idx] = np.minimum(prv, MAX_DISTANCE)
    return Calendar(dow, dom, month, doy, code, names, flags, types, to_next, since)


@dataclass
class SeriesStats:
    """Rolling statistics per (series, origin column)."""

    roll: list[F32]
    mean_all: F32
    n_obs: F32
    last: F32
    dow4: F32
    dow12: F32
    zero_share: F32
    since_sale: F32
    price_mean: F32
    promo_share: F32
    group: I64  # group code per series (category x country)
    group_week: F32  # (n_groups, width) the group total's mean over 7 days
    group_month: F32  # ... and over 28 days


def group_codes(panel: Panel) -> I64:
    """One group per (category, country): the smooth total whose seasonal shape the members share."""
    key = panel.category * max(1, len(panel.countries)) + panel.country
    codes: I64 = np.unique(key, return_inverse=True)[1].astype(np.int64)
    return codes


def group_totals(panel: Panel, y: F32, roll28: F32, mean_all: F32, group: I64) -> F32:
    """(n_groups, width) daily totals; a censored day counts as the series' recent mean, not zero."""
    from scipy import sparse

    filled = np.where(np.isnan(roll28), mean_all, roll28)
    np.nan_to_num(filled, copy=False, nan=0.0)
    np.copyto(filled, y, where=~np.isnan(y))
    filled[np.arange(panel.width)[None, :] < panel.first[:, None]] = 0.0  # not listed yet: no demand
    n_groups = int(group.max()) + 1 if group.size else 0
    ones = np.ones(group.size, dtype=np.float32)
    member = sparse.csr_matrix((ones, (group, np.arange(group.size))), shape=(n_groups, group.size))
    totals = np.asarray(member @ filled, dtype=np.float32)
    totals[:, panel.n_hist :] = np.nan
    return totals


def build_stats(panel: Panel) -> SeriesStats:
    y = panel.y
    roll = [rolling_mean(y, w) for w in ROLL_WINDOWS]
    mean_all, n_obs = expanding_mean_and_count(y)
    zero = np.where(np.isnan(y), np.nan, (y == 0).astype(np.float32)).astype(np.float32)
    group = group_codes(panel)
    totals = group_totals(panel, y, roll[1], mean_all, group)
    return SeriesStats(
        roll=roll,
        mean_all=mean_all,
        n_obs=n_obs,
        last=y,
        dow4=rolling_mean(y, 4, stride=7),
        dow12=rolling_mean(y, 12, stride=7),
        zero_share=rolling_mean(zero, 28),
        since_sale=days_since_sale(y),
        price_mean=rolling_mean(panel.price, 364),
        promo_share=rolling_mean(panel.promo, 28),
        group=group,
        group_week=rolling_mean(totals, 7),
        group_month=rolling_mean(totals, 28),
    )


def feature_names(cal: Calendar) -> list[str]:
    names = ["h"] + [f"mean_{w}" for w in ROLL_WINDOWS]
    names += ["mean_all", "n_obs", "last", "dow_mean_4", "dow_mean_12", "zero_share_28", "days_since_sale"]
    names += ["year_ago_7", "dow", "dom", "month", "doy", "event"]
    names += [f"type_{t}" for t in cal.event_types]
    names += ["days_to_event", "days_since_event", "price", "price_vs_year", "price_change", "promo"]
    names += ["promo_share_28", "category", "group_trend", "group_year_1", "group_year_2"]
    return names


CATEGORICAL = ("event", "category")


def gather(panel: Panel, cal: Calendar, st: SeriesStats, i: I64, t: I64, h: I64) -> F32:
    """Feature matrix for rows (series i, target column t, horizon h); origin o = t - h."""
    o = t - h
    ok = o >= 0
    oc = np.maximum(o, 0)
    nan = np.float32(np.nan)

    def at(a: F32, col: I64, valid: npt.NDArray[np.bool_] | None = None) -> F32:
        v = a[i, np.clip(col, 0, a.shape[1] - 1)]
        mask = ok if valid is None else ok & valid
        return np.where(mask, v, nan).astype(np.float32)

    k0 = (h + 6) // 7
    dcol = t - 7 * k0
    ya_col = t - 361
    c = panel.country[i]
    cols: list[F32] = [h.astype(np.float32)]
    cols += [at(r, oc) for r in st.roll]
    cols += [at(st.mean_all, oc), at(st.n_obs, oc), at(st.last, oc)]
    cols += [at(st.dow4, dcol, dcol >= 0), at(st.dow12, dcol, dcol >= 0)]
    cols += [at(st.zero_share, oc), at(st.since_sale, oc)]
    cols += [at(st.roll[0], ya_col, (ya_col >= 0) & (ya_col <= o))]
    cols += [cal.dow[t].astype(np.float32), cal.dom[t].astype(np.float32)]
    cols += [cal.month[t].astype(np.float32), cal.doy[t].astype(np.float32)]
    cols += [cal.event_code[c, t].astype(np.float32)]
    cols += [cal.type_flags[k, c, t] for k in range(len(cal.event_types))]
    cols += [cal.days_to_next[c, t], cal.days_since[c, t]]
    price_t = panel.price[i, t]
    with np.errstate(invalid="ignore", divide="ignore"):
        cols += [price_t, price_t / at(st.price_mean, oc), price_t / at(panel.price, oc)]
    cols += [panel.promo[i, t], at(st.promo_share, oc), panel.category[i].astype(np.float32)]
    # The series' group total (category x country) is smooth where the series is noisy: its recent trend,
    # and how its level moved last year (and the year before) from the origin's date to the target's.
    g = st.group[i]
    width = st.group_week.shape[1]

    def grp(a: F32, col: I64) -> F32:
        ok_col = (col >= 0) & (col <= o) & ok
        return np.where(ok_col, a[g, np.clip(col, 0, width - 1)], nan).astype(np.float32)

    with np.errstate(invalid="ignore", divide="ignore"):
        cols += [grp(st.group_week, oc) / grp(st.group_month, oc)]
        for years in (1, 2):
            back = 364 * years
            cols += [grp(st.group_week, t - back + 3) / grp(st.group_month, o - back)]
    return np.column_stack(cols).astype(np.float32)
