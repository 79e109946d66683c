"""Import seller data from every source into the warehouse: once, completely or not at all, auditable.

Public API: `import_file` (one file, one transaction), `parse_file` (validate only), `list_imports`,
`undo_import`, `importers` (the registry), `resolve_skus` (source identifier -> canonical SKU), and the
contract a new source implements (`Importer`, `Col`, `Parsed`, `ImportContext`, `register`).
"""

from stockturn.ingestion.audit import UndoResult, list_imports, undo_import
from stockturn.ingestion.contract import Col, ImportContext, Importer, Parsed
from stockturn.ingestion.registry import get_importer, importers, register
from stockturn.ingestion.resolve import resolve_skus
from stockturn.ingestion.run import ImportResult, import_file, parse_file

__all__ = [
    "Col",
    "ImportContext",
    "ImportResult",
    "Importer",
    "Parsed",
    "UndoResult",
    "get_importer",
    "import_file",
    "importers",
    "list_imports",
    "parse_file",
    "register",
    "resolve_skus",
    "undo_import",
]
