"""What planners do: edit and approve plan lines, export purchase orders, acknowledge alerts, import files
(size-limited, stored only in the data folder), undo imports, link SKUs. Each change leaves an audit row."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import openpyxl
from html_tree import parse
from web_helpers import Client, csrf_of

from stockturn.settings import Settings
from stockturn.web.uploads import safe_name


def _token(http: Any) -> str:
    return str(http.get("/api/session").json()["csrf_token"])


def test_edit_then_approve_a_plan_line_records_who_and_when(client: Client) -> None:
    http = client("pat")
    page = http.get("/replenishment")
    token = csrf_of(page.text)
    assert http.post("/replenishment/1/qty", data={"qty": "480", "csrf_token": token}).status_code == 200
    assert http.post("/replenishment/1/approve", data={"csrf_token": token}).status_code == 200
    line = next(r for r in http.get("/api/plan").json()["lines"] if r["line_id"] == 1)
    assert (line["qty"], line["status"], line["approved_by"]) == (480.0, "approved", "pat")
    assert line["approved_at"] is not None
    edit = http.post("/api/plan/1/qty", json={"qty": 10}, headers={"X-CSRF-Token": _token(http)})
    assert edit.status_code == 422 and "already approved" in edit.json()["error"]["message"]
    audit = client("ada").get("/api/settings")  # a fresh copy: the audit trail of another copy is empty
    assert audit.status_code == 200
    trail = http.get("/api/settings").json()
    assert "audit" not in trail  # planners do not see the audit trail
    row = parse(http.get("/replenishment").text).find(id="line-1")
    assert row.attrs["data-status"] == "approved" and "pat" in row.text()


def test_an_edited_plan_quantity_shows_at_once_in_the_sku_projection(client: Client) -> None:
    """The SKU page caches every SKU's arrivals; an edit made through the server must not be served stale."""
    http = client("pat")
    line = next(r for r in http.get("/api/plan").json()["lines"] if r["line_id"] == 1)

    def planned() -> float:
        arrivals = http.get(f"/api/skus/{line['sku_id']}").json()["projection"]["arrivals"]
        return sum(a["qty"] for a in arrivals if a["kind"] == "plan" and a["warehouse_id"] == line["warehouse_id"])

    before = planned()
    assert before >= line["qty"] > 0
    edit = http.post("/api/plan/1/qty", json={"qty": line["qty"] + 37}, headers={"X-CSRF-Token": _token(http)})
    assert edit.status_code == 200
    assert planned() == before + 37


