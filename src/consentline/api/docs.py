"""The API documentation page, with Swagger UI served from this server, never a CDN."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).with_name("static")


def install(app: FastAPI) -> None:
    app.mount("/api/static", StaticFiles(directory=STATIC), name="api-static")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="ConsentLine API",
            swagger_js_url="/api/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/api/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/api/static/vendor/swagger-ui/favicon-32x32.png",
        )
