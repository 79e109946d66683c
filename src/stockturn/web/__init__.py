"""The web dashboard: `create_app(settings)` builds the FastAPI application (pages + JSON API)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stockturn.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so `stockturn user ...` and other commands do not load FastAPI.
    if name == "create_app":
        from stockturn.web.app import create_app

        return create_app
    raise AttributeError(name)
