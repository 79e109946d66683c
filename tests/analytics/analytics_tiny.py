"""Helpers to fill tiny temporary warehouses with insert_frame, for hand-computed metric cases."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl

from stockturn.warehouse import Warehouse, insert_frame

START = date(2024, 1, 1)


def day(n: int) -> date:
    """Day n of the test calendar (day 1 = 2024-01-01)."""
    return START + timedelta(days=n - 1)


def masters(wh: Warehouse, skus: list[str], *, dims_cm: float | None = 10.0) -> None:
    insert_frame(wh, "warehouse", pl.DataFrame({
        "warehouse_id": ["W1", "W2"], "name": ["one", "two"], "type": ["3pl", "fba"], "country": ["US", "DE"],
        "region": ["NA", "EU"], "currency": ["USD", "EUR"]}))
    insert_frame(wh, "channel", pl.DataFrame({
        "channel_id": ["C1", "C2", "C3"], "name": ["one", "two", "three"], "platform": ["shopify", "amazon", "b2b"],
        "country": ["US", "DE", "US"], "currency": ["USD", "EUR", "USD"]}))
    insert_frame(wh, "sku", pl.DataFrame({
        "sku_id": skus, "title": skus, "brand": ["Brand"] * len(skus),
        "category": ["Cat1" if i % 2 == 0 else "Cat2" for i in range(len(skus))],
        "length_cm": [dims_cm] * len(skus), "width_cm": [dims_cm] * len(skus), "height_cm": [dims_cm] * len(skus)}))
    insert_frame(wh, "unit_cost", pl.DataFrame({
        "sku_id": skus, "valid_from": [date(2023, 12, 1)] * len(skus), "currency": ["USD"] * len(skus),
        "purchase_cost": [8.0] * len(skus), "freight_cost": [1.5] * len(skus), "duty_cost": [0.5] * len(skus),
        "other_cost": [0.0] * len(skus)}))
    days = pl.date_range(date(2023, 11, 1), date(2024, 12, 31), eager=True)
    insert_frame(wh, "fx_rate", pl.DataFrame({
        "rate_date": days, "currency": ["EUR"] * len(days), "quote_currency": ["USD"] * len(days),
        "rate": [1.1] * len(days)}))


def snapshots(wh: Warehouse, sku: str, warehouse: str, on_hand: list[float], first_day: int = 1) -> None:
    insert_frame(wh, "stock_snapshot", pl.DataFrame({
        "snapshot_date": [day(first_day + i) for i in range(len(on_hand))], "warehouse_id": warehouse,
        "sku_id": sku, "on_hand": on_hand}))


_order = iter(range(1, 10**6))


def sale(sku: str, when: int, qty: float, price: float, *, channel: str = "C1", warehouse: str = "W1",
         currency: str = "USD", fees: float = 0.0, line_type: str | None = None) -> dict[str, object]:
    return {"order_id": f"O{next(_order)}", "line_no": 1, "channel_id": channel,
            "ordered_at": datetime.combine(day(when), datetime.min.time()) + timedelta(hours=12),
            "source_sku": sku, "sku_id": sku, "warehouse_id": warehouse, "qty": qty, "unit_price": price,
            "currency": currency, "fees": fees, "line_type": line_type or ("return" if qty < 0 else "product")}


def sales(wh: Warehouse, rows: list[dict[str, object]]) -> None:
    insert_frame(wh, "sales_line", pl.DataFrame(rows))


