"""Generic supply files: purchase orders, shipments in transit, suppliers, unit costs.

PO and shipment files have one row per line, with the header fields repeated on every line; the header
table gets the first row of each PO/shipment.
"""

from __future__ import annotations

import polars as pl

from stockturn.ingestion.contract import Col, ImportContext
from stockturn.ingestion.generic import GenericImporter, check_in, check_min, fill_rank
from stockturn.ingestion.readers import RawTable
from stockturn.ingestion.registry import register

PO_STATUSES = ("draft", "open", "shipped", "received", "cancelled")
MODES = ("sea", "rail", "air", "express", "truck")
SHIPMENT_STATUSES = ("planned", "in_transit", "arrived", "cancelled")

PO_HEAD = ("po_id", "supplier_id", "ordered_at", "expected_ready", "destination_warehouse_id", "currency",
           "status", "payment_terms_days", "deposit_share")
PO_LINE = ("po_id", "line_no", "source_sku", "qty_ordered", "qty_received", "unit_price")


@register
class GenericPurchaseOrders(GenericImporter):
    name = "generic_purchase_orders"
    description = "Purchase order lines with their PO header fields (po_id, supplier, dates, sku, qty, price)"
    target = "purchase_order"
    targets = ("purchase_order", "purchase_order_line")
    scope = "warehouse"
    cols = (
        Col("po_id", ("po_id", "po", "po number", "purchase order")),
        Col("supplier_id", ("supplier_id", "supplier", "vendor")),
        Col("ordered_at", ("ordered_at", "order date", "po date"), "date"),
        Col("expected_ready", ("expected_ready", "ready date", "expected date"), "date", required=False),
        Col("destination_warehouse_id", ("destination", "destination_warehouse_id", "warehouse"), required=False),
        Col("currency", ("currency",), "currency"),
        Col("status", ("status",), default="open"),
        Col("payment_terms_days", ("payment_terms_days", "payment terms"), "int", default=0),
        Col("deposit_share", ("deposit_share", "deposit"), "float", default=0.0),
        Col("line_no", ("line_no", "line"), "int", required=False),
        Col("source_sku", ("sku", "item", "product code")),
        Col("qty_ordered", ("qty_ordered", "qty", "quantity"), "float"),
        Col("qty_received", ("qty_received", "received"), "float", default=0.0),
        Col("unit_price", ("unit_price", "price", "unit cost"), "float"),
    )

    def finish(self, frame: pl.DataFrame, raw: RawTable, ctx: ImportContext) -> dict[str, pl.DataFrame]:
        frame = fill_rank(frame, "line_no", "po_id").with_columns(pl.col("status").str.to_lowercase())
        if ctx.warehouse is not None:
            frame = frame.with_columns(pl.col("destination_warehouse_id").fill_null(ctx.warehouse))
        check_in(frame, "status", PO_STATUSES, ctx, self.header(raw, "status"))
        for name in ("qty_ordered", "qty_received", "unit_price"):
            check_min(frame, name, 0, ctx, self.header(raw, name))
        head = frame.unique("po_id", keep="first", maintain_order=True).select("__row", *PO_HEAD)
        return {"purchase_order": head, "purchase_order_line": frame.select("__row", *PO_LINE)}


