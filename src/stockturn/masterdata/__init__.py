"""Master data: one canonical SKU, however each source names it.

Exact rules first (identifier match across alias types, normalised codes, user mapping files), then fuzzy
suggestions that a person confirms or rejects; every change is recorded and undoable, and the facts'
`sku_id` columns are re-resolved in the same transaction.
"""

from stockturn.masterdata.matching import DEFAULT_THRESHOLD, suggest
from stockturn.masterdata.normalize import normalize_code, normalize_title

__all__ = ["DEFAULT_THRESHOLD", "normalize_code", "normalize_title", "suggest"]
