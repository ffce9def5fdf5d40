"""The knowledge-base entry as the rest of k8sfix sees it: immutable, validated."""

from __future__ import annotations

from dataclasses import dataclass, field

LANGUAGES: tuple[str, ...] = ("en", "pt", "ru", "zh")
"""Languages every built-in entry is written in; ``zh`` is Simplified Chinese."""

KINDS: tuple[str, ...] = ("error", "symptom", "howto")
COMMAND_GROUPS: tuple[str, ...] = ("diagnose", "fix")


@dataclass(frozen=True)
class Cause:
    """One cause with the steps that fix it, in one language."""

    cause: str
    fix: tuple[str, ...]


@dataclass(frozen=True)
class Text:
    """Everything an entry says in one language."""

    title: str
    symptoms: tuple[str, ...]
    impact: str
    causes: tuple[Cause, ...]


@dataclass(frozen=True)
class Command:
    """A command quoted exactly, with a one-line purpose per language."""

    run: str
    purpose: dict[str, str]
    beyond_source: bool = False

    def purpose_in(self, lang: str) -> str:
        """The purpose in ``lang``, else English, else any language."""
        return self.purpose.get(lang) or self.purpose.get("en") or next(iter(self.purpose.values()), "")


@dataclass(frozen=True)
class Source:
    """Where an entry's knowledge comes from: a document and its section."""

    file: str
    section: str
    document: str = ""


@dataclass(frozen=True)
class Entry:
    """One troubleshooting topic."""

    id: str
    kind: str
    text: dict[str, Text]
    signatures: tuple[str, ...] = ()
    alerts: tuple[str, ...] = ()
    diagnose: tuple[Command, ...] = ()
    fix: tuple[Command, ...] = ()
    checks: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    beyond_source: tuple[str, ...] = ()
    path: str = field(default="", compare=False)

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages this entry is written in."""
        return tuple(self.text)

    def text_in(self, lang: str) -> Text:
        """The text in ``lang``, else English, else the entry's first language."""
        return self.text.get(lang) or self.text.get("en") or next(iter(self.text.values()))

    def lang_for(self, lang: str) -> str:
        """The language code :meth:`text_in` actually returns for ``lang``."""
        if lang in self.text:
            return lang
        return "en" if "en" in self.text else next(iter(self.text))
