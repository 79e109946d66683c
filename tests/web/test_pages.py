"""Every page renders from the seeded demo warehouse; lists filter, sort and page on the server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from html_tree import parse
from web_helpers import Client
from web_seed import FORECAST_SKU

PAGES = [
    "/",
    "/skus",
    f"/skus/{FORECAST_SKU}",
    "/warehouses",
    "/replenishment",
    "/transfers",
    "/alerts",
    "/imports",
    "/masterdata",
    "/settings",
    "/docs",
]


def test_every_page_renders_with_navigation(reader: Client) -> None:
    http = reader("ada")
    for url in PAGES:
        response = http.get(url)
        assert response.status_code == 200, (url, response.text[:300])
        tree = parse(response.text)
        assert tree.find("html").attrs["lang"] == "en"
        links = [a.attrs["href"] for a in tree.find("nav").find_all("a")]
        assert "/replenishment" in links and "/masterdata" in links, url
        assert "Traceback" not in response.text


def test_overview_shows_kpis_with_trend(reader: Client, seeded: tuple[Path, dict[str, Any]]) -> None:
    tree = parse(reader("vic").get("/").text)
    cards = {c.attrs["data-kpi"]: c for c in tree.find_all("div", class_="card")}
    assert set(cards) == {"turnover", "dio_days", "stockout_rate", "cash_in_stock", "ccc_days", "open_alerts"}
    assert "vs previous period" in cards["turnover"].text()
    assert cards["open_alerts"].find("a").text() == f"{seeded[1]['alerts']:,}"
    assert tree.find(id="chart-trend").attrs["data-chart"] == "trend"


def test_sku_list_filters_by_warehouse_status_and_search(reader: Client) -> None:
    http = reader("vic")
    tree = parse(http.get("/skus", params={"warehouse": "FBA-UK", "per_page": 500}).text)
    rows = tree.find(id="skus").rows()
    assert rows and {r[1] for r in rows} == {"FBA-UK"}
    assert tree.find(id="sku-count").text() == f"{len(rows)} SKU-locations"
    stockouts = reader("vic").get("/api/skus", params={"status": "stockout", "per_page": 500}).json()
    assert stockouts["rows"] and {r["status"] for r in stockouts["rows"]} == {"stockout"}
    assert all(r["available"] <= 0 for r in stockouts["rows"])
    found = http.get("/api/skus", params={"q": "parasol"}).json()
    assert found["total"] > 0 and all("parasol" in r["title"].lower() for r in found["rows"])


def test_sku_list_pages_and_sorts_on_the_server(reader: Client) -> None:
    http = reader("vic")
    everything = http.get("/api/skus", params={"per_page": 500, "sort": "available", "order": "asc"}).json()
    total = everything["total"]
    assert total == 600  # 120 SKUs x 5 warehouses in the demo
    available = [r["available"] for r in everything["rows"]]
    assert available == sorted(available)
    page3 = http.get("/api/skus", params={"per_page": 50, "page": 3, "sort": "available", "order": "asc"}).json()
    assert page3["pages"] == 12 and page3["page"] == 3
    assert [r["sku_id"] for r in page3["rows"]] == [r["sku_id"] for r in everything["rows"][100:150]]
    tree = parse(http.get("/skus", params={"page": 2}).text)
    assert tree.find(id="page-info").text() == "Page 2 of 12"
    assert len(tree.find(id="skus").rows()) == 50


def test_htmx_request_gets_only_the_table(reader: Client) -> None:
    response = reader("vic").get("/skus", params={"warehouse": "FBA-DE"}, headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<div id="sku-table">')
    assert "<html" not in response.text


def test_sku_export_csv_and_xlsx_carry_all_filtered_rows(reader: Client) -> None:
    import io

    import openpyxl

    http = reader("vic")
    csv = http.get("/api/skus/export", params={"warehouse": "FBA-DE", "format": "csv"})
    assert csv.headers["content-disposition"].startswith("attachment")
    lines = csv.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("sku_id,warehouse_id,title") and len(lines) == 1 + 120
    xlsx = http.get("/api/skus/export", params={"status": "stockout", "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    statuses = {row[7] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert statuses == {"stockout"}


def test_sku_detail_has_every_chart_and_the_aliases(reader: Client) -> None:
    tree = parse(reader("vic").get(f"/skus/{FORECAST_SKU}").text)
    charts = {div.attrs["id"]: div.attrs["data-chart"] for div in tree.find_all("div", class_="chart")}
    assert charts == {
        "chart-sales": "sales",
        "chart-forecast": "fan",
        "chart-projection": "projection",
        "chart-aging": "aging",
        "chart-waterfall": "waterfall",
    }
    assert tree.find(id="aliases").rows()
    assert {r[0] for r in tree.find(id="locations").rows()} == {"3PL-US", "CN-HOME", "FBA-DE", "FBA-UK", "FBA-US"}


def test_sku_detail_api_forecast_and_projection(reader: Client) -> None:
    data = reader("vic").get(f"/api/skus/{FORECAST_SKU}").json()
    fan = data["forecast"]["FBA-US"]
    assert len(fan["ds"]) == 28
    # the seeded quantiles are the mean times fixed factors, so the bands are known exactly
    assert fan["q0.025"][0] == pytest.approx(0.4 * fan["mean"][0])
    assert fan["q0.975"][0] == pytest.approx(1.6 * fan["mean"][0])
    projection = data["projection"]
    assert len(projection["days"]) == 90
    assert set(projection["stock"]) == {"3PL-US", "CN-HOME", "FBA-DE", "FBA-UK", "FBA-US"}
    planned = [a for a in projection["arrivals"] if a["kind"] == "plan"]
    assert {(a["warehouse_id"], a["qty"]) for a in planned} >= {("FBA-US", 50.0)}
    assert all(v >= 0 for series in projection["stock"].values() for v in series)
    steps = [s["step"] for s in data["waterfall"]["steps"]]
    assert steps == ["gross_revenue", "refunds", "cogs", "platform_fees", "ad_spend", "holding_cost"]


def test_pages_say_how_to_create_missing_data(client: Client, demo_warehouse: Path) -> None:
    http = client(source=demo_warehouse)  # no users, no forecast, no plan, no alerts
    assert "stockturn plan" in parse(http.get("/replenishment").text).find("div", class_="empty").text()
    assert "stockturn alerts" in parse(http.get("/alerts").text).find("div", class_="empty").text()
    detail = parse(http.get(f"/skus/{FORECAST_SKU}").text)
    assert "stockturn forecast" in detail.find("div", class_="empty").text()
    assert http.get("/api/plan").json() == {
        "plan_run": None,
        "lines": [],
        "total": 0,
        "page": 1,
        "pages": 1,
        "how_to_create": "stockturn plan",
    }


def test_warehouses_page_lists_each_warehouse(reader: Client) -> None:
    data = reader("vic").get("/api/warehouses").json()
    assert [w["warehouse_id"] for w in data["warehouses"]] == ["3PL-US", "CN-HOME", "FBA-DE", "FBA-UK", "FBA-US"]
    for w in data["warehouses"]:
        assert 0 <= (w["share_over_90d"] or 0) <= 1
    tree = parse(reader("vic").get("/warehouses").text)
    assert len(tree.find(id="warehouses").rows()) == 5
