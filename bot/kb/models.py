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

    def causes_in_order(self, order: tuple[int, ...]) -> tuple[Cause, ...]:
        """The causes in ``order`` (indices, best fitting first); in the KB's order unless it names each once."""
        if sorted(order) != list(range(len(self.causes))):
            return self.causes
        return tuple(self.causes[k] for k in order)


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
    """Where an entry's knowledge comes from.

    Either a document and its section (``file``, ``section``), or, for common failures that no
    document covers, the Kubernetes component and the event or status reason it reports
    (``component``, ``reason``).
    """

    file: str = ""
    section: str = ""
    document: str = ""
    component: str = ""
    reason: str = ""

    @property
    def is_document(self) -> bool:
        """True when the knowledge comes from a source document's section."""
        return bool(self.file)

    @property
    def label(self) -> str:
        """A one-line citation: ``document — section`` or ``component, reason``."""
        if self.is_document:
            return " — ".join(p for p in (self.document or self.file, self.section) if p)
        return ", ".join(p for p in (self.component, self.reason) if p)


@dataclass(frozen=True)
class NotWhen:
    """A pattern that rules an entry out: text that looks alike but is another problem."""

    pattern: str
    why: str


@dataclass(frozen=True)
class Needs:
    """Evidence an entry's problem always leaves in a text (its component, its subject).

    Without any of an entry's needs, the text is about something else that shares its words.
    """

    pattern: str
    why: str


@dataclass(frozen=True)
class Entry:
    """One troubleshooting topic."""

    id: str
    kind: str
    text: dict[str, Text]
    signatures: tuple[str, ...] = ()
    distinctive: tuple[tuple[str, str], ...] = ()
    not_when: tuple[NotWhen, ...] = ()
    needs: tuple[Needs, ...] = ()
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
    def origin(self) -> str:
        """``document`` when a source document covers the entry, else ``common``."""
        return "document" if any(s.is_document for s in self.sources) else "common"

    def distinctive_part(self, signature: str) -> str:
        """The distinctive part of ``signature``, or the whole signature when none is marked.

        Many messages share a generic prefix (``FailedCreatePodSandBox``, ``hcnCreateLoadBalancer
        failed in Win32:``); a match on that prefix alone must not count as a match on the signature.
        """
        for text, part in self.distinctive:
            if text == signature:
                return part
        return signature

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
