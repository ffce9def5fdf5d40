"""Exceptions raised by k8sfix.

Hierarchy::

    K8sfixError
    ├── KnowledgeBaseError      one or more KB files are invalid (lists every problem)
    ├── InputError              user input that cannot be matched (empty, unreadable)
    │   └── UnsafeInputError    a user file refused before use (special file, too large, YAML bomb)
    ├── ConfigError             a missing or invalid setting (names the variable)
    └── CheckError              a cluster check could not run (unknown id, bad input)
"""

from __future__ import annotations

from dataclasses import dataclass


class K8sfixError(Exception):
    """Base class of every error k8sfix raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one KB file: where, which field, what."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


class KnowledgeBaseError(K8sfixError):
    """The knowledge base did not load; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"knowledge base is invalid ({len(problems)} problem(s)):\n{lines}")


class InputError(K8sfixError):
    """Input that cannot be matched: empty text, an unreadable file."""


class UnsafeInputError(InputError):
    """A user-supplied file refused before use; ``where`` is ``(file)`` or ``line N``."""

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}")


class ConfigError(K8sfixError):
    """A setting is missing or invalid; the message names it."""


class CheckError(K8sfixError):
    """A cluster check cannot run: unknown id, invalid resource name."""
