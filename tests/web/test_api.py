"""The JSON API: one pinned error shape, an OpenAPI document, and the same numbers as the libraries (and so
the CLI reports)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
from numpy.testing import assert_allclose
from web_helpers import Client

import stockturn.analytics as an
from stockturn.settings import Settings
from stockturn.warehouse import open_warehouse


def test_error_shape_is_pinned(reader: Client) -> None:
    http = reader("vic")
    missing = http.get("/api/skus/NO-SUCH-SKU")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {
            "status": 404,
            "code": "not_found",
            "message": "no SKU 'NO-SUCH-SKU' in the warehouse",
            "hint": "search for it on the SKUs page",
        }
    }
    bad = http.get("/api/skus", params={"per_page": 0})
    assert bad.status_code == 422
    assert set(bad.json()["error"]) == {"status", "code", "message", "hint"}
    assert bad.json()["error"]["code"] == "invalid_request"
    assert http.get("/api/nothing-here").json()["error"]["code"] == "not_found"


def test_html_errors_are_pages_without_tracebacks(reader: Client) -> None:
    page = reader("vic").get("/skus/NO-SUCH-SKU")
    assert page.status_code == 404
    assert "no SKU &#39;NO-SUCH-SKU&#39; in the warehouse" in page.text or "no SKU 'NO-SUCH-SKU'" in page.text
    assert "Traceback" not in page.text


def test_openapi_lists_every_api_route(reader: Client) -> None:
    schema = reader("vic").get("/openapi.json").json()
    paths = set(schema["paths"])
    for path in (
        "/api/overview",
        "/api/skus",
        "/api/skus/{sku_id}",
        "/api/skus/export",
        "/api/warehouses",
        "/api/plan",
        "/api/plan/{line_id}/approve",
        "/api/plan/purchase-orders",
        "/api/transfers",
        "/api/alerts",
        "/api/imports",
        "/api/masterdata",
        "/api/settings",
        "/api/session",
    ):
        assert path in paths, path


def test_overview_numbers_equal_the_analytics_library(reader: Client, seeded: tuple[Path, dict[str, Any]]) -> None:
    data = reader("vic").get("/api/overview").json()
    with open_warehouse(seeded[0], read_only=True) as wh:
        settings = Settings()
        company = an.metrics(wh, settings, by="company").row(0, named=True)
        period = an.resolve_period(wh, settings)
        cycle = an.cash_cycle(wh, period, settings)
        cash = an.cash_tied_up(wh, period.end, settings).filter(pl.col("warehouse_id") == "TOTAL").row(0, named=True)
    current = data["current"]
    assert_allclose(current["turnover"], company["turnover_annualised"], rtol=1e-9)
    assert_allclose(current["dio_days"], company["dio"], rtol=1e-9)
    assert_allclose(current["stockout_rate"], company["stockout_rate"], rtol=1e-9)
    assert_allclose(current["ccc_days"], cycle.ccc, rtol=1e-9)
    assert_allclose(current["cash_in_stock"], cash["cash_tied_up"], rtol=1e-9)
    assert_allclose(
        current["cash_in_stock"],
        current["on_hand_value"] + current["in_transit_value"] + current["open_po_paid"],
        rtol=1e-9,
    )
    # the previous period's turnover is the library's `turnover_prev` annualised over the previous period
    assert_allclose(
        data["previous"]["turnover"] * data["previous_period"]["days"] / 365, company["turnover_prev"], rtol=1e-9
    )


def test_sku_rows_equal_the_analytics_library(reader: Client, seeded: tuple[Path, dict[str, Any]]) -> None:
    rows = reader("vic").get("/api/skus", params={"per_page": 500, "warehouse": "FBA-US"}).json()["rows"]
    with open_warehouse(seeded[0], read_only=True) as wh:
        lib = (
            an.metrics(wh, Settings(), by="sku-warehouse", with_previous=False)
            .filter(pl.col("warehouse_id") == "FBA-US")
            .sort("sku_id")
        )
    mine = pl.DataFrame(rows).sort("sku_id")
    assert mine["sku_id"].to_list() == lib["sku_id"].to_list()
    assert_allclose(mine["units_sold"].to_numpy(), lib["units_sold"].to_numpy())
    assert_allclose(mine["stockout_days"].to_numpy(), lib["stockout_days"].to_numpy())
    assert_allclose(mine["stock_value"].to_numpy(), lib["ending_value"].to_numpy())


def test_security_headers(reader: Client) -> None:
    response = reader("vic").get("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["server-timing"].startswith("app;dur=")
