"""Generate the analytics benchmark warehouse inside DuckDB (range() joins, no Python rows):
30,000 SKU-locations (6,000 SKUs x 5 warehouses) x 1,900 days of daily stock snapshots = 57.0 million
rows, plus weekly sales lines (~8 million), FIFO receipts (~1 million), unit costs with a price change,
daily FX rates for three currencies, receivables and payables.

    .venv/bin/python benchmarks/analytics_data.py [PATH]     (default /tmp/stockturn-bench/analytics.duckdb)

Stock follows a seeded saw-tooth per SKU-location: a receipt of Q units every L days, selling r a day, so
some locations run out before the next receipt (real stockouts) and some carry old stock (aging).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from stockturn.warehouse import open_warehouse

DEFAULT = Path("/tmp/stockturn-bench/analytics.duckdb")
N_SKUS = 6_000
N_DAYS = 1_900
START = "2019-01-01"

# Per SKU-location parameters from a hash: r units/day, cycle L days, phase, order quantity Q.
LOCS = f"""
    SELECT l, k, w, 'S' || lpad(CAST(k AS VARCHAR), 5, '0') AS sku_id,
           ['W-US-FBA', 'W-UK-FBA', 'W-DE-FBA', 'W-US-3PL', 'W-CN-OWN'][w + 1] AS warehouse_id,
           ['C-AMZ-US', 'C-AMZ-UK', 'C-AMZ-DE', 'C-SHOP-US', 'C-B2B-CN'][w + 1] AS channel_id,
           ['USD', 'GBP', 'EUR', 'USD', 'CNY'][w + 1] AS currency,
           CAST(1 + hash(l, 1) % 12 AS BIGINT) AS r, CAST(20 + hash(l, 2) % 90 AS BIGINT) AS cyc,
           CAST(hash(l, 3) % 200 AS BIGINT) AS phase, 0.85 + CAST(hash(l, 4) % 40 AS BIGINT) / 100.0 AS fill
      FROM (SELECT range AS l, range // 5 AS k, range % 5 AS w FROM range({N_SKUS * 5}))"""


def generate(path: Path) -> dict[str, float]:
    """Fill the warehouse at `path`, skipping steps whose table already has rows (resumable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    with open_warehouse(path, create=True) as wh:
        con = wh.con
        con.execute("SET preserve_insertion_order = false")

        def step(name: str, sql: str) -> None:
            table = sql.split("INSERT INTO", 1)[1].split()[0] if "INSERT INTO" in sql else ""
            if table and con.execute(f"SELECT count(*) > 0 FROM {table}").fetchall()[0][0]:
                print(f"  {name}: already there", flush=True)
                return
            started = time.perf_counter()
            con.execute(sql)
            timings[name] = time.perf_counter() - started
            print(f"  {name}: {timings[name]:.1f} s", flush=True)

        step("masters", f"""
            INSERT INTO warehouse VALUES
              ('W-US-FBA', 'FBA US', 'fba', 'US', 'NA', 'USD', NULL, NULL, NULL),
              ('W-UK-FBA', 'FBA UK', 'fba', 'GB', 'EU', 'GBP', NULL, NULL, NULL),
              ('W-DE-FBA', 'FBA DE', 'fba', 'DE', 'EU', 'EUR', NULL, NULL, NULL),
              ('W-US-3PL', '3PL US', '3pl', 'US', 'NA', 'USD', NULL, NULL, NULL),
              ('W-CN-OWN', 'Home CN', 'own', 'CN', 'APAC', 'CNY', NULL, NULL, NULL);
            INSERT INTO channel VALUES
              ('C-AMZ-US', 'Amazon US', 'amazon', 'US', 'USD', NULL, NULL, NULL),
              ('C-AMZ-UK', 'Amazon UK', 'amazon', 'GB', 'GBP', NULL, NULL, NULL),
              ('C-AMZ-DE', 'Amazon DE', 'amazon', 'DE', 'EUR', NULL, NULL, NULL),
              ('C-SHOP-US', 'Shopify', 'shopify', 'US', 'USD', NULL, NULL, NULL),
              ('C-B2B-CN', 'B2B China', 'b2b', 'CN', 'CNY', NULL, NULL, NULL);
            INSERT INTO sku (sku_id, title, brand, category, length_cm, width_cm, height_cm, weight_kg)
              SELECT 'S' || lpad(CAST(range AS VARCHAR), 5, '0'), 'Item ' || range, 'Brand ' || (range % 40),
                     'Category ' || (range % 25), 10 + range % 30, 8 + range % 20, 5 + range % 15,
                     0.2 + (range % 50) / 20
                FROM range({N_SKUS});
            INSERT INTO unit_cost (sku_id, valid_from, currency, purchase_cost, freight_cost, duty_cost, other_cost)
              SELECT 'S' || lpad(CAST(range AS VARCHAR), 5, '0'), DATE '{START}', 'USD',
                     2 + range % 40, 0.5 + (range % 7) / 4, 0.1 + (range % 5) / 10, 0.15 FROM range({N_SKUS})
              UNION ALL
              SELECT 'S' || lpad(CAST(range AS VARCHAR), 5, '0'), DATE '{START}' + INTERVAL 900 DAY, 'USD',
                     (2 + range % 40) * 1.06, 0.5 + (range % 7) / 4, 0.1 + (range % 5) / 10, 0.15
                FROM range({N_SKUS}) WHERE range % 3 = 0;
            INSERT INTO fx_rate (rate_date, currency, quote_currency, rate)
              SELECT DATE '{START}' - INTERVAL 30 DAY + INTERVAL (d) DAY, c.cur, 'USD',
                     c.base * (1 + 0.05 * sin(d / 90.0))
                FROM range({N_DAYS + 60}) t(d)
                CROSS JOIN (VALUES ('EUR', 1.12), ('GBP', 1.30), ('CNY', 0.145)) c(cur, base);""")
        step("stock_snapshot (57M rows)", f"""
            INSERT INTO stock_snapshot (snapshot_date, warehouse_id, sku_id, on_hand, reserved, inbound, unfulfillable)
            SELECT DATE '{START}' + CAST(d AS INTEGER), warehouse_id, sku_id,
                   greatest(0, round(r * cyc * fill) - r * ((d + phase) % cyc)) AS on_hand, 0, 0, 0
              FROM range({N_DAYS}) t(d) CROSS JOIN ({LOCS}) locs""")
        step("sales_line (weekly lines)", f"""
            INSERT INTO sales_line (order_id, line_no, channel_id, ordered_at, source_sku, sku_id, warehouse_id,
                                    qty, unit_price, currency, fees, line_type)
            SELECT 'O' || l || '-' || d, 1, channel_id,
                   CAST(DATE '{START}' + CAST(d AS INTEGER) AS TIMESTAMP) + INTERVAL 12 HOUR,
                   sku_id, sku_id, warehouse_id,
                   CASE WHEN (d + l) % 97 = 0 THEN -r ELSE 7 * r END,
                   (6 + k % 40 * 1.1) * CASE currency WHEN 'GBP' THEN 0.8 WHEN 'EUR' THEN 0.9
                                                      WHEN 'CNY' THEN 7.0 ELSE 1 END,
                   currency, 0.0, CASE WHEN (d + l) % 97 = 0 THEN 'return' ELSE 'product' END
              FROM range({N_DAYS}) t(d) CROSS JOIN ({LOCS}) locs
             WHERE (d + l) % 7 = 0
               AND round(r * cyc * fill) - r * ((d + phase) % cyc) > 0""")
        step("stock_movement (receipts)", f"""
            INSERT INTO stock_movement (movement_key, moved_at, warehouse_id, sku_id, movement_type, qty)
            SELECT 'R' || l || '-' || d, CAST(DATE '{START}' + CAST(d AS INTEGER) AS TIMESTAMP), warehouse_id,
                   sku_id, 'receipt', round(r * cyc * fill)
              FROM range({N_DAYS}) t(d) CROSS JOIN ({LOCS}) locs
             WHERE (d + phase) % cyc = 0""")
        step("receivables and payables", f"""
            INSERT INTO receivable (doc_id, counterparty, channel_id, issued_date, due_date, amount, currency,
                                    paid_date, paid_amount)
            SELECT 'AR' || c || '-' || d, ch, ch, DATE '{START}' + CAST(d AS INTEGER),
                   DATE '{START}' + CAST(d AS INTEGER) + 14, 50000 + 1000 * (d % 13), 'USD',
                   CASE WHEN d < {N_DAYS - 20} THEN DATE '{START}' + CAST(d AS INTEGER) + 16 END,
                   CASE WHEN d < {N_DAYS - 20} THEN 50000 + 1000 * (d % 13) ELSE 0 END
              FROM range(0, {N_DAYS}, 14) t(d)
              CROSS JOIN (SELECT row_number() OVER () AS c, channel_id AS ch FROM channel) chs;
            INSERT INTO supplier (supplier_id, name, currency, lead_time_mean_days)
              VALUES ('SUP1', 'Factory', 'USD', 25);
            INSERT INTO payable (doc_id, supplier_id, issued_date, due_date, amount, currency, paid_date, paid_amount)
            SELECT 'AP' || d, 'SUP1', DATE '{START}' + CAST(d AS INTEGER), DATE '{START}' + CAST(d AS INTEGER) + 30,
                   200000, 'USD', CASE WHEN d < {N_DAYS - 35} THEN DATE '{START}' + CAST(d AS INTEGER) + 30 END,
                   CASE WHEN d < {N_DAYS - 35} THEN 200000 ELSE 0 END
              FROM range(0, {N_DAYS}, 7) t(d)""")
        step("checkpoint", "CHECKPOINT")
        rows = con.execute("SELECT (SELECT count(*) FROM stock_snapshot), (SELECT count(*) FROM sales_line), "
                           "(SELECT count(*) FROM stock_movement)").fetchall()[0]
        print(f"  rows: snapshots {rows[0]:,}, sales lines {rows[1]:,}, receipts {rows[2]:,}", flush=True)
    return timings


def ensure(path: Path = DEFAULT) -> Path:
    """Generate the benchmark warehouse unless a complete one is already there."""
    if path.exists():
        try:
            with open_warehouse(path, read_only=True) as wh:
                complete = wh.scalar(
                    "SELECT (SELECT count(*) FROM stock_snapshot) = ? AND (SELECT count(*) FROM payable) > 0",
                    [N_SKUS * 5 * N_DAYS])
                if complete:
                    return path
        except Exception:  # a half-written or outdated file: regenerate it
            pass
    print(f"generating {path} ...", flush=True)
    generate(path)
    return path


if __name__ == "__main__":
    ensure(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
