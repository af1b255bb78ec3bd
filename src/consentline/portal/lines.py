"""The lines of the picked organization and the ones below it, for page pickers."""

from __future__ import annotations

from consentline.portal.web import Page
from consentline.service.users import subtree_ids
from consentline.store import orgs as org_store
from consentline.store.orgs import LineRow


def lines_of(page: Page) -> list[LineRow]:
    org = page.picked
    below = set(subtree_ids(page.uow, org.id))
    return [
        line
        for line in org_store.list_lines(page.uow.connection, org.root_id)
        if line.org_id in below
    ]
