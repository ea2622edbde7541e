"""The web UI and JSON API over one store: `create_app(path | Store | Workspace, settings)`.

`app` builds the FastAPI application (error pages, limits, security headers); `_site` holds
what the routes share; `api` (JSON under /api/) and `pages` (HTML) render `views`."""

from .app import create_app

__all__ = ["create_app"]
