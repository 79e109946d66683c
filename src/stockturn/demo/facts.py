"""Stock, shipments, purchase orders and costs derived from the demo simulation (generated data)."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from stockturn.demo import world
from stockturn.demo.simulate import SimulationOutput

USD_PER_CNY = 0.15


def _day(start: date, offsets: pl.Expr) -> pl.Expr:
    return pl.lit(start) + pl.duration(days=offsets)


def stock_snapshots(out: SimulationOutput, keys: pl.DataFrame, skus: pl.DataFrame, start: date) -> pl.DataFrame:
    days, n_keys = out.on_hand.shape
    sales = pl.DataFrame({
        "day": np.repeat(np.arange(days), n_keys),
        "warehouse_id": np.tile(keys["warehouse_id"].to_numpy(), days),
        "sku_id": np.tile(keys["sku_id"].to_numpy(), days),
        "on_hand": out.on_hand.ravel(),
        "inbound": out.in_transit.ravel(),
    })
    n_skus = skus.height
    home = pl.DataFrame({
        "day": np.repeat(np.arange(days), n_skus),
        "warehouse_id": "CN-HOME",
        "sku_id": np.tile(skus["sku_id"].to_numpy(), days),
        "on_hand": out.home_on_hand.ravel(),
        "inbound": out.home_on_order.ravel(),
    })
    return pl.concat([sales, home]).with_columns(
        _day(start, pl.col("day")).dt.date().alias("snapshot_date"),
        pl.lit(0.0).alias("reserved"),
        pl.lit(0.0).alias("unfulfillable"),
    ).drop("day")


def shipments(out: SimulationOutput, skus: pl.DataFrame, start: date, end: date,
              sales_warehouses: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    head = pl.DataFrame(out.shipments, schema=["day", "wh", "mode", "arrival"], orient="row").with_row_index("no")
    lines = pl.DataFrame(out.shipment_lines, schema=["no", "sku", "qty"], orient="row").with_columns(
        pl.col("no").cast(pl.UInt32))
    routes = world.ROUTES.select("to_warehouse_id", "mode", "transit_mean_days", "customs_days",
                                 "receiving_days", "cost_per_kg")
    head = head.with_columns(
        pl.col("wh").replace_strict(dict(enumerate(sales_warehouses))).alias("to_warehouse_id"),
        _day(start, pl.col("day")).dt.date().alias("ship_date"),
    ).join(routes, on=["to_warehouse_id", "mode"]).with_columns(
        (pl.col("ship_date") + pl.duration(days=(pl.col("transit_mean_days") + pl.col("customs_days")
                                                 + pl.col("receiving_days")).round().cast(pl.Int64))).alias("eta"),
        _day(start, pl.col("arrival")).dt.date().alias("arrival_date"),
    )
    head = head.with_columns(
        pl.format("SHP-{}-{}-{}", pl.col("ship_date").dt.strftime("%y%m%d"), pl.col("to_warehouse_id"),
                  pl.col("mode")).alias("shipment_id"),
        pl.when(pl.col("arrival_date") <= end).then(pl.col("arrival_date")).alias("arrived_date"),
        pl.when(pl.col("arrival_date") <= end).then(pl.lit("arrived")).otherwise(pl.lit("in_transit")).alias("status"),
    )
    lines = lines.join(head.select("no", "shipment_id"), on="no").sort("no", "sku").with_columns(
        pl.col("sku").replace_strict(dict(enumerate(skus["sku_id"]))).alias("sku_id"),
        pl.int_range(1, pl.len() + 1).over("shipment_id").cast(pl.Int32).alias("line_no"),
    ).join(skus.select("sku_id", "weight_kg"), on="sku_id")
    freight = lines.group_by("shipment_id").agg((pl.col("qty") * pl.col("weight_kg")).sum().alias("kg"))
    head = head.join(freight, on="shipment_id").with_columns(
        (pl.col("kg") * pl.col("cost_per_kg")).round(2).alias("freight_cost"),
        pl.lit("CN-HOME").alias("from_warehouse_id"),
        pl.lit("USD").alias("currency"),
    )
    return (
        head.select("shipment_id", "from_warehouse_id", "to_warehouse_id", "mode", "ship_date", "eta",
                    "arrived_date", "freight_cost", "currency", "status", "arrival_date"),
        lines.select("shipment_id", "line_no", "sku_id", "qty"),
    )


def purchase_orders(out: SimulationOutput, skus: pl.DataFrame, start: date, end: date
                    ) -> tuple[pl.DataFrame, pl.DataFrame]:
    lines = pl.DataFrame(out.order_lines, schema=["day", "sku", "qty", "ready"], orient="row").with_columns(
        pl.col("sku").replace_strict(dict(enumerate(skus["sku_id"]))).alias("sku_id"),
    ).join(skus.select("sku_id", "supplier_id", "purchase_cny"), on="sku_id").sort("day", "sku").with_columns(
        _day(start, pl.col("day")).dt.date().alias("ordered_at"),
        _day(start, pl.col("ready")).dt.date().alias("ready_date"),
    ).with_columns(
        pl.format("PO-{}-{}", pl.col("ordered_at").dt.strftime("%y%m%d"), pl.col("supplier_id")).alias("po_id"))
    head = lines.group_by("po_id", "supplier_id", "ordered_at").agg(
        pl.col("ready_date").max().alias("expected_ready")).join(world.SUPPLIERS, on="supplier_id")
    received = (pl.col("expected_ready") + pl.duration(days=2)) <= end
    head = head.with_columns(
        pl.lit("CN-HOME").alias("destination_warehouse_id"),
        pl.when(received).then(pl.lit("received")).otherwise(pl.lit("open")).alias("status"),
    ).sort("po_id")
    lines = lines.join(head.select("po_id", "status"), on="po_id").with_columns(
        pl.int_range(1, pl.len() + 1).over("po_id").cast(pl.Int32).alias("line_no"),
        pl.col("qty").alias("qty_ordered"),
        pl.when(pl.col("status") == "received").then(pl.col("qty")).otherwise(0.0).alias("qty_received"),
        pl.col("purchase_cny").alias("unit_price"),
    )
    return (
        head.select("po_id", "supplier_id", "ordered_at", "expected_ready", "destination_warehouse_id", "currency",
                    "status", "payment_terms_days", "deposit_share"),
        lines.select("po_id", "line_no", "sku_id", "qty_ordered", "qty_received", "unit_price", "ready_date"),
    )


def movements(ship_head: pl.DataFrame, ship_lines: pl.DataFrame, po_lines: pl.DataFrame,
              costs: pl.DataFrame, end: date) -> pl.DataFrame:
    landed = costs.filter(pl.col("valid_from") == pl.col("valid_from").min()).select(
        "sku_id", (pl.col("purchase_cost") + pl.col("freight_cost") + pl.col("duty_cost")
                   + pl.col("other_cost")).alias("landed"))
    shipped = ship_lines.join(ship_head, on="shipment_id").join(landed, on="sku_id")
    out_of_home = shipped.select(
        pl.format("{}/{}", "shipment_id", "line_no").alias("movement_key"),
        pl.col("ship_date").cast(pl.Datetime).alias("moved_at"), pl.col("from_warehouse_id").alias("warehouse_id"),
        "sku_id", pl.lit("transfer_out").alias("movement_type"), (-pl.col("qty")).alias("qty"),
        pl.col("landed").alias("unit_cost"), pl.lit("USD").alias("currency"), pl.col("shipment_id").alias("reference"))
    into_market = shipped.filter(pl.col("arrived_date").is_not_null()).select(
        pl.format("{}/{}", "shipment_id", "line_no").alias("movement_key"),
        pl.col("arrived_date").cast(pl.Datetime).alias("moved_at"), pl.col("to_warehouse_id").alias("warehouse_id"),
        "sku_id", pl.lit("transfer_in").alias("movement_type"), "qty",
        pl.col("landed").alias("unit_cost"), pl.lit("USD").alias("currency"), pl.col("shipment_id").alias("reference"))
    receipts = po_lines.filter((pl.col("ready_date") + pl.duration(days=2)) <= end).join(landed, on="sku_id").select(
        pl.format("{}/{}", "po_id", "line_no").alias("movement_key"),
        (pl.col("ready_date") + pl.duration(days=2)).cast(pl.Datetime).alias("moved_at"),
        pl.lit("CN-HOME").alias("warehouse_id"), "sku_id", pl.lit("receipt").alias("movement_type"),
        pl.col("qty_ordered").alias("qty"), pl.col("landed").alias("unit_cost"), pl.lit("USD").alias("currency"),
        pl.col("po_id").alias("reference"))
    return pl.concat([receipts, out_of_home, into_market])


def unit_costs(skus: pl.DataFrame, start: date) -> pl.DataFrame:
    """Landed cost per unit in USD: purchase ~28 % of the UK price, sea freight by weight, 4 % duty, prep.
    Kitchen items cost 6 % more from 2011-03-01 (a supplier price rise), so cost history matters."""
    base = skus.select(
        "sku_id", pl.lit(start).alias("valid_from"), pl.lit("USD").alias("currency"),
        pl.col("purchase_cny").mul(USD_PER_CNY).round(2).alias("purchase_cost"),
        (pl.col("weight_kg") * 1.15).round(2).alias("freight_cost"),
        (pl.col("purchase_cny") * USD_PER_CNY * 0.04).round(2).alias("duty_cost"),
        pl.lit(0.15).alias("other_cost"), "category")
    rise = base.filter(pl.col("category") == "Kitchen").with_columns(
        pl.lit(date(2011, 3, 1)).alias("valid_from"), (pl.col("purchase_cost") * 1.06).round(2),
        (pl.col("duty_cost") * 1.06).round(2))
    return pl.concat([base, rise]).drop("category")
