"""The phrase book: every sentence stockturn writes into its data (alert texts, plan and transfer reasons),
in English and Chinese, defined once.

The producers (analytics alerts, planning) build their English texts from these templates with `pl.format`,
so the stored text is English, the language of the CLI, exports and the API. The dashboard shows it in the
reader's language with `localise(text, "zh-CN")`, which recognises the phrases a text is made of and fills
the Chinese templates with the same values. A text that matches no phrase is shown as stored.

English templates use `{}` (positional, as `pl.format` takes them); Chinese templates use `{0}`, `{1}`, ...
because Chinese often puts the values in another order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache


@dataclass(frozen=True)
class Phrase:
    en: str
    zh: str
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pieces = self.en.split("{}")
        # a value is lazy when text follows it, and runs to the end of the text when the phrase ends with it
        groups = ["(.+?)"] * (len(pieces) - 1)
        if pieces[-1] == "" and groups:
            groups[-1] = "(.+)"
        regex = re.escape(pieces[0]) + "".join(g + re.escape(p) for g, p in zip(groups, pieces[1:], strict=True))
        if self.en.endswith("."):  # a sentence's full stop, not the decimal point of its last number
            regex += r"(?=\s|$)"
        object.__setattr__(self, "pattern", re.compile(regex, re.DOTALL))

    @property
    def slots(self) -> int:
        return self.en.count("{}")


# --- alerts (stockturn.analytics.alerts): what / why / action ------------------------------------------
STOCKOUT_WHAT = Phrase("{} at {}: {} days of cover left", "{0} 在 {1}：仅剩 {2} 天的可售天数")
STOCKOUT_WHY = Phrase(
    "{} units available and {} in transit at {} units/day expected demand ({}); replenishment takes {} days "
    "lead time + {} days review period",
    "可用 {0} 件、在途 {1} 件，预计日需求 {2} 件（{3}）；补货需要 {4} 天提前期 + {5} 天检查周期",
)
STOCKOUT_ACTION = Phrase(
    "Order or transfer at least {} units now; if lead time exceeds cover, ship part by a faster mode",
    "立即订货或调拨至少 {0} 件；若提前期长于可售天数，部分改用更快的运输方式",
)
OVERSTOCK_WHAT = Phrase(
    "{} at {}: {} days of cover, above the {}-day limit for class {}",
    "{0} 在 {1}：可售 {2} 天，超过 {4} 类商品 {3} 天的上限",
)
OVERSTOCK_WHY = Phrase(
    "{} units available at {} units/day expected demand; worth {} at landed cost",
    "可用 {0} 件，预计日需求 {1} 件；按到岸成本价值 {2}",
)
OVERSTOCK_ACTION = Phrase(
    "Pause replenishment; move or promote about {} excess units", "暂停补货；调拨或促销约 {0} 件多余库存"
)
AGING_WHAT = Phrase(
    "{} at {}: {} units enter the next aged-inventory surcharge tier in {} days",
    "{0} 在 {1}：{2} 件将在 {3} 天后进入下一档库龄附加费",
)
AGING_WHY = Phrase(
    "FIFO layers received from {} will cost about {} more per month once older",
    "自 {0} 起入库的先进先出批次，库龄增长后每月约多付 {1}",
)
AGING_ACTION = Phrase("Sell through, remove or move these units before {}", "在 {0} 之前售出、移除或调走这些库存")
TURNOVER_WHAT = Phrase(
    "{} at {}: turnover down {}% against the previous {} days", "{0} 在 {1}：周转率比前 {3} 天下降 {2}%"
)
TURNOVER_WHY = Phrase(
    "Turnover {} (COGS {} over average stock {}) against {} before",
    "周转率 {0}（销货成本 {1} ÷ 平均库存 {2}），之前为 {3}",
)
TURNOVER_ACTION = Phrase(
    "Check demand and price; slow the next order or move stock to where it sells",
    "检查需求与价格；放缓下一次订货，或把库存调往卖得动的仓库",
)
RECEIVABLE_WHAT = Phrase("{} from {} is {} days overdue", "{1} 的 {0} 已逾期 {2} 天")
RECEIVABLE_WHY = Phrase("{} open, due {}", "未收 {0}，到期日 {1}")
RECEIVABLE_ACTION = Phrase(
    "Chase {} for payment or open a case with the marketplace", "催 {0} 付款，或向平台提交工单"
)

# --- purchase plan lines (stockturn.planning.plan, .store): concatenated fragments --------------------
PLAN_STOCK = Phrase(
    "Stock and inbound {} units cover {} days at {} a day", "库存及在途 {0} 件，按每天 {2} 件可售 {1} 天"
)
PLAN_RUNS_OUT = Phrase(" (runs out {}).", "（{0} 断货）。")
PLAN_NO_STOCKOUT = Phrase(" (no stockout in the horizon).", "（预测期内不会断货）。")
PLAN_LEVEL = Phrase(
    " Class {} targets {}% fill: order up to {} over {} days of lead time + review.",
    "{0} 类目标满足率 {1}%：按 {3} 天提前期 + 检查周期补到 {2} 件。",
)
PLAN_ROUNDING = Phrase(" MOQ {}, case {}.", "最小起订量 {0}，箱规 {1}。")
PLAN_LATE = Phrase(
    " Even ordered now, {} arrives {} days after the stockout.", "即使现在下单，{0}也要在断货后 {1} 天才到。"
)
PLAN_AIR_BRIDGE = Phrase(
    " Air bridge: extra freight {} < margin saved {}; the rest goes by the cheap lane.",
    "空运过桥：额外运费 {0} < 挽回毛利 {1}；其余走便宜的线路。",
)
PLAN_SPLIT = Phrase(
    " Split: a bridge flies ahead (extra freight {} < margin saved {}).",
    "拆分：一部分先空运过桥（额外运费 {0} < 挽回毛利 {1}）。",
)
PLAN_NO_BRIDGE = Phrase(
    " Flying a bridge would cost {} extra for {} margin: not worth it.",
    "空运过桥要多花 {0}，只挽回 {1} 毛利：不划算。",
)
# the budget's verdict on a line (stockturn.planning.budget), appended to the reason as " Budget: ...."
BUDGET_KEPT = Phrase("kept in full: its last units return {} per unit of cash", "全额保留：最后几件每单位资金回报 {0}")
BUDGET_CUT = Phrase(
    "cut: the next units return {} per unit of cash, below the budget's cut-off {}",
    "削减：后面几件每单位资金回报 {0}，低于预算的门槛 {1}",
)
BUDGET_UNSOLD = Phrase(
    "cut: the next units are more likely to sit unsold than to sell", "削减：后面几件滞销的可能比卖出的大"
)
BUDGET_DROPPED = Phrase("dropped; {}", "整行取消；{0}")
BUDGET = Phrase(" Budget: {}.", "预算：{0}。")

# --- clearance candidates (stockturn.planning.clearance) ---------------------------------------------
CLEAR_BEFORE_TIER = Phrase(
    "{} units, {} a day: {} will not sell within {} days (before the next aging surcharge tier).",
    "{0} 件，每天卖 {1} 件：{2} 件在 {3} 天内卖不掉（在进入下一档库龄附加费之前）。",
)
CLEAR = Phrase(
    "{} units, {} a day: {} will not sell within {} days.", "{0} 件，每天卖 {1} 件：{2} 件在 {3} 天内卖不掉。"
)
CLEAR_NO_PRICE = Phrase(
    " No price data: set a price to size the markdown.", "没有价格数据：设定价格后才能算出降价幅度。"
)
CLEAR_MARKDOWN = Phrase(
    " A {}% markdown (to {}) clears it in time at elasticity {}.", "按价格弹性 {2}，降价 {0}%（降到 {1}）可按时清完。"
)
CLEAR_NOT_ENOUGH = Phrase(
    " Even {}% off does not clear it: consider removal, liquidation or a bundle.",
    "即使降价 {0}% 也清不完：考虑移除、清仓或捆绑销售。",
)

# --- transfers (stockturn.planning.transfers) ----------------------------------------------------------
TRANSFER = Phrase(
    "{} holds more than {} days of cover; {} has {} units ({} days) and its own stock arrives later. "
    "Moving {} by {} ({} days) costs {} and saves {} of margin.",
    "{0} 的可售天数超过 {1} 天；{2} 只有 {3} 件（{4} 天），自身补货到得更晚。"
    "用{6}调拨 {5} 件（{7} 天）花费 {8}，挽回毛利 {9}。",
)

# --- values that appear inside phrases ------------------------------------------------------------
DEMAND_FROM_FORECAST = Phrase("forecast", "预测")
DEMAND_FROM_AVERAGE = Phrase("average of the last {} days", "最近 {0} 天平均")
VALUES = {"sea": "海运", "rail": "铁路", "air": "空运", "express": "快递", "truck": "卡车"}
# ... which stand for themselves only as a whole value, never as the start of a longer text
VALUE_PHRASES = (DEMAND_FROM_FORECAST, DEMAND_FROM_AVERAGE)


def _all() -> list[Phrase]:
    found = [value for value in globals().values() if isinstance(value, Phrase)]
    # the longest fixed text first, so that a phrase wins over a shorter one it contains
    return sorted(found, key=lambda p: -len(p.en.replace("{}", "")))


@cache
def phrases() -> tuple[Phrase, ...]:
    return tuple(_all())


def localise(text: str | None, locale: str) -> str | None:
    """`text` (made of phrases of this book) in `locale`; unknown parts are kept as they are."""
    if not text or not locale.startswith("zh"):
        return text
    return _zh(text)


@lru_cache(maxsize=50_000)  # a page shows the same few hundred texts again and again
def _zh(text: str) -> str:
    out: list[str] = []
    pos = 0
    while pos < len(text):
        for phrase in phrases():
            found = phrase.pattern.match(text, pos)
            if found is not None and (found.end() == len(text) or phrase not in VALUE_PHRASES):
                out.append(phrase.zh.format(*(_value(v) for v in found.groups())))
                pos = found.end()
                break
        else:  # no phrase starts here: keep the text up to the next sentence
            end = text.find(". ", pos)
            end = len(text) if end < 0 else end + 2
            out.append(text[pos:end])
            pos = end
    return "".join(out)


def _value(value: str) -> str:
    """A value inside a phrase: a mode or a nested phrase (the demand source, the budget's verdict)."""
    if value in VALUES:
        return VALUES[value]
    for phrase in phrases():
        if phrase.pattern.fullmatch(value) is not None:
            return _zh(value)
    return value
