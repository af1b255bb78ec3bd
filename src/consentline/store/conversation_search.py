"""The conversation search: filters, full-text match of message bodies, a page and counts.

Every filter narrows ``conversations`` through its own index (store/search_tables.py); words
in message bodies go through SQLite FTS5 or PostgreSQL full-text search, each word matching
as a prefix (``appoint`` finds "appointment").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    text,
)

from consentline.store.search_tables import PG_TEXT_CONFIG
from consentline.store.tables import Id, conversations, lines, messages, orgs

MAX_WORDS = 8
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class SearchQuery:
    """What to look for; every field narrows the result (empty ones do not)."""

    root_id: int
    org_ids: frozenset[int] | None = None
    """The organizations whose lines count; None for the whole tree."""
    line_number: str | None = None
    line_id: int | None = None
    employee: str | None = None
    """Part of the employee's name; with the two above, a line matching any of them."""
    contact: str | None = None
    channel: str | None = None
    state: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    """Exclusive."""
    words: tuple[str, ...] = field(default=())
    oldest_first: bool = False


def words_of(text_: str) -> tuple[str, ...]:
    """The words of a search box, lower-cased, at most ``MAX_WORDS``."""
    return tuple(WORD.findall(text_.lower()))[:MAX_WORDS]


def _text_match(conn: Connection, words: Sequence[str]) -> Select[Any]:
    """The conversation ids with a message holding every word (each as a prefix)."""
    if conn.dialect.name == "postgresql":
        query = " & ".join(f"{word}:*" for word in words)
        vector = func.to_tsvector(literal_column(PG_TEXT_CONFIG), messages.c.body)
        tsquery = func.to_tsquery(literal_column(PG_TEXT_CONFIG), bindparam("tsquery", query))
        return select(messages.c.conversation_id).where(vector.op("@@")(tsquery))
    match = " ".join('"' + word.replace('"', "") + '"*' for word in words)
    found = (
        text("SELECT rowid FROM messages_fts WHERE messages_fts MATCH :fts")
        .bindparams(fts=match)
        .columns(rowid=Id)
    )
    return select(messages.c.conversation_id).where(messages.c.id.in_(found))


def _line_ids(search: SearchQuery) -> Select[Any] | None:
    conditions: list[ColumnElement[bool]] = []
    if search.org_ids is not None:
        conditions.append(lines.c.org_id.in_(sorted(search.org_ids)))
    named: list[ColumnElement[bool]] = []
    if search.line_number:
        named.append(lines.c.number == search.line_number)
    if search.line_id is not None:
        named.append(lines.c.id == search.line_id)
    if search.employee:
        employee = search.employee.strip().lower()
        named.append(func.lower(lines.c.employee_name).contains(employee, autoescape=True))
    if named:
        conditions.append(or_(*named))
    if not conditions:
        return None
    return select(lines.c.id).where(lines.c.root_id == search.root_id, *conditions)


def _filtered(conn: Connection, query: Select[Any], search: SearchQuery) -> Select[Any]:
    if (line_ids := _line_ids(search)) is not None:
        # The lines are the root's already; without a root_id term here, the planner takes
        # the line index (line_id, updated_at) rather than scanning the whole root.
        query = query.where(conversations.c.line_id.in_(line_ids))
    elif search.words:
        # The matching messages name few conversations: look those up by id, rather than
        # let the root's index walk every conversation (``+ 0`` hides root_id from it).
        query = query.where(conversations.c.root_id + 0 == search.root_id)
    else:
        query = query.where(conversations.c.root_id == search.root_id)
    if search.contact:
        query = query.where(conversations.c.contact == search.contact)
    if search.channel:
        query = query.where(conversations.c.channel == search.channel)
    if search.state:
        query = query.where(conversations.c.state == search.state)
    if search.start is not None:
        query = query.where(conversations.c.updated_at >= search.start)
    if search.end is not None:
        query = query.where(conversations.c.updated_at < search.end)
    if search.words:
        query = query.where(conversations.c.id.in_(_text_match(conn, search.words)))
    return query


def count_by_state(conn: Connection, search: SearchQuery) -> dict[str, int]:
    """How many conversations match, per consent state."""
    # Grouping by the bare column steers SQLite to the (root_id, state) index for its order:
    # right for the whole root or one state, a full scan under any other filter, where an
    # expression leaves that filter's own index in charge.
    narrowed = search.org_ids is not None or any(
        (
            search.line_number,
            search.line_id,
            search.employee,
            search.contact,
            search.channel,
            search.start,
            search.end,
            search.words,
        )
    )
    plain = search.state is not None or not narrowed
    state = conversations.c.state if plain else conversations.c.state.concat("")
    query = select(state, func.count()).group_by(state)
    return {state: int(n) for state, n in conn.execute(_filtered(conn, query, search))}


def find(conn: Connection, search: SearchQuery, offset: int, limit: int) -> list[dict[str, Any]]:
    """One page of matching conversations, by last change (newest first unless asked)."""
    if search.oldest_first:
        order = (conversations.c.updated_at.asc(), conversations.c.id.asc())
    else:
        order = (conversations.c.updated_at.desc(), conversations.c.id.desc())
    ids = _filtered(conn, select(conversations.c.id), search).order_by(*order)
    chosen = [row.id for row in conn.execute(ids.limit(limit).offset(offset))]
    if not chosen:
        return []
    details = (
        select(
            conversations.c.id,
            conversations.c.contact,
            conversations.c.channel,
            conversations.c.state,
            conversations.c.mode,
            conversations.c.initiated_by,
            conversations.c.updated_at,
            lines.c.id.label("line_id"),
            lines.c.number.label("line"),
            lines.c.employee_name,
            orgs.c.id.label("org_id"),
            orgs.c.name.label("org_name"),
        )
        .join(lines, lines.c.id == conversations.c.line_id)
        .join(orgs, orgs.c.id == lines.c.org_id)
        .where(conversations.c.id.in_(chosen))
        .order_by(*order)
    )
    return [dict(row._mapping) for row in conn.execute(details)]
