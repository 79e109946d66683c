"""Vectorised parsing of cell values (numbers, dates, currencies, flags) with one problem per bad cell.

Every parser takes a raw Series (text from CSV/XLSX, or already typed from Parquet), returns a typed
Series of the same length, and reports the rows it could not read to `Problems`. Fast path first (a
plain cast); the slower clean-ups run only when some values need them.
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from stockturn.ingestion.problems import ROW, Problems

Kind = Literal["str", "float", "int", "date", "datetime", "currency", "bool"]
DateOrder = Literal["dmy", "mdy"]

# Active ISO 4217 codes (plus a few that sellers still meet in old exports).
_ISO_TEXT = (
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
    CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF
    GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP
    LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB
    PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP
    SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW
    ZWL"""
)
ISO_4217 = frozenset(_ISO_TEXT.split())
_ISO_LIST = sorted(ISO_4217)
CURRENCY_ALIASES = {"RMB": "CNY", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "CNY"}

# A time-zone suffix at the end of a value: a numeric offset (+08:00, -0500, bare-hour -05) only right
# after a time (10:00, 10:00:00, 10:00:00.250), so the -03 / -2024 of a dashed date (31-03-2024,
# 05-Mar-2024) is never taken for one; a zone name (Z, UTC, GMT, CEST...), optionally with an offset
# (GMT+0800, UTC+8, GMT-05:00), cannot be part of a date and is dropped wherever it ends a value.
# Used as `str.replace(_TZ_SUFFIX, _TZ_KEEP)`: the time is kept (group 1, empty for a name).
_TZ_SUFFIX = (r"(?:(\d:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*[+-]\d{2}(?::?\d{2})?"
              r"|\s*(?:(?:UTC|GMT)\s*[+-]\d{1,2}(?::?\d{2})?|Z|UTC|GMT|[A-Z]{3,4}T|PST|PDT|EST|EDT|CET|CEST|BST))$")
_TZ_KEEP = "${1}"
_TIME_PARTS = ("", " %H:%M:%S", " %H:%M", "T%H:%M:%S", " %H:%M:%S%.f", "T%H:%M:%S%.f")
_ISO_DAYS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d")
_DMY_DAYS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d-%m-%y", "%d.%m.%y")
_MDY_DAYS = ("%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y", "%m-%d-%y")
_NAMED = ("%d %b %Y", "%d-%b-%Y", "%d-%b-%y", "%b %d, %Y", "%d %B %Y", "%B %d, %Y", "%b %d %Y", "%Y%m%d",
          "%Y年%m月%d日", "%Y年%m月%d日 %H:%M:%S",
          *("%d-%b-%Y" + time for time in _TIME_PARTS[1:]), *("%d %b %Y" + time for time in _TIME_PARTS[1:]))


def date_formats(order: DateOrder) -> list[str]:
    """Accepted date formats, most common first; slashed day/month order from the `date_order` setting."""
    # dotted dates (31.03.2024) are day-first everywhere, so they stay in the list for both orders
    days = [*_ISO_DAYS, *(_DMY_DAYS if order == "dmy" else (*_MDY_DAYS, "%d.%m.%Y", "%d.%m.%y"))]
    return [day + time for day in days for time in _TIME_PARTS] + list(_NAMED)


def _strptime(text: pl.Series, fmt: str) -> pl.Series:
    """`text` read with `fmt`, null where it does not fit. Years before 1900 count as not fitting: chrono's %Y
    also takes two digits, so "31/03/24" would otherwise be read by %Y/%m/%d as the year 31 (or by
    %d/%m/%Y as the year 24)."""
    value = text.str.strptime(pl.Datetime("us"), fmt, strict=False)
    if "%Y" not in fmt:
        return value
    early = value.dt.year() < 1900
    return value.set(early, None) if early.any() else value


def _text(series: pl.Series) -> pl.Series:
    out = series.cast(pl.Utf8).str.strip_chars()
    return out.replace("", None)


