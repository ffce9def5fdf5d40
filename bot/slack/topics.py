"""The KB's topics for ``/k8sfix list [word]`` and the App Home tab: filtered, grouped by area.

An entry's area comes from its tags, first match in :data:`AREAS` order, so a
Windows DNS topic sits under Windows nodes, where a Windows on-call looks.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from bot.kb.loader import KnowledgeBase
from bot.kb.models import Entry

AREAS: tuple[tuple[str, frozenset[str]], ...] = (
    ("windows", frozenset({"windows", "hns"})),
    ("dns", frozenset({"dns", "coredns", "kube-dns"})),
    ("services", frozenset({"service", "kube-proxy", "iptables", "network-policy"})),
    ("control_plane", frozenset({"control-plane", "etcd", "kubectl", "kube-controller-manager", "aks"})),
    ("metrics", frozenset({"metrics", "metrics-server", "hpa", "dashboard"})),
    ("nodes", frozenset({"kubelet", "node", "cgroups", "systemd", "docker"})),
    ("network", frozenset({"cni", "networking", "flannel", "kubenet", "firewall"})),
)
"""Area keys (labels ``area_<key>`` in :mod:`bot.slack.texts`) and the tags that put an entry there."""
OTHER = "other"


@dataclass(frozen=True)
class Area:
    """One area and its entries, sorted by id."""

    key: str
    entries: tuple[Entry, ...]


def area_of(entry: Entry) -> str:
    """The area key of an entry (``other`` when no tag places it)."""
    tags = set(entry.tags)
    return next((key for key, wanted in AREAS if tags & wanted), OTHER)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def find_topics(kb: KnowledgeBase, word: str | None = None) -> list[Entry]:
    """Entries whose id, tags or title in any language hold ``word`` (every entry without one)."""
    entries = sorted(kb.entries.values(), key=lambda e: e.id)
    if not word:
        return entries
    needle = _fold(word)
    return [e for e in entries
            if needle in e.id or any(needle in _fold(t) for t in e.tags)
            or any(needle in _fold(text.title) for text in e.text.values())]


def by_area(entries: list[Entry]) -> list[Area]:
    """The entries grouped in :data:`AREAS` order, ``other`` last; empty areas left out."""
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(area_of(entry), []).append(entry)
    order = [key for key, _ in AREAS] + [OTHER]
    return [Area(key, tuple(groups[key])) for key in order if key in groups]
