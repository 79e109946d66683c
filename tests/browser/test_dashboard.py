"""The dashboard in a real browser: log in, filter SKUs, charts drawn, approve and download purchase orders,
see a bad upload's problems, switch to Chinese. Screenshots go to test-artifacts/."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from browser_helpers import shot
from web_seed import USERS

pytestmark = pytest.mark.browser

# how many pixels of a chart's canvas are not transparent: > 0 once ECharts has drawn
_PAINTED = """(id) => {
  const canvas = document.querySelector('#' + id + ' canvas');
  if (!canvas) { return -1; }
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) { painted++; } }
  return painted;
}"""


def test_login_is_required_and_wrong_password_is_refused(browser: Any, live_server: str) -> None:
    context = browser.new_context(base_url=live_server)
    tab = context.new_page()
    tab.goto("/skus")
    assert tab.url.endswith("/login?next=/skus")
    tab.fill("input[name=username]", "vic")
    tab.fill("input[name=password]", "wrong-password")
    tab.click("form[action='/login'] button[type=submit]")
    assert tab.locator("p.problem").inner_text() == "Wrong user name or password."
    tab.fill("input[name=username]", "vic")
    tab.fill("input[name=password]", USERS["vic"][0])
    tab.click("form[action='/login'] button[type=submit]")
    tab.wait_for_url(f"{live_server}/skus")
    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies["stockturn_session"]["httpOnly"] and cookies["stockturn_session"]["sameSite"] == "Lax"
    context.close()


def test_overview_and_filtering_skus(page: Any) -> None:
    page.wait_for_selector("#chart-trend canvas")
    assert page.locator(".card").count() == 6
    shot(page, "01-overview")
    page.goto("/skus")
    page.evaluate("window.__sameDocument = true")  # survives only if htmx swaps the table in place
    # Hold the first filter request (warehouse only) in flight while the user changes the status and clicks
    # Apply: the table must end up showing the latest filters, whatever the first request's answer is.
    held: list[Any] = []
    page.route("**/skus?*", lambda route: held.append(route) if not held else route.continue_())
    page.select_option("#f-warehouse", "FBA-UK")
    for _ in range(750):  # wait (at most 15 s) until the route handler holds the first request
        if held:
            break
        page.wait_for_timeout(20)
    with page.expect_response(lambda r: "warehouse=FBA-UK" in r.url and "status=stockout" in r.url, timeout=15_000):
        page.select_option("#f-status", "stockout")
        page.click("#apply-filters")
    assert held and "status=&" in held[0].request.url + "&", "the first request should be the warehouse-only one"
    held[0].continue_()  # its late answer must not overwrite the newer table
    page.unroute("**/skus?*")
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#skus tbody tr')].every("
        "r => r.cells[1].innerText === 'FBA-UK' && r.cells[5].innerText === 'Stockout')"
    )
    cells = page.evaluate(
        "() => [...document.querySelectorAll('#skus tbody tr')].map(r => [r.cells[1].innerText, r.cells[5].innerText])"
    )
    assert cells and all(c == ["FBA-UK", "Stockout"] for c in cells), cells
    assert "warehouse=FBA-UK" in page.url and "status=stockout" in page.url
    assert page.evaluate("window.__sameDocument === true"), "the filters reloaded the page instead of htmx"
    shot(page, "02-skus-filtered")


def test_sku_detail_draws_its_charts(page: Any) -> None:
    page.goto("/skus/85123A")
    for chart in ("chart-sales", "chart-forecast", "chart-projection", "chart-aging", "chart-waterfall"):
        page.wait_for_selector(f"#{chart} canvas")
        page.wait_for_function(f"() => ({_PAINTED})('{chart}') > 500")
        assert page.evaluate(_PAINTED, chart) > 500, chart
    shot(page, "03-sku-detail")


def test_approve_a_plan_line_and_download_the_purchase_orders(page: Any, tmp_path: Any) -> None:
    page.goto("/replenishment")
    assert page.locator("#line-2").get_attribute("data-status") == "proposed"
    page.fill("#line-2 input[name=qty]", "720")
    page.click("#line-2 form.qty button")
    page.wait_for_selector("#line-2[data-status=edited]")
    page.click("#line-2 button.approve")
    page.wait_for_selector("#line-2[data-status=approved]")
    assert "pat" in page.locator("#line-2").inner_text()
    shot(page, "04-replenishment-approved")
    with page.expect_download() as download_info:
        page.click("#po-xlsx")
    target = tmp_path / "po.xlsx"
    download_info.value.save_as(target)
    book = openpyxl.load_workbook(io.BytesIO(target.read_bytes()))
    cells = [(row[0], row[3]) for sheet in book for row in sheet.iter_rows(min_row=4, values_only=True) if row[3]]
    assert any(qty == 720 for _sku, qty in cells), cells


def test_a_bad_upload_shows_its_problems(page: Any) -> None:
    page.goto("/imports")
    bad = b"order_id,ordered_at,channel_id,sku,qty,unit_price,currency\nA1,31/31/2011,AMZ-US,85123A,two,3.5,USD\n"
    page.set_input_files("#upload-file", files=[{"name": "bad-orders.csv", "mimeType": "text/csv", "buffer": bad}])
    page.select_option("select[name=source]", "generic_orders")
    page.click("#upload-submit")
    page.wait_for_selector("#problems")
    problems = page.locator("#problems tbody tr")
    assert problems.count() >= 1
    assert "Nothing was loaded" in page.locator("#outcome").inner_text()
    shot(page, "05-import-problems")


def test_switch_to_chinese(page: Any) -> None:
    page.goto("/skus/85123A")
    page.click("#lang-zh")
    page.wait_for_function("() => document.documentElement.lang === 'zh-CN'")
    nav = page.locator("header nav a")
    assert [nav.nth(i).inner_text() for i in range(3)] == ["总览", "SKU", "仓库"]
    page.wait_for_selector("#chart-waterfall canvas")
    assert "销售历史" in page.locator("main").inner_text()
    shot(page, "06-sku-detail-zh")
    page.goto("/")
    page.wait_for_selector("#chart-trend canvas")
    assert "库存周转率" in page.locator("#kpis").inner_text()
    shot(page, "07-overview-zh")
    page.goto("/replenishment")  # plan reasons and alert texts are written in English, read in Chinese
    assert "库存及在途" in page.locator("main").inner_text()
    shot(page, "08-replenishment-zh")
    page.goto("/alerts")
    text = page.locator("main").inner_text()
    assert "可售" in text and "days of cover" not in text
    shot(page, "09-alerts-zh")
