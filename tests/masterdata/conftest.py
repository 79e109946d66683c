"""A small warehouse with the shapes master data must handle: aliases of several types and scopes,
mapped and unmapped sales lines, ad spend, and stock snapshots whose sku_id fell back to the source id."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from stockturn.warehouse import Warehouse, open_warehouse

SETUP = """
INSERT INTO channel VALUES
    ('AMZ-US', 'Amazon US', 'amazon', 'US', 'USD', NULL, NULL, NULL),
    ('SHOP-US', 'Shopify US', 'shopify', 'US', 'USD', NULL, NULL, NULL);
INSERT INTO sku (sku_id, title) VALUES
    ('MASK-10', '水润保湿面膜10片装'), ('MASK-20', '水润保湿面膜20片装'), ('BAG-RED', 'Jumbo Bag Red Retrospot');
INSERT INTO sku_alias (alias_type, alias, scope, sku_id) VALUES
    ('seller_sku', 'AMZ-MASK10', '', 'MASK-10'),
    ('asin', 'B0MASK0010', '', 'MASK-10'),
    ('shopify_sku', 'SH-MASK20', '', 'MASK-20'),
    ('seller_sku', 'AMZ-MASK20', '', 'MASK-20'),
    ('seller_sku', 'AMZ-BAG', '', 'BAG-RED'),
    ('name', 'JUMBO BAG RED RETROSPOT', '', 'BAG-RED');
INSERT INTO sales_line (order_id, line_no, channel_id, ordered_at, source_sku, sku_id, qty, unit_price, currency)
VALUES
    ('o1', 1, 'AMZ-US', '2024-01-01 10:00', 'AMZ-MASK10', 'MASK-10', 2, 9.9, 'USD'),
    ('o2', 1, 'AMZ-US', '2024-01-02 10:00', 'AMZ-MASK20', 'MASK-20', 1, 15.9, 'USD'),
    ('o3', 1, 'SHOP-US', '2024-01-02 11:00', 'SH-MASK20', 'MASK-20', 3, 15.9, 'USD'),
    ('o4', 1, 'SHOP-US', '2024-01-03 11:00', '面膜10P', NULL, 1, 9.9, 'USD'),
    ('o5', 1, 'AMZ-US', '2024-01-03 12:00', '８５０９９ｃ', NULL, 4, 2.5, 'USD'),
    ('o6', 1, 'AMZ-US', '2024-01-04 12:00', 'AMZ-BAG', 'BAG-RED', 5, 2.5, 'USD');
INSERT INTO ad_spend (spend_date, channel_id, campaign, sku_id, source_sku, spend, currency) VALUES
    ('2024-01-01', 'AMZ-US', 'c1', 'MASK-10', 'B0MASK0010', 3.0, 'USD'),
    ('2024-01-01', 'AMZ-US', 'c1', 'MASK-20', 'AMZ-MASK20', 4.0, 'USD');
INSERT INTO stock_snapshot (snapshot_date, warehouse_id, sku_id, on_hand, source_sku) VALUES
    ('2024-01-05', 'FBA-US', 'MASK-10', 10, 'AMZ-MASK10'),
    ('2024-01-05', 'FBA-US', 'MASK-20', 7, 'AMZ-MASK20'),
    ('2024-01-05', 'FBA-US', 'X-FNSKU-9', 1, 'X-FNSKU-9');
INSERT INTO unit_cost (sku_id, valid_from, currency, purchase_cost) VALUES
    ('MASK-10', '2024-01-01', 'CNY', 5.0), ('MASK-20', '2024-01-01', 'CNY', 9.0);
"""

TABLES = ("sku", "sku_alias", "sales_line", "ad_spend", "stock_snapshot", "unit_cost")


@pytest.fixture
def small_wh(tmp_path: Path) -> Iterator[Warehouse]:
    with open_warehouse(tmp_path / "w.duckdb", create=True) as wh:
        columns = {r[0] for r in wh.con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'channel'").fetchall()}
        setup = SETUP
        if len(columns) != 8:  # the channel table gained or lost a column: name the ones we fill
            setup = setup.replace("INSERT INTO channel VALUES", "INSERT INTO channel "
                                  "(channel_id, name, platform, country, currency, import_id, source_file, source_row) "
                                  "VALUES")
        wh.con.execute(setup)
        yield wh


Rows = dict[str, list[tuple[object, ...]]]


def dump(wh: Warehouse) -> Rows:
    """Every row of the tables master data touches, in a stable order."""
    return {t: wh.con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in TABLES}


@pytest.fixture
def rows() -> Callable[[Warehouse], Rows]:
    return dump
