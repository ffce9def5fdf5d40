"""Load the built-in knowledge base and any team folders layered over it.

Every file of every folder is validated before anything is returned: a broken
file raises :class:`KnowledgeBaseError` naming the file and field, never a
silently smaller KB. Later folders override entries of earlier ones by id.
Folders are user input: files are read through :mod:`bot.safe_read` (regular files
only, links kept inside the folder, sizes capped, YAML checked before it is built).
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.errors import KnowledgeBaseError, Problem, UnsafeInputError
from bot.kb.models import Entry

KB_PATH_ENV = "K8SFIX_KB_PATH"
"""Extra KB folders, separated by the OS path separator (``:`` on Linux)."""

MAX_FILE_BYTES = 1_000_000
NON_ENTRY_FILES = frozenset({"README.md", "lexicon.yaml"})


@dataclass(frozen=True)
class KnowledgeBase:
    """The loaded entries by id, and the folders they came from."""

    entries: dict[str, Entry]
    folders: tuple[Path, ...]

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: str) -> Entry | None:
        """The entry with this id, or None."""
        return self.entries.get(entry_id)


def builtin_dir() -> Path:
    """The folder of the built-in KB: shipped inside the package, or the repo's ``knowledge/``."""
    packaged = Path(__file__).resolve().parent.parent / "knowledge"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "knowledge"


def extra_dirs_from_env(environ: dict[str, str] | None = None) -> list[Path]:
    """Extra KB folders named by ``K8SFIX_KB_PATH``."""
    value = (environ if environ is not None else os.environ).get(KB_PATH_ENV, "")
    return [Path(p) for p in value.split(os.pathsep) if p.strip()]


def load_knowledge(
    extra: Sequence[Path | str] = (),
    *,
    include_builtin: bool = True,
    known_checks: Collection[str] | None = None,
) -> KnowledgeBase:
    """Load the built-in KB plus ``extra`` folders; raise KnowledgeBaseError on any problem."""
    folders = ([builtin_dir()] if include_builtin else []) + [Path(p) for p in extra]
    entries: dict[str, Entry] = {}
    problems: list[Problem] = []
    for folder in folders:
        found, folder_problems = load_folder(folder)
        problems.extend(folder_problems)
        entries.update(found)
    problems.extend(cross_check(entries.values(), known_checks))
    if problems:
        raise KnowledgeBaseError(problems)
    return KnowledgeBase(entries=entries, folders=tuple(folders))


def load_folder(folder: Path) -> tuple[dict[str, Entry], list[Problem]]:
    """Parse every entry file in one folder (YAML and Markdown runbooks)."""
    if not folder.is_dir():
        return {}, [Problem(str(folder), "(folder)", "does not exist or is not a directory")]
    entries: dict[str, Entry] = {}
    problems: list[Problem] = []
    for path in sorted(folder.iterdir()):
        if path.name in NON_ENTRY_FILES or path.name.startswith("."):
            continue
        if path.suffix not in (".yaml", ".yml", ".md"):
            continue
        entry, file_problems = load_file(path, folder)
        problems.extend(file_problems)
        if entry is None or file_problems:  # a file with any problem contributes nothing
            continue
        if entry.id in entries:
            problems.append(Problem(str(path), "id", f"{entry.id!r} is defined twice in {folder}"))
        entries[entry.id] = entry
    return entries, problems


def load_file(path: Path, root: Path | None = None) -> tuple[Entry | None, list[Problem]]:
    """Parse one entry file (a regular file, inside ``root`` when given); never raises for bad content."""
    # The parsers (and yaml) are imported here, not at module level: a run that finds its index in
    # the cache unpickles the KB, which imports this module, and parses no file.
    from bot.kb.runbook import parse_runbook
    from bot.kb.yaml_entry import parse_entry
    from bot.safe_read import load_yaml, read_text

    name = str(path)
    try:
        raw = read_text(path, root=root, max_bytes=MAX_FILE_BYTES)
        if path.suffix == ".md":
            return parse_runbook(raw, name, path.stem)
        data = load_yaml(raw)
    except UnsafeInputError as exc:
        return None, [Problem(name, exc.where, exc.message)]
    return parse_entry(data, name, path.stem)


def cross_check(entries: Iterable[Entry], known_checks: Collection[str] | None) -> list[Problem]:
    """Problems between entries: related ids and check ids that resolve to nothing."""
    entries = list(entries)
    ids = {e.id for e in entries}
    problems = []
    for e in entries:
        for i, rel in enumerate(e.related):
            if rel not in ids:
                problems.append(Problem(e.path, f"related[{i}]", f"{rel!r} is not an entry id"))
            elif rel == e.id:
                problems.append(Problem(e.path, f"related[{i}]", "an entry cannot relate to itself"))
        if known_checks is not None:
            for i, check in enumerate(e.checks):
                if check not in known_checks:
                    problems.append(Problem(e.path, f"checks[{i}]", f"{check!r} is not a known check id"))
    return problems
