"""Master data: one canonical SKU, however each source names it.

Exact rules first (identifier match across alias types, normalised codes and titles, user mapping files),
then fuzzy suggestions that a person confirms or rejects; every change is recorded and undoable, and the
facts' `sku_id` columns are re-resolved in the same transaction. See docs/master-data.md.
"""

from stockturn.masterdata.history import history, undo
from stockturn.masterdata.matching import DEFAULT_THRESHOLD, suggest
from stockturn.masterdata.normalize import normalize_code, normalize_title
from stockturn.masterdata.operations import (
    ChangeResult,
    link,
    link_file,
    list_skus,
    merge,
    show_sku,
    split,
    unlink,
    unmapped,
)
from stockturn.masterdata.suggestions import (
    apply_exact_rules,
    confirm,
    reject,
    suggest_names,
    suggest_unmapped,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "ChangeResult",
    "apply_exact_rules",
    "confirm",
    "history",
    "link",
    "link_file",
    "list_skus",
    "merge",
    "normalize_code",
    "normalize_title",
    "reject",
    "show_sku",
    "split",
    "suggest",
    "suggest_names",
    "suggest_unmapped",
    "undo",
    "unlink",
    "unmapped",
]
