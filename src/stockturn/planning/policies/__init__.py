"""Replenishment policies for the replay, one file each, sharing the contract in ``base``."""

from __future__ import annotations

from stockturn.planning.policies.base import Mode, Policy, ReviewState
from stockturn.planning.policies.classic_sq import ClassicSQ
from stockturn.planning.policies.cover_rule import CoverRule
from stockturn.planning.policies.min_max import FixedMinMax
from stockturn.planning.policies.stockturn import StockturnPolicy

POLICIES: dict[str, type] = {
    "stockturn": StockturnPolicy,
    "cover_30d_avg_x60": CoverRule,
    "fixed_min_max": FixedMinMax,
    "classic_sQ": ClassicSQ,
}

__all__ = [
    "POLICIES",
    "ClassicSQ",
    "CoverRule",
    "FixedMinMax",
    "Mode",
    "Policy",
    "ReviewState",
    "StockturnPolicy",
]
