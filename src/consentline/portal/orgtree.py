"""The organization picker's tree: each organization with its depth, parents first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from consentline.store.orgs import OrgRow


@dataclass(frozen=True)
class TreeItem:
    org: OrgRow
    depth: int

    @property
    def label(self) -> str:
        """The name indented by depth, for an ``<option>`` (which cannot hold markup)."""
        return "\u2003" * self.depth + ("\u2514 " if self.depth else "") + self.org.name


def build_tree(orgs: Iterable[OrgRow], top_ids: Iterable[int]) -> list[TreeItem]:
    """The organizations under each of ``top_ids`` (included), depth first, by name."""
    by_id = {org.id: org for org in orgs}
    children: dict[int, list[OrgRow]] = {}
    for org in by_id.values():
        if org.parent_id is not None:
            children.setdefault(org.parent_id, []).append(org)
    items: list[TreeItem] = []

    def walk(org: OrgRow, depth: int) -> None:
        items.append(TreeItem(org, depth))
        for child in sorted(children.get(org.id, []), key=lambda o: (o.name.lower(), o.id)):
            walk(child, depth + 1)

    tops = [by_id[i] for i in top_ids if i in by_id]
    for top in sorted(tops, key=lambda o: (o.name.lower(), o.id)):
        walk(top, 0)
    return items
