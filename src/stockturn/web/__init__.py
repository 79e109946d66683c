"""The web dashboard: `create_app(settings)` builds the FastAPI application (pages + JSON API)."""

from stockturn.web.app import create_app

__all__ = ["create_app"]
