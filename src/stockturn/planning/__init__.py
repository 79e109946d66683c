"""Replenishment planning: textbook levels, forecast-driven reorder levels, ordering rules, replay."""

from __future__ import annotations

from stockturn.planning.lead_time import Closure, LeadTime, Stage, latest_order_dates
from stockturn.planning.levels import reorder_levels
from stockturn.planning.ordering import apply_capacity, inventory_position, order_quantity, round_order

__all__ = [
    "Closure",
    "LeadTime",
    "Stage",
    "apply_capacity",
    "inventory_position",
    "latest_order_dates",
    "order_quantity",
    "reorder_levels",
    "round_order",
]
