"""Every value a request carries is text we can store, or a clear 422 naming the field.

Runs before the routes' own validation, on the path, the query and a JSON or form body:
refuses NUL bytes, lone surrogates and non-characters (``domain.text``), numbers beyond the
database's 64-bit integers and JSON's NaN and infinities. Carriers' webhooks are exempt:
a signed notification is stored whatever it holds (see ``service.webhooks``).
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import Request

from consentline.domain.errors import InvalidInput
from consentline.domain.text import storable
from consentline.service.access import MAX_ID

EXEMPT_PREFIXES = ("/webhooks/",)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def storable_request(request: Request) -> None:
    if request.url.path.startswith(EXEMPT_PREFIXES):
        return
    for name, value in request.path_params.items():
        _check_parameter(str(value), name)
    # Portal pages read their query strings through typed models that explain a bad value
    # on the page itself; only the JSON API refuses an out-of-range number here.
    api = request.url.path.startswith("/api/")
    for name, value in request.query_params.multi_items():
        if api:
            _check_parameter(value, name)
        else:
            storable(value, name)
    content_type = request.headers.get("content-type", "")
    if "json" in content_type:
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError):
            return  # the route answers 400 for a body that is not JSON
        _check_json(body, "")
    elif content_type.startswith(FORM_TYPES):
        form = await request.form()
        for name, value in form.multi_items():
            if isinstance(value, str):
                storable(value, name)


def _check_parameter(value: str, name: str) -> None:
    storable(value, name)
    digits = value.lstrip("+-")
    if digits.isdigit() and len(digits) > 18 and int(digits) > MAX_ID:
        raise InvalidInput(f"{name}: the number is out of range.", code="out_of_range")


def _check_json(value: Any, where: str) -> None:
    """``where`` names the field as the routes' own 422s do: ``to.1``, ``keywords.opt_in``."""
    if isinstance(value, str):
        storable(value, where or "body")
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if abs(value) > MAX_ID:
            raise InvalidInput(f"{where}: the number is out of range.", code="out_of_range")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInput(f"{where}: the number is not finite.", code="out_of_range")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(item, f"{where}.{index}".lstrip("."))
    elif isinstance(value, dict):
        for key, item in value.items():
            storable(key, where or "body")
            _check_json(item, f"{where}.{key}".lstrip("."))
