"""QR codes on pages: ``{{ text | qr }}`` is an SVG image as a ``data:`` URI (the CSP
allows ``data:`` images, and no script is involved)."""

from __future__ import annotations

import segno

from consentline.portal.web import templates


def qr_data_uri(text: str) -> str:
    code = segno.make(text, error="m")
    data_uri: str = code.svg_data_uri(scale=4, border=2)
    return data_uri


templates.env.filters["qr"] = qr_data_uri
