"""The phrase book: every English template reads back in Chinese with the same values, and texts built from
several phrases (plan reasons) translate phrase by phrase."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

import stockturn.analytics as an
from stockturn import phrases as P
from stockturn.settings import Settings
from stockturn.warehouse import open_warehouse

# values shaped like the real ones: decimals, a date, a percentage, identifiers with dashes
SAMPLES = ["85123A", "FBA-US", "12.5", "2026-11-30", "1,234", "0.80", "7", "3.25", "42", "19.99"]


def english_words(text: str, known: set[str]) -> list[str]:
    """Runs of three or more Latin letters that are not identifiers from the data."""
    for token in sorted(known, key=len, reverse=True):
        text = text.replace(token, " ")
    return re.findall(r"[A-Za-z]{3,}", text)


@pytest.mark.parametrize("phrase", P.phrases(), ids=lambda p: p.en[:30])
def test_every_phrase_reads_back_in_chinese_with_its_values(phrase: P.Phrase) -> None:
    values = SAMPLES[: phrase.slots]
    english = phrase.en.replace("{}", "\0").replace("\0", "{}").format(*values)
    assert P.localise(english, "zh-CN") == phrase.zh.format(*values)
    assert P.localise(english, "en") == english
    assert sorted(re.findall(r"\{(\d+)\}", phrase.zh)) == [str(i) for i in range(phrase.slots)]


def test_concatenated_fragments_and_nested_values() -> None:
    reason = (
        P.PLAN_STOCK.en.format(120, 9, 13.33) + P.PLAN_RUNS_OUT.en.format("2026-12-01")
        + P.PLAN_LEVEL.en.format("A", 98, 640, 45) + P.PLAN_LATE.en.format("sea", 12)
        + P.PLAN_AIR_BRIDGE.en.format(35.5, 180.25)
        + P.BUDGET.en.format(P.BUDGET_DROPPED.en.format(P.BUDGET_CUT.en.format(1.25, 1.4)))
    )
    zh = P.localise(reason, "zh-CN")
    assert zh == (
        "库存及在途 120 件，按每天 13.33 件可售 9 天（2026-12-01 断货）。"
        "A 类目标满足率 98%：按 45 天提前期 + 检查周期补到 640 件。"
        "即使现在下单，海运也要在断货后 12 天才到。空运过桥：额外运费 35.5 < 挽回毛利 180.25；其余走便宜的线路。"
        "预算：整行取消；削减：后面几件每单位资金回报 1.25，低于预算的门槛 1.4。"
    )
    why = P.STOCKOUT_WHY.en.format(3, 0, 1.5, P.DEMAND_FROM_AVERAGE.en.format(30), 21, 7)
    assert "最近 30 天平均" in P.localise(why, "zh-CN")
    assert P.localise("a note someone typed. Stock and inbound 5 units cover 2 days at 2.5 a day", "zh-CN") == (
        "a note someone typed. 库存及在途 5 件，按每天 2.5 件可售 2 天"
    )
    assert P.localise("forecast was too low. Stock and inbound 5 units cover 2 days at 2.5 a day", "zh-CN") == (
        "forecast was too low. 库存及在途 5 件，按每天 2.5 件可售 2 天"  # a value phrase only as a whole value
    )


def test_every_alert_of_the_demo_reads_in_chinese(demo_warehouse: Path) -> None:
    with open_warehouse(demo_warehouse, read_only=True) as wh:
        as_of = wh.scalar("SELECT max(snapshot_date) FROM stock_snapshot")
        assert isinstance(as_of, date)
        alerts = an.compute_alerts(wh, as_of - timedelta(days=30), Settings())
        ids = wh.frame("SELECT sku_id AS v FROM sku UNION SELECT warehouse_id FROM warehouse "
                       "UNION SELECT doc_id FROM receivable UNION SELECT counterparty FROM receivable")
        known = {str(v) for v in ids["v"]}
    assert set(alerts["alert_type"]) >= {"stockout_risk", "overstock"}
    for row in alerts.iter_rows(named=True):
        for column in ("what", "why", "action"):
            assert english_words(P.localise(row[column], "zh-CN") or "", known) == [], row[column]
