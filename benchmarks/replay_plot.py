"""Trade-off curve (fill rate against turnover) and the markdown table from the replay results.

    .venv/bin/python benchmarks/replay_plot.py   # reads benchmarks/results/replay_*.json
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

RESULTS = Path(__file__).resolve().parent / "results"
TITLES = {"m5": "M5: 972 Walmart item-store series, lead time 7-21 days",
          "online_retail": "UCI Online Retail SKUs, sea 30-60 days / air 7-10 days"}
MARKERS = {"cover_30d_avg_x60": "s", "fixed_min_max": "^", "classic_sQ": "D"}


def load() -> dict[str, dict[str, Any]]:
    """One result per data set; the stockturn rows of every kind (cycle / fill) are pooled."""
    found: dict[str, dict[str, Any]] = {}
    for name in TITLES:
        for kind in ("cycle", "fill"):
            path = RESULTS / f"replay_{name}_{kind}.json"
            if not path.exists():
                continue
            result = json.loads(path.read_text())
            if name not in found:
                found[name] = result
            else:
                found[name]["rows"] += [r for r in result["rows"] if r["policy"] == "stockturn"]
    return found


def _label(r: dict[str, Any]) -> str:
    if r["target"] is None:
        return str(r["policy"])
    kind = "cycle service" if r.get("kind") == "cycle" else "fill rate"
    return f"stockturn, {kind} target {r['target'] * 100:g}%"


def table(results: dict[str, dict[str, Any]]) -> str:
    lines = []
    for name, result in results.items():
        rows = result["rows"]
        rule = next(r for r in rows if r["policy"] == "cover_30d_avg_x60")
        lines.append(f"\n**{TITLES[name]}** ({result['series']} series, {result['window'][0]} .. "
                     f"{result['window'][1]}, seed {result['seed']})\n")
        lines.append("| policy | fill rate | turnover | x rule | stockout-day rate | / rule | avg inventory value "
                     "| holding cost | lost margin | extra freight |")
        lines.append("|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            lines.append(
                f"| {_label(r)} | {r['fill_rate']:.3f} | {r['turnover']:.2f} | {r['turnover'] / rule['turnover']:.2f} "
                f"| {r['stockout_day_rate']:.3f} | {r['stockout_day_rate'] / rule['stockout_day_rate']:.2f} "
                f"| {r['average_inventory_value']:,.0f} | {r['holding_cost']:,.0f} | {r['lost_margin']:,.0f} "
                f"| {r['freight_cost']:,.0f} |"
            )
    return "\n".join(lines)


def plot(results: dict[str, dict[str, Any]], path: Path) -> None:
    fig, axes = plt.subplots(1, len(results), figsize=(6.5 * len(results), 5), squeeze=False)
    for ax, (name, result) in zip(axes[0], results.items(), strict=True):
        rows = result["rows"]
        for kind, color in (("cycle", "tab:blue"), ("fill", "tab:purple")):
            ours = sorted((r for r in rows if r["policy"] == "stockturn" and r.get("kind", "fill") == kind),
                          key=lambda r: r["target"])
            if not ours:
                continue
            text = "cycle service" if kind == "cycle" else "item fill-rate"
            ax.plot([r["turnover"] for r in ours], [r["fill_rate"] for r in ours], "o-", color=color,
                    label=f"stockturn ({text} targets)")
            for r in ours:
                ax.annotate(f"{r['target'] * 100:g}%", (r["turnover"], r["fill_rate"]), textcoords="offset points",
                            xytext=(5, -12), fontsize=8, color=color)
        for r in rows:
            if r["policy"] in MARKERS:
                ax.plot(r["turnover"], r["fill_rate"], MARKERS[r["policy"]], markersize=8, label=r["policy"])
        bounds_path = RESULTS / f"replay_bounds_{name}.json"
        if bounds_path.exists():  # hindsight bounds (benchmarks/replay_bounds.py): not policies
            bounds = json.loads(bounds_path.read_text())["families"]
            for family, style in (("forecast", "tab:green"), ("trailing", "tab:olive"), ("clairvoyant", "tab:red")):
                if family not in bounds:
                    continue
                curve = sorted(bounds[family]["per_series"], key=lambda p: p["turnover"])
                ax.plot([p["turnover"] for p in curve], [p["fill_rate"] for p in curve], "--", color=style,
                        linewidth=1, label=f"bound: {family}, per-series factor in hindsight")
        rule = next(r for r in rows if r["policy"] == "cover_30d_avg_x60")
        ax.axhline(0.97, color="grey", linestyle=":", linewidth=1)
        ax.axvline(1.8 * rule["turnover"], color="grey", linestyle="--", linewidth=1,
                   label="target: 1.8x the 30-day rule's turnover")
        ax.set_title(TITLES[name], fontsize=10)
        ax.set_xlabel("inventory turnover (COGS / average inventory at cost, per year)")
        ax.set_ylabel("fill rate (units sold / units demanded)")
        ax.set_ylim(max(0.6, ax.get_ylim()[0]), 1.005)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    results = load()
    if not results:
        raise SystemExit("no benchmarks/results/replay_*.json yet: run benchmarks/replay_benchmark.py first")
    plot(results, RESULTS / "replay_tradeoff.png")
    print(table(results))


if __name__ == "__main__":
    main()
