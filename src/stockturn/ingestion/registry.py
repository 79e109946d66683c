"""The importers by name. Every module in `stockturn.ingestion.sources` is loaded once and registers its
importers with `@register`, so adding a source is adding one module there."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from typing import TypeVar

from stockturn.errors import InputError
from stockturn.ingestion.contract import Importer
from stockturn.ingestion.readers import normalize_header

_REGISTRY: dict[str, Importer] = {}
_loaded = False
ImporterClass = TypeVar("ImporterClass", bound=type[Importer])


def register(cls: ImporterClass) -> ImporterClass:
    """Class decorator: make the importer available by its `name` (names are unique)."""
    instance = cls()
    if instance.name in _REGISTRY and type(_REGISTRY[instance.name]) is not cls:
        raise RuntimeError(f"two importers are named {instance.name}")
    _REGISTRY[instance.name] = instance
    return cls


def _load() -> None:
    global _loaded
    if _loaded:
        return
    package = importlib.import_module("stockturn.ingestion.sources")
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if not module.name.startswith("_"):
            importlib.import_module(f"stockturn.ingestion.sources.{module.name}")
    _loaded = True


def importers() -> dict[str, Importer]:
    _load()
    return dict(sorted(_REGISTRY.items()))


def get_importer(name: str) -> Importer:
    found = importers().get(name)
    if found is None:
        raise InputError(f"expected a source name, found {name!r}",
                         hint=f"use auto or one of: {', '.join(importers())}")
    return found


def detect(headers: Iterable[str], file: str) -> Importer:
    """The importer whose signature headers are all present (the most specific one when several are)."""
    names = list(headers)
    scored = sorted(((imp.detect(names), len(imp.signature), imp.name, imp) for imp in importers().values()),
                    key=lambda s: (s[0], s[1]), reverse=True)
    full = [s for s in scored if s[0] >= 1.0]
    if full:
        return full[0][3]
    best = scored[0][3] if scored else None
    near = ""
    if best is not None and scored[0][0] > 0:
        present = {normalize_header(h) for h in names}
        lacking = [h for h in best.signature if normalize_header(h) not in present]
        near = f"; closest is {best.name}, which also needs {', '.join(repr(h) for h in lacking)}"
    shown = ", ".join(repr(h) for h in names[:10])
    raise InputError(
        f"expected the headers of a known source, found {shown}{near}",
        hint="name the source (stockturn import SOURCE ...), or describe the file with --mapping",
        file=file,
    )
