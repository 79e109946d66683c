"""Languages of the dashboard: one JSON catalogue per locale, and number/date/money formats per locale.

Every piece of text a page shows goes through `Translator.t(key)`; a test fails when a key used in a
template or in code is missing from any catalogue, or when the catalogues' key sets differ.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

from stockturn.phrases import localise

LOCALES = ("en", "zh-CN")
DEFAULT_LOCALE = "en"
LANG_COOKIE = "stockturn_lang"

# Currency symbols as each locale writes them: an English reader needs "CN¥" to tell yuan from yen,
# a Chinese reader writes yuan as "¥" and dollars as "US$".
_SYMBOLS: dict[str, dict[str, str]] = {
    "en": {"USD": "$", "GBP": "£", "EUR": "€", "CNY": "CN¥", "JPY": "¥"},
    "zh-CN": {"USD": "US$", "GBP": "£", "EUR": "€", "CNY": "¥", "JPY": "JP¥"},
}
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@cache
def catalogue(locale: str) -> dict[str, str]:
    """The key -> text catalogue of one locale, read from the package's locales/ folder."""
    text = resources.files("stockturn.web").joinpath("locales", f"{locale}.json").read_text(encoding="utf-8")
    data: dict[str, str] = json.loads(text)
    return data


def pick_locale(cookie: str | None, accept_language: str | None) -> str:
    """The cookie wins; otherwise the browser's first supported language; otherwise English."""
    if cookie in LOCALES:
        return str(cookie)
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LOCALE


@dataclass(frozen=True)
class Translator:
    """Text and formats of one locale, handed to every template as `t` and `fmt`."""

    locale: str

    def t(self, key: str, **values: Any) -> str:
        text = catalogue(self.locale).get(key) or catalogue(DEFAULT_LOCALE).get(key) or key
        return text.format(**values) if values else text

    def label(self, prefix: str, value: str | None) -> str:
        """The translation of a data value such as a mode or an alert type, or the value itself."""
        if value is None:
            return "–"
        key = f"{prefix}.{value}"
        return catalogue(self.locale).get(key) or catalogue(DEFAULT_LOCALE).get(key) or value

    def text(self, value: str | None) -> str:
        """A sentence stockturn wrote into its data (alert, plan reason) in this locale (stockturn.phrases)."""
        return localise(value, self.locale) or "–"

    # --- numbers -------------------------------------------------------------------------------
    def num(self, value: float | int | None, digits: int = 0) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        if isinstance(value, float) and math.isinf(value):
            return "∞"
        text = f"{value:,.{digits}f}"
        return text[1:] if text.startswith("-") and not text.strip("-0.,") else text  # no "-0"

    def compact(self, value: float | None) -> str:
        """Large numbers the way each language groups them: 1.2M in English, 120万 in Chinese."""
        if value is None or math.isnan(value):
            return "–"
        size = abs(value)
        if self.locale == "zh-CN":
            if size >= 1e8:
                return f"{value / 1e8:,.2f}亿"
            if size >= 1e4:
                return f"{value / 1e4:,.1f}万"
            return f"{value:,.0f}"
        if size >= 1e9:
            return f"{value / 1e9:,.2f}B"
        if size >= 1e6:
            return f"{value / 1e6:,.2f}M"
        if size >= 1e4:
            return f"{value / 1e3:,.1f}k"
        return f"{value:,.0f}"

    def pct(self, value: float | None, digits: int = 1) -> str:
        if value is None or math.isnan(value):
            return "–"
        return f"{value * 100:,.{digits}f}%"

    def money(self, value: float | None, currency: str, digits: int = 0, compact: bool = False) -> str:
        if value is None or math.isnan(value):
            return "–"
        symbol = _SYMBOLS.get(self.locale, {}).get(currency)
        body = self.compact(abs(value)) if compact else f"{abs(value):,.{digits}f}"
        sign = "-" if value < 0 else ""
        return f"{sign}{symbol}{body}" if symbol else f"{sign}{body} {currency}"

    # --- dates ---------------------------------------------------------------------------------
    def date(self, value: date | datetime | None) -> str:
        if value is None:
            return "–"
        if self.locale == "zh-CN":
            return f"{value.year}年{value.month}月{value.day}日"
        return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"

    def datetime(self, value: datetime | None) -> str:
        if value is None:
            return "–"
        return f"{self.date(value)} {value:%H:%M}"

    def days(self, value: float | None) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        if math.isinf(value):
            return "∞"
        return self.t("unit.days", n=self.num(value))