def _report(problems: Problems, rows: pl.Series, raw: pl.Series, parsed: pl.Series, *, column: str,
            expected: str, fix: str) -> None:
    bad = raw.is_not_null() & parsed.is_null()
    if bad.any():
        frame = pl.DataFrame({ROW: rows, "value": raw}).filter(bad)
        problems.add_rows(frame, "value", column=column, expected=expected, fix=fix)


def parse_float(raw: pl.Series, rows: pl.Series, problems: Problems, column: str) -> pl.Series:
    if raw.dtype.is_numeric():
        return raw.cast(pl.Float64)
    if raw.dtype == pl.Boolean:
        return raw.cast(pl.Float64)
    text = _text(raw)
    value = text.cast(pl.Float64, strict=False)
    need = text.is_not_null() & value.is_null()
    if need.any():
        cleaned = _clean_number(text)
        value = pl.select(pl.when(need).then(cleaned.cast(pl.Float64, strict=False)).otherwise(value)).to_series()
        _report(problems, rows, text, value, column=column, expected="a number",
                fix="write numbers like 1234.5 or 1.234,5 without text")
    return value.alias(raw.name)


def _clean_number(text: pl.Series) -> pl.Series:
    """Thousands separators, decimal commas, currency signs, (negative) in brackets."""
    frame = pl.DataFrame({"t": text})
    t = pl.col("t").str.replace_all(r"[\s$€£¥₹\u00a0']", "").str.replace(r"^(?:[A-Z]{3})", "")
    t = pl.when(t.str.contains(r"^\(.*\)$")).then(pl.lit("-") + t.str.strip_chars("()")).otherwise(t)
    comma_last = t.str.contains(r"\.\d{3},\d*$")
    decimal_comma = t.str.contains(r"^-?\d+,\d{1,2}$") | comma_last
    fixed = (
        pl.when(decimal_comma).then(t.str.replace_all(r"\.", "").str.replace(",", "."))
        .otherwise(t.str.replace_all(",", ""))
    )
    return frame.select(fixed).to_series()


def parse_int(raw: pl.Series, rows: pl.Series, problems: Problems, column: str) -> pl.Series:
    if raw.dtype.is_integer():
        return raw.cast(pl.Int64)
    value = parse_float(raw, rows, problems, column)
    whole = value.round(0)
    fraction = value.is_not_null() & (whole != value)
    if fraction.any():
        frame = pl.DataFrame({ROW: rows, "value": value}).filter(fraction)
        problems.add_rows(frame, "value", column=column, expected="a whole number",
                          fix="write whole units (no decimals) in this column")
    return pl.select(pl.when(fraction).then(None).otherwise(whole).cast(pl.Int64)).to_series().alias(raw.name)


def parse_datetime(raw: pl.Series, rows: pl.Series, problems: Problems, column: str, *, order: DateOrder,
                   formats: list[str] | None = None) -> pl.Series:
    """Timestamps as written (local wall time; a time-zone suffix is dropped, not converted)."""
    if raw.dtype == pl.Datetime or isinstance(raw.dtype, pl.Datetime):
        return raw.dt.replace_time_zone(None).cast(pl.Datetime("us")).alias(raw.name)
    if raw.dtype == pl.Date:
        return raw.cast(pl.Datetime("us")).alias(raw.name)
    # A time-zone suffix is dropped before parsing. Formats match whole values only, so a value the chosen
    # format reads as it is has no suffix to drop: only the values it cannot read are stripped (cheaper
    # than a regex over every cell; the outcome is the same).
    text = _text(raw)
    candidates = formats or date_formats(order)
    sample = text.drop_nulls().head(200).str.replace(_TZ_SUFFIX, _TZ_KEEP)
    chosen = next(
        (fmt for fmt in candidates
         if sample.len() and _strptime(sample, fmt).null_count() == 0),
        None,
    )
    value = (_strptime(text, chosen) if chosen
             else pl.select(pl.repeat(None, raw.len(), dtype=pl.Datetime("us"))).to_series())
    need = text.is_not_null() & value.is_null()
    if need.any():
        todo = text.filter(need).str.replace(_TZ_SUFFIX, _TZ_KEEP)
        text = text.scatter(need.arg_true(), todo)
        if chosen:
            value = value.scatter(need.arg_true(), _strptime(todo, chosen))
            need = text.is_not_null() & value.is_null()
            todo = text.filter(need)
    if need.any():
        others = [_strptime(todo, fmt) for fmt in candidates if fmt != chosen]
        filled = pl.select(pl.coalesce(others)).to_series() if others else todo.cast(pl.Datetime("us"))
        value = value.scatter(need.arg_true(), filled)
        example = "2024-03-31, 31/03/2024" if order == "dmy" else "2024-03-31, 03/31/2024"
        _report(problems, rows, text, value, column=column, expected=f"a date such as {example}",
                fix="write dates as YYYY-MM-DD, or set date_order (dmy/mdy) for dates like 03/04/2024")
    return value.alias(raw.name)