@register
class GenericShipments(GenericImporter):
    name = "generic_shipments"
    description = "Shipment lines in transit (shipment_id, from, to, mode, ship_date, eta, sku, qty)"
    target = "shipment"
    targets = ("shipment", "shipment_line")
    scope = "warehouse"
    cols = (
        Col("shipment_id", ("shipment_id", "shipment", "tracking", "container")),
        Col("from_warehouse_id", ("from_warehouse", "from", "origin")),
        Col("to_warehouse_id", ("to_warehouse", "to", "destination")),
        Col("mode", ("mode", "transport", "ship mode")),
        Col("ship_date", ("ship_date", "shipped", "departure"), "date"),
        Col("eta", ("eta", "expected arrival"), "date"),
        Col("arrived_date", ("arrived_date", "arrived"), "date", required=False),
        Col("freight_cost", ("freight_cost", "freight"), "float", default=0.0),
        Col("currency", ("currency",), "currency"),
        Col("status", ("status",), required=False),
        Col("line_no", ("line_no", "line"), "int", required=False),
        Col("source_sku", ("sku", "item")),
        Col("qty", ("qty", "quantity", "units"), "float"),
        Col("po_id", ("po_id", "po"), required=False),
    )

    def finish(self, frame: pl.DataFrame, raw: RawTable, ctx: ImportContext) -> dict[str, pl.DataFrame]:
        frame = fill_rank(frame, "line_no", "shipment_id").with_columns(
            pl.col("mode").str.to_lowercase(),
            pl.col("status").str.to_lowercase().fill_null(
                pl.when(pl.col("arrived_date").is_null()).then(pl.lit("in_transit")).otherwise(pl.lit("arrived"))),
        )
        check_in(frame, "mode", MODES, ctx, self.header(raw, "mode"))
        check_in(frame, "status", SHIPMENT_STATUSES, ctx, self.header(raw, "status"))
        check_min(frame, "qty", 0, ctx, self.header(raw, "qty"))
        head_cols = ("shipment_id", "from_warehouse_id", "to_warehouse_id", "mode", "ship_date", "eta",
                     "arrived_date", "freight_cost", "currency", "status")
        head = frame.unique("shipment_id", keep="first", maintain_order=True).select("__row", *head_cols)
        lines = frame.select("__row", "shipment_id", "line_no", "source_sku", "qty", "po_id")
        return {"shipment": head, "shipment_line": lines}


@register
class GenericSuppliers(GenericImporter):
    name = "generic_suppliers"
    description = "Suppliers: supplier_id, name, currency, lead_time_mean_days (+ sd, MOQ, terms, deposit)"
    target = "supplier"
    cols = (
        Col("supplier_id", ("supplier_id", "supplier code", "vendor id")),
        Col("name", ("name", "supplier name", "vendor")),
        Col("country", ("country",), required=False),
        Col("currency", ("currency",), "currency"),
        Col("lead_time_mean_days", ("lead_time_mean_days", "lead time", "lead time days"), "float"),
        Col("lead_time_sd_days", ("lead_time_sd_days", "lead time sd"), "float", default=0.0),
        Col("moq_units", ("moq_units", "moq"), "int", default=1),
        Col("payment_terms_days", ("payment_terms_days", "payment terms"), "int", default=0),
        Col("deposit_share", ("deposit_share", "deposit"), "float", default=0.0),
        Col("capacity_units_month", ("capacity_units_month", "capacity"), "int", required=False),
    )


@register
class GenericUnitCosts(GenericImporter):
    name = "generic_unit_costs"
    description = "Landed unit cost per SKU from a date: purchase, freight, duty, other costs"
    target = "unit_cost"
    cols = (
        Col("source_sku", ("sku", "item", "product code")),
        Col("valid_from", ("valid_from", "from", "date", "effective date"), "date"),
        Col("currency", ("currency",), "currency"),
        Col("purchase_cost", ("purchase_cost", "cost", "unit cost", "purchase price"), "float"),
        Col("freight_cost", ("freight_cost", "freight"), "float", default=0.0),
        Col("duty_cost", ("duty_cost", "duty"), "float", default=0.0),
        Col("other_cost", ("other_cost", "other"), "float", default=0.0),
    )

    def finish(self, frame: pl.DataFrame, raw: RawTable, ctx: ImportContext) -> dict[str, pl.DataFrame]:
        for name in ("purchase_cost", "freight_cost", "duty_cost", "other_cost"):
            check_min(frame, name, 0, ctx, self.header(raw, name))
        return {self.target: frame}
