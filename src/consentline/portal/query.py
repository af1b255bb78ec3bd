"""Typed query strings for portal pages: a bad value is dropped and explained, never a 500.

A page declares its parameters as a Pydantic model whose fields all have defaults; ``read``
validates the query string against it. A value that does not fit falls back to its
default and comes back as a message the page shows (``role="alert"``), so every link,
bookmark or hand-edited URL still opens the page.
"""

from __future__ import annotations

from typing import TypeVar

from fastapi import Request
from pydantic import BaseModel, ConfigDict, ValidationError

Params = TypeVar("Params", bound=BaseModel)


class PageQuery(BaseModel):
    """Base for a page's query parameters: unknown ones are ignored, text is stripped."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, populate_by_name=True)


def _label(model: type[BaseModel], key: str) -> str:
    field = model.model_fields.get(key)
    if field is not None and field.title:
        return field.title
    return (field.alias if field and field.alias else key).replace("_", " ").capitalize()


def read(request: Request, model: type[Params]) -> tuple[Params, list[str]]:
    """The page's parameters, and a message for each value that was not usable."""
    names = {(f.alias or name): name for name, f in model.model_fields.items()}
    raw = {
        key: value
        for key, value in request.query_params.items()
        if key in names and value.strip() != ""
    }
    problems: list[str] = []
    while True:
        try:
            return model.model_validate(raw), problems
        except ValidationError as error:
            bad: set[str] = set()
            for each in error.errors():
                where = each.get("loc") or ("",)
                key = str(where[0])
                if key not in raw or key in bad:
                    continue
                bad.add(key)
                message = str(each.get("msg", "not valid")).removeprefix("Value error, ")
                problems.append(f"{_label(model, names.get(key, key))}: {message}; not used.")
            if not bad:  # a rule across fields: show the page with its defaults
                if not raw:
                    raise
                problems.append("These filters do not fit together; showing all.")
                raw = {}
                continue
            for key in bad:
                raw.pop(key)