def parse_date(raw: pl.Series, rows: pl.Series, problems: Problems, column: str, *, order: DateOrder,
               formats: list[str] | None = None) -> pl.Series:
    return parse_datetime(raw, rows, problems, column, order=order, formats=formats).dt.date()


def parse_currency(raw: pl.Series, rows: pl.Series, problems: Problems, column: str) -> pl.Series:
    text = _text(raw)
    if text.is_in(_ISO_LIST).all():  # fast path: every cell is already a code (upper case, no alias)
        return text.alias(raw.name)
    text = text.str.to_uppercase().replace(CURRENCY_ALIASES)
    known = text.is_in(_ISO_LIST)
    value = pl.select(pl.when(known).then(text).otherwise(None)).to_series().alias(raw.name)
    _report(problems, rows, text, value, column=column, expected="an ISO 4217 currency code such as USD",
            fix="write the 3-letter code (USD, EUR, GBP, CNY...)")
    return value


_TRUE = ["true", "yes", "y", "1", "t", "是", "x"]
_FALSE = ["false", "no", "n", "0", "f", "否", ""]


def parse_bool(raw: pl.Series, rows: pl.Series, problems: Problems, column: str) -> pl.Series:
    if raw.dtype == pl.Boolean:
        return raw
    if raw.dtype.is_numeric():
        return (raw != 0).alias(raw.name)
    text = _text(raw).str.to_lowercase()
    value = pl.select(
        pl.when(text.is_in(_TRUE)).then(True).when(text.is_in(_FALSE)).then(False).otherwise(None)
    ).to_series().alias(raw.name)
    _report(problems, rows, text, value, column=column, expected="true/false (yes/no, 1/0)",
            fix="write true or false")
    return value


def parse_text(raw: pl.Series) -> pl.Series:
    if raw.dtype == pl.Utf8:
        return _text(raw)
    if raw.dtype.is_float():  # ids stored as floats by spreadsheets (12345.0)
        whole = raw.round(0) == raw
        return pl.select(
            pl.when(whole).then(raw.cast(pl.Int64, strict=False).cast(pl.Utf8)).otherwise(raw.cast(pl.Utf8))
        ).to_series().alias(raw.name)
    return _text(raw.cast(pl.Utf8))


def parse_kind(kind: Kind, raw: pl.Series, rows: pl.Series, problems: Problems, column: str, *,
               order: DateOrder, formats: list[str] | None = None) -> pl.Series:
    if kind == "float":
        return parse_float(raw, rows, problems, column)
    if kind == "int":
        return parse_int(raw, rows, problems, column)
    if kind == "date":
        return parse_date(raw, rows, problems, column, order=order, formats=formats)
    if kind == "datetime":
        return parse_datetime(raw, rows, problems, column, order=order, formats=formats)
    if kind == "currency":
        return parse_currency(raw, rows, problems, column)
    if kind == "bool":
        return parse_bool(raw, rows, problems, column)
    return parse_text(raw)
