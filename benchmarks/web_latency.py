"""Dashboard latency: SKU list and SKU detail pages on a warehouse of 30,000 SKU-locations, 20 concurrent
clients on loopback against a live uvicorn server; p95 server time (the Server-Timing header) must stay under
300 ms. The same request mix from one client runs first, in the same process, as the baseline.

    .venv/bin/python benchmarks/web_latency.py [--skus 6000] [--days 120] [--clients 20] [--requests 20]

The warehouse is generated (seeded, deterministic) in benchmarks/out/web_latency.duckdb: 6,000 SKUs x 5
warehouses = 30,000 SKU-locations, 120 days of daily stock snapshots (3.6 M rows) and about 1.3 M sales lines.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from stockturn.warehouse import open_warehouse

OUT = Path(__file__).resolve().parent / "out"
WAREHOUSES = ("CN-HOME", "FBA-US", "FBA-UK", "FBA-DE", "3PL-US")
CATEGORIES = ("Gifts", "Kitchen", "Bags", "Lighting", "Home decor", "Paper", "Christmas", "Garden", "Toys",
              "Beauty", "Pets", "Office")


def generate(path: Path, skus: int, days: int) -> dict[str, int]:
    """A seeded warehouse: masters, daily snapshots with stockouts, daily sales, landed costs (all USD)."""
    if path.exists():
        path.unlink()
    with open_warehouse(path, create=True) as wh:
        con = wh.con
        params = {"skus": skus, "days": days, "end": "2024-06-30"}
        con.execute("""INSERT INTO warehouse (warehouse_id, name, type, country, region, currency) VALUES
            ('CN-HOME', 'Home', 'own', 'CN', 'APAC', 'USD'), ('FBA-US', 'FBA US', 'fba', 'US', 'NA', 'USD'),
            ('FBA-UK', 'FBA UK', 'fba', 'GB', 'EU', 'USD'), ('FBA-DE', 'FBA DE', 'fba', 'DE', 'EU', 'USD'),
            ('3PL-US', '3PL', '3pl', 'US', 'NA', 'USD')""")
        con.execute("INSERT INTO channel VALUES ('AMZ-US', 'Amazon US', 'amazon', 'US', 'USD', NULL, NULL, NULL)")
        con.execute("""INSERT INTO supplier (supplier_id, name, country, currency, lead_time_mean_days)
            SELECT 'SUP-' || i, 'Supplier ' || i, 'CN', 'USD', 20 + i FROM range(10) t(i)""")
        con.execute("""INSERT INTO route (from_warehouse_id, to_warehouse_id, mode, transit_mean_days, currency)
            SELECT 'CN-HOME', w, 'sea', 30, 'USD' FROM unnest(['FBA-US', 'FBA-UK', 'FBA-DE', '3PL-US']) t(w)""")
        categories = "[" + ", ".join(f"'{c}'" for c in CATEGORIES) + "]"
        con.execute(f"""INSERT INTO sku (sku_id, title, brand, category, case_pack)
            SELECT 'S' || lpad(i::VARCHAR, 5, '0'), 'Item ' || i || ' ' || ['red', 'blue', 'green', 'black'][i % 4 + 1],
                   'Brand ' || (i % 20), {categories}[i % 12 + 1], 6
            FROM range($skus) t(i)""", {"skus": skus})
        con.execute("""INSERT INTO sku_supplier (sku_id, supplier_id, unit_price)
            SELECT sku_id, 'SUP-' || CAST(hash(sku_id) % 10 AS INTEGER), 3.0 FROM sku""")
        con.execute("""INSERT INTO unit_cost (sku_id, valid_from, currency, purchase_cost, freight_cost)
            SELECT sku_id, DATE '2020-01-01', 'USD', 2 + CAST(hash(sku_id) % 50 AS INTEGER) * 0.3, 0.4 FROM sku""")
        con.execute("""INSERT INTO sku_alias (alias_type, alias, sku_id) SELECT 'seller_sku', 'SS-' || sku_id, sku_id
            FROM sku""")
        # Daily snapshots in date order, as daily imports write them. Stock saws down each 30-day cycle from a
        # per-location level and a per-location rate, so some locations run out for part of each cycle.
        con.execute("""INSERT INTO stock_snapshot (snapshot_date, warehouse_id, sku_id, on_hand, reserved, inbound)
            SELECT CAST($end AS DATE) - CAST(d AS INTEGER), w.warehouse_id, s.sku_id,
                   greatest(0, 100 + CAST(hash(s.sku_id, w.warehouse_id) % 400 AS INTEGER)
                               - CAST((CAST($days AS INTEGER) - d) % 30 AS INTEGER)
                                 * (1 + CAST(hash(w.warehouse_id, s.sku_id) % 20 AS INTEGER))),
                   0, 0
            FROM range($days) t(d), warehouse w, sku s
            ORDER BY 1, 2, 3""", {"days": days, "end": params["end"]})
        con.execute("""INSERT INTO sales_line (order_id, line_no, channel_id, ordered_at, source_sku, sku_id,
                                               warehouse_id, ship_country, qty, unit_price, currency, fees)
            SELECT 'O-' || s.sku_id || '-' || s.warehouse_id || '-' || s.snapshot_date, 1, 'AMZ-US',
                   s.snapshot_date + INTERVAL 10 HOUR, 'SS-' || s.sku_id, s.sku_id, s.warehouse_id, 'US',
                   1 + CAST(hash(s.sku_id, s.snapshot_date) % 5 AS INTEGER), 9.99, 'USD', 2.5
            FROM stock_snapshot s
            WHERE s.warehouse_id <> 'CN-HOME' AND s.on_hand > 0
              AND hash(s.sku_id, s.warehouse_id, s.snapshot_date) % 100 < 45
            ORDER BY s.snapshot_date""")
        # What a morning after `stockturn plan` looks like, so the detail page draws every chart: a finished
        # forecast run (28 days x every selling location, nine quantiles), a plan run with an order line per
        # third SKU-location, and a sea shipment in transit per tenth SKU.
        con.execute("""INSERT INTO run (run_id, kind, as_of, started_at, finished_at) VALUES
            ('bench-forecast', 'forecast', CAST($end AS DATE), TIMESTAMP '2024-06-30 06:00',
             TIMESTAMP '2024-06-30 06:05'),
            ('bench-plan', 'plan', CAST($end AS DATE), TIMESTAMP '2024-06-30 06:06',
             TIMESTAMP '2024-06-30 06:07')""", {"end": params["end"]})
        con.execute("""INSERT INTO forecast (run_id, sku_id, warehouse_id, ds, mean, quantiles)
            SELECT 'bench-forecast', s.sku_id, w.warehouse_id, CAST($end AS DATE) + CAST(h AS INTEGER),
                   m, map([0.005, 0.025, 0.165, 0.25, 0.5, 0.75, 0.835, 0.975, 0.995],
                          [0, 0, m * 0.5, m * 0.7, m, m * 1.3, m * 1.5, m * 2.2, m * 2.8])
            FROM sku s, warehouse w, range(1, 29) t(h),
                 LATERAL (SELECT 0.5 + (hash(s.sku_id, w.warehouse_id) % 40) / 10.0 AS m)
            WHERE w.warehouse_id <> 'CN-HOME'
            ORDER BY s.sku_id, w.warehouse_id, 4""", {"end": params["end"]})
        con.execute("""INSERT INTO plan_line (run_id, line_id, sku_id, warehouse_id, supplier_id, action, qty, mode,
                                              order_by, ship_by, expected_arrival, cost, cash_needed, reason)
            SELECT 'bench-plan', row_number() OVER (ORDER BY s.sku_id, w.warehouse_id), s.sku_id, w.warehouse_id,
                   'SUP-1', 'order', 60, 'sea', CAST($end AS DATE) + 1, CAST($end AS DATE) + 8,
                   CAST($end AS DATE) + 40, 180, 180, 'Stock and inbound 20 units cover 9 days at 2.1 a day.'
            FROM sku s, warehouse w
            WHERE w.warehouse_id <> 'CN-HOME' AND hash(s.sku_id, w.warehouse_id) % 3 = 0""", {"end": params["end"]})
        con.execute("""INSERT INTO shipment (shipment_id, from_warehouse_id, to_warehouse_id, mode, ship_date, eta,
                                             currency)
            SELECT 'SH-' || sku_id, 'CN-HOME', 'FBA-US', 'sea', CAST($end AS DATE) - 10, CAST($end AS DATE) + 20,
                   'USD' FROM sku WHERE hash(sku_id) % 10 = 0""", {"end": params["end"]})
        con.execute("""INSERT INTO shipment_line (shipment_id, line_no, sku_id, qty)
            SELECT 'SH-' || sku_id, 1, sku_id, 48 FROM sku WHERE hash(sku_id) % 10 = 0""")
        counts = {t: int(wh.scalar(f"SELECT count(*) FROM {t}"))
                  for t in ("sku", "stock_snapshot", "sales_line", "forecast", "plan_line", "shipment")}
        counts["sku_locations"] = int(wh.scalar(
            "SELECT count(*) FROM (SELECT DISTINCT sku_id, warehouse_id FROM stock_snapshot)"))
        con.execute("CHECKPOINT")
    return counts


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(db: Path, port: int) -> subprocess.Popen[bytes]:
    code = ("import uvicorn; from stockturn.settings import Settings; from stockturn.web import create_app; "
            f"uvicorn.run(create_app(Settings(), db={str(db)!r}), host='127.0.0.1', port={port}, "
            "log_level='warning')")
    return subprocess.Popen([sys.executable, "-c", code])


def wait_ready(base: str, timeout: float = 600) -> float:
    """Wait until the server answers and its caches are warm (the first list and detail requests)."""
    started = time.perf_counter()
    while True:
        try:
            with httpx.Client(base_url=base, timeout=timeout) as http:
                http.get("/api/skus", params={"per_page": 1}).raise_for_status()
                http.get("/skus/S00001").raise_for_status()
                return time.perf_counter() - started
        except httpx.TransportError:
            if time.perf_counter() - started > timeout:
                raise
            time.sleep(0.5)


def request_mix(rng: random.Random, skus: int) -> list[tuple[str, str, dict[str, Any]]]:
    """One list and one detail request, with random filters, sort, page and SKU."""
    params: dict[str, Any] = {"page": rng.randint(1, 50), "sort": rng.choice(
        ["stock_value", "available", "cover_days", "units_sold", "sku_id"]), "order": rng.choice(["asc", "desc"])}
    if rng.random() < 0.5:
        params["warehouse"] = rng.choice(WAREHOUSES)
    if rng.random() < 0.3:
        params["category"] = rng.choice(CATEGORIES)
    if rng.random() < 0.3:
        params["status"] = rng.choice(["stockout", "low", "ok", "slow"])
    if rng.random() < 0.2:
        params["q"] = str(rng.randint(1, 99))
    sku = f"S{rng.randrange(skus):05d}"
    return [("list", "/skus", params), ("detail", f"/skus/{sku}", {})]


def run_clients(base: str, clients: int, per_client: int, skus: int, time_limit: float) -> dict[str, Any]:
    """`clients` threads, each sending `per_client` list + detail pairs, stopping at `time_limit` seconds."""
    samples: dict[str, list[tuple[float, float]]] = {"list": [], "detail": []}
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + time_limit

    def client(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=base, timeout=60) as http:
            for _ in range(per_client):
                for kind, url, params in request_mix(rng, skus):
                    if time.perf_counter() > deadline:
                        return
                    started = time.perf_counter()
                    response = http.get(url, params=params)
                    wall = (time.perf_counter() - started) * 1000
                    if response.status_code != 200:
                        with lock:
                            errors.append(f"{response.status_code} {url}")
                        continue
                    server = float(response.headers["server-timing"].split("dur=")[1])
                    with lock:
                        samples[kind].append((server, wall))

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    result: dict[str, Any] = {"clients": clients, "elapsed_s": round(elapsed, 1), "errors": errors[:5],
                              "error_count": len(errors)}
    for kind, values in samples.items():
        server = sorted(v[0] for v in values)
        wall = sorted(v[1] for v in values)

        def pct(data: list[float], q: float) -> float:
            return round(data[min(len(data) - 1, int(q * len(data)))], 1) if data else float("nan")

        result[kind] = {"n": len(values), "server_p50_ms": pct(server, 0.5), "server_p95_ms": pct(server, 0.95),
                        "server_p99_ms": pct(server, 0.99), "wall_p50_ms": pct(wall, 0.5),
                        "wall_p95_ms": pct(wall, 0.95), "server_mean_ms": round(statistics.fmean(server), 1)
                        if server else None}
    result["requests_per_s"] = round(sum(result[k]["n"] for k in samples) / elapsed, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=6000)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=20, help="list + detail pairs per client")
    parser.add_argument("--time-limit", type=float, default=180)
    parser.add_argument("--reuse", action="store_true", help="keep an existing generated warehouse")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    db = OUT / "web_latency.duckdb"
    started = time.perf_counter()
    counts = generate(db, args.skus, args.days) if not (args.reuse and db.exists()) else {}
    generated = time.perf_counter() - started
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(db, port)
    try:
        warm = wait_ready(base)
        baseline = run_clients(base, 1, args.requests, args.skus, args.time_limit)
        loaded = run_clients(base, args.clients, args.requests, args.skus, args.time_limit)
    finally:
        server.terminate()
        server.wait(timeout=60)
    load = os.getloadavg()
    report = {"warehouse": counts, "generate_s": round(generated, 1), "warm_s": round(warm, 1),
              "baseline_1_client": baseline, f"{args.clients}_clients": loaded,
              "load_average_1_5_15": [round(v, 1) for v in load], "cpus": os.cpu_count()}
    (OUT / "web_latency.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    worst = max(loaded["list"]["server_p95_ms"], loaded["detail"]["server_p95_ms"])
    print(f"p95 server time with {args.clients} clients: list {loaded['list']['server_p95_ms']} ms, "
          f"detail {loaded['detail']['server_p95_ms']} ms -> {'OK' if worst < 300 else 'ABOVE'} the 300 ms target")


if __name__ == "__main__":
    main()
