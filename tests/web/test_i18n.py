"""Every text in English and Simplified Chinese; numbers, dates and money formatted per locale."""

from __future__ import annotations

import json
import re
from datetime import date
from importlib import resources
from pathlib import Path

from html_tree import parse
from web_helpers import Client

from stockturn.web.i18n import LOCALES, Translator, catalogue, pick_locale

WEB = Path(resources.files("stockturn.web").joinpath("templates").__fspath__()).parent  # type: ignore[attr-defined]
# keys built at render time from a prefix and a data value (status, role, mode...), each value listed
DYNAMIC = {
    "status.": ("stockout", "low", "ok", "slow", "dead", "inactive"),
    "role.": ("viewer", "planner", "admin"),
    "lifecycle.": ("new", "active", "phase_out", "discontinued"),
    "waterfall.": ("gross_revenue", "refunds", "cogs", "platform_fees", "ad_spend", "holding_cost", "net_profit"),
    "action.": ("order", "transfer", "clearance"),
    "plan_status.": ("proposed", "edited", "approved", "rejected"),
    "severity.": ("info", "warning", "critical"),
    "kpi.": ("turnover", "dio_days", "stockout_rate", "cash_in_stock", "ccc_days", "open_alerts"),
}


def _used_keys() -> set[str]:
    keys: set[str] = set()
    for path in [*WEB.joinpath("templates").glob("*.html"), *WEB.rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"""\bt\(\s*['"]([a-z_0-9.]+)['"]""", text))
        keys |= set(re.findall(r"""empty\(\s*['"]([a-z_0-9.]+)['"]""", text))
    keys.add("unit.days")
    expanded = set()
    for key in keys:
        if key.endswith("."):
            expanded |= {key + value for value in DYNAMIC[key]}
        else:
            expanded.add(key)
    expanded |= {f"kpi.{k}.help" for k in DYNAMIC["kpi."]}
    return expanded


def test_every_used_key_exists_in_every_language() -> None:
    used = _used_keys()
    assert len(used) > 200
    for locale in LOCALES:
        missing = sorted(used - set(catalogue(locale)))
        assert not missing, f"{locale}.json lacks {missing}"


def test_catalogues_have_the_same_keys_and_placeholders() -> None:
    en, zh = catalogue("en"), catalogue("zh-CN")
    assert set(en) == set(zh)
    for key in en:
        assert set(re.findall(r"{(\w+)}", en[key])) == set(re.findall(r"{(\w+)}", zh[key])), key
        assert en[key] != "" and zh[key] != ""
    assert sum(bool(re.search(r"[\u4e00-\u9fff]", v)) for v in zh.values()) > 0.8 * len(zh)
    files = resources.files("stockturn.web").joinpath("locales")
    assert json.loads(files.joinpath("en.json").read_text(encoding="utf-8")) == en


def test_formats_per_locale() -> None:
    en, zh = Translator("en"), Translator("zh-CN")
    assert en.date(date(2011, 12, 9)) == "9 Dec 2011"
    assert zh.date(date(2011, 12, 9)) == "2011年12月9日"
    assert en.money(1234567.891, "USD", compact=True) == "$1.23M"
    assert zh.money(1234567.891, "USD", compact=True) == "US$123.5万"
    assert en.money(-12.5, "CNY", 2) == "-CN¥12.50" and zh.money(12.5, "CNY", 2) == "¥12.50"
    assert en.money(3, "CHF") == "3 CHF"
    assert en.num(1234.5, 1) == "1,234.5" and en.pct(0.1234) == "12.3%"
    assert en.days(12.4) == "12 d" and zh.days(12.4) == "12 天"
    assert en.num(None) == "–" and en.days(float("inf")) == "∞"


def test_language_choice() -> None:
    assert pick_locale("zh-CN", "en-US") == "zh-CN"
    assert pick_locale(None, "zh-TW,zh;q=0.9") == "zh-CN"
    assert pick_locale("fr", "de-DE") == "en"


def test_switching_to_chinese_translates_the_pages(reader: Client) -> None:
    http = reader("vic")
    switched = http.get("/lang/zh-CN", params={"next": "/skus"}, follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/skus"
    tree = parse(http.get("/skus").text)
    assert tree.find("html").attrs["lang"] == "zh-CN"
    assert [a.text() for a in tree.find("nav").find_all("a")][:3] == ["总览", "SKU", "仓库"]
    assert "数据截至" in tree.find(id="sku-table").text()
    overview = parse(http.get("/").text)
    assert "库存周转率" in overview.text()
    alerts = http.get("/alerts").text  # texts the analytics wrote in English read in Chinese
    assert "仅剩" in alerts or "可售" in alerts
    assert "days of cover" not in alerts and "Order or transfer" not in alerts
    assert (
        http.get("/lang/en", params={"next": "https://evil.example/"}, follow_redirects=False).headers["location"]
        == "/"
    )
