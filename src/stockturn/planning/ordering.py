"""From a target level to an order quantity: netting, MOQ, case-pack rounding and supplier capacity.

All functions are vectorised over rows (SKU x destination) with NumPy arrays.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stockturn.errors import InputError

FloatArray = NDArray[np.float64]


def inventory_position(
    on_hand: ArrayLike,
    in_transit: ArrayLike = 0.0,
    open_po: ArrayLike = 0.0,
    reserved: ArrayLike = 0.0,
    backorders: ArrayLike = 0.0,
) -> FloatArray:
    """Net inventory position: on hand + in transit + open POs - reserved - backorders."""
    return np.asarray(
        np.asarray(on_hand, dtype=np.float64)
        + np.asarray(in_transit, dtype=np.float64)
        + np.asarray(open_po, dtype=np.float64)
        - np.asarray(reserved, dtype=np.float64)
        - np.asarray(backorders, dtype=np.float64),
        dtype=np.float64,
    )


def round_order(quantity: ArrayLike, moq: ArrayLike = 0.0, case_pack: ArrayLike = 1.0) -> FloatArray:
    """Raise a positive need to the MOQ, then round up to whole case packs; no need stays 0."""
    q = np.asarray(quantity, dtype=np.float64)
    pack = np.maximum(np.asarray(case_pack, dtype=np.float64), 1.0)
    # a tiny epsilon keeps 24.000000001 (float noise) from becoming two packs
    needed = np.where(q > 1e-9, np.maximum(q, np.asarray(moq, dtype=np.float64)), 0.0)
    return np.ceil(needed / pack - 1e-9) * pack


def order_quantity(
    target_level: ArrayLike,
    position: ArrayLike,
    moq: ArrayLike = 0.0,
    case_pack: ArrayLike = 1.0,
) -> FloatArray:
    """Order up to the target: max(0, target - position), then MOQ and case-pack rounding."""
    gap = np.asarray(target_level, dtype=np.float64) - np.asarray(position, dtype=np.float64)
    need = np.maximum(gap, 0.0)
    return round_order(need, moq, case_pack)


def apply_capacity(
    quantity: ArrayLike,
    supplier: ArrayLike,
    capacity: dict[str, float] | None,
    priority: ArrayLike,
    case_pack: ArrayLike = 1.0,
) -> FloatArray:
    """Cut orders so each supplier's total stays within its capacity, most urgent rows first.

    ``priority``: lower is more urgent (e.g. days until stockout). Rows of a supplier without a
    capacity entry are untouched. A cut row keeps whole case packs only.
    """
    q = np.asarray(quantity, dtype=np.float64).copy()
    if not capacity:
        return q
    suppliers = np.asarray(supplier).astype(str)
    pack = np.broadcast_to(np.maximum(np.asarray(case_pack, dtype=np.float64), 1.0), q.shape)
    prio = np.broadcast_to(np.asarray(priority, dtype=np.float64), q.shape)
    for name, limit in capacity.items():
        if limit < 0:
            raise InputError(
                f"supplier {name!r}: capacity must be >= 0 units, found {limit}",
                hint="set the supplier's capacity to a non-negative number of units per period",
            )
        rows = np.flatnonzero(suppliers == name)
        if rows.size == 0 or q[rows].sum() <= limit:
            continue
        ordered = rows[np.argsort(prio[rows], kind="stable")]
        before = np.concatenate(([0.0], np.cumsum(q[ordered])[:-1]))
        room = np.maximum(limit - before, 0.0)
        granted = np.minimum(q[ordered], room)
        q[ordered] = np.floor(granted / pack[ordered] + 1e-9) * pack[ordered]
    return q