def test_audit_trail_and_purchase_orders_grouped_by_supplier(
    client: Client, seeded: tuple[Path, dict[str, Any]]
) -> None:
    http = client("ada")
    token = _token(http)
    for line in (1, 2, 3):
        assert http.post(f"/api/plan/{line}/approve", headers={"X-CSRF-Token": token}).status_code == 200
    negative = http.post("/api/plan/4/qty", json={"qty": -1}, headers={"X-CSRF-Token": token})
    assert negative.status_code == 422
    trail = http.get("/api/settings").json()["audit"]
    assert [(a["action"], a["username"]) for a in trail][:3] == [("plan_line.approve", "ada")] * 3
    xlsx = http.get("/api/plan/purchase-orders", params={"format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    orders = http.get("/api/plan/purchase-orders", params={"format": "json"}).json()["lines"]
    assert len(orders) == 3 and set(seeded[1]["suppliers"]) <= {o["supplier_id"] for o in orders}
    assert set(book.sheetnames) == {o["supplier_id"] for o in orders}
    line1 = next(o for o in orders if o["line_id"] == 1)
    sheet = book[line1["supplier_id"]]
    assert sheet["A3"].value == "sku_id" and sheet["A4"].value == line1["sku_id"] and sheet["D4"].value == 240
    csv = http.get("/api/plan/purchase-orders", params={"format": "csv"}).content.decode("utf-8-sig").splitlines()
    assert csv[0].startswith("supplier_id,supplier_name,currency,sku_id") and len(csv) == 4


def test_acknowledge_an_alert(client: Client) -> None:
    http = client("pat")
    first = http.get("/api/alerts").json()["alerts"][0]
    token = csrf_of(http.get("/alerts").text)
    assert http.post(f"/alerts/{first['alert_id']}/acknowledge", data={"csrf_token": token}).status_code == 200
    after = next(a for a in http.get("/api/alerts").json()["alerts"] if a["alert_id"] == first["alert_id"])
    assert after["acknowledged_by"] == "pat" and after["acknowledged_at"]
    still_open = http.get("/api/alerts", params={"open_only": "true"}).json()["alerts"]
    assert first["alert_id"] not in {a["alert_id"] for a in still_open}


def test_bad_upload_shows_its_problems_and_loads_nothing(client: Client) -> None:
    http = client("pat")
    token = csrf_of(http.get("/imports").text)
    before = http.get("/api/imports").json()["imports"]
    bad = b"order_id,ordered_at,channel_id,sku,qty,unit_price,currency\nA1,not-a-date,AMZ-US,85123A,two,3.5,USD\n"
    response = http.post(
        "/imports",
        data={"csrf_token": token, "source": "generic_orders"},
        files={"file": ("../../etc/orders.csv", bad, "text/csv")},
    )
    assert response.status_code == 422
    tree = parse(response.text)
    problems = tree.find(id="problems").rows()
    assert problems and any("found" in " ".join(p) for p in problems)
    assert "Nothing was loaded" in tree.find(id="outcome").text()
    assert http.get("/api/imports").json()["imports"] == before
    stored = list((Path(http.app.state.ctx.upload_dir)).iterdir())
    assert len(stored) == 1 and stored[0].name.endswith("-orders.csv")
    assert stored[0].parent == Path(http.app.state.ctx.warehouse.path).resolve().parent / "uploads"


def test_upload_over_the_limit_is_refused_before_it_is_stored(client: Client) -> None:
    http = client("pat", settings=Settings(web_upload_max_mb=1))
    token = _token(http)
    response = http.post(
        "/api/imports",
        headers={"X-CSRF-Token": token},
        files={"file": ("big.csv", b"x" * (2 * 1024 * 1024), "text/csv")},
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "upload_too_large"
    assert not Path(http.app.state.ctx.upload_dir).exists()


def test_good_upload_then_undo(client: Client, tmp_path: Path) -> None:
    http = client("ada")
    token = _token(http)
    good = b"rate_date,currency,quote_currency,rate\n2030-01-02,EUR,USD,1.31\n2030-01-02,GBP,USD,1.55\n"
    done = http.post(
        "/api/imports",
        headers={"X-CSRF-Token": token},
        files={"file": ("rates.csv", good, "text/csv")},
        data={"source": "auto"},
    ).json()
    assert done["ok"] and done["added"] == 2, done
    history = http.get("/api/imports").json()["imports"]
    assert history[0]["import_id"] == done["import_id"] and history[0]["imported_by"] == "web:ada"
    undo = http.post(f"/api/imports/{done['import_id']}/undo", headers={"X-CSRF-Token": token})
    assert undo.status_code == 200 and sum(undo.json()["deleted"].values()) == 2
    assert http.get("/api/imports").json()["imports"][0]["status"] == "undone"


def test_link_and_unlink_an_identifier(client: Client) -> None:
    http = client("pat")
    token = _token(http)
    linked = http.post(
        "/api/masterdata/link",
        headers={"X-CSRF-Token": token},
        json={"alias": "WEB-TEST-ALIAS", "sku_id": "85123A", "alias_type": "other"},
    )
    assert linked.status_code == 200, linked.text
    aliases = http.get("/api/skus/85123A").json()["sku"]["aliases"]
    assert any(a["alias"] == "WEB-TEST-ALIAS" and a["created_by"] == "web:pat" for a in aliases)
    unlinked = http.post(
        "/api/masterdata/unlink",
        headers={"X-CSRF-Token": token},
        json={"alias": "WEB-TEST-ALIAS", "alias_type": "other"},
    )
    assert unlinked.status_code == 200
    assert not any(a["alias"] == "WEB-TEST-ALIAS" for a in http.get("/api/skus/85123A").json()["sku"]["aliases"])
    changes = http.get("/api/masterdata").json()["changes"]
    assert [c["operation"] for c in changes[:2]] == ["unlink", "link"]


def test_safe_names_never_leave_the_folder() -> None:
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("..\\..\\boot.ini") == "boot.ini"
    assert safe_name("库存 报表.xlsx") == "xlsx" or safe_name("库存 报表.xlsx").endswith(".xlsx")
    assert safe_name("...") == "upload"
    assert json.dumps(safe_name("a b;c.csv")) == '"a_b_c.csv"'
