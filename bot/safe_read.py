"""Read user-supplied files (team KB folders, query files) without trusting them.

A KB folder or a query file comes from whoever can write to it, so reading one
must never hang, exhaust memory or crash:

- only regular files are opened (a FIFO named ``x.yaml`` would block forever,
  ``/dev/zero`` never ends), checked before opening and again on the open handle;
- a symbolic link must stay inside its folder;
- sizes are capped, and the text must be UTF-8;
- YAML is composed once, then its node graph is checked before anything is built:
  nesting depth, how far aliases expand (a "billion laughs" file is a few hundred
  bytes), aliases that refer to themselves, and keys given twice in one mapping
  (YAML keeps the last silently, so a typo'd duplicate would hide a field).

Every refusal is an :class:`~bot.errors.UnsafeInputError` saying where (``(file)``
or ``line N``) and what, so callers report it like any other problem of the file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from bot.errors import UnsafeInputError

MAX_FILE_BYTES = 1_000_000
"""Largest file read; a KB entry is a few kilobytes."""
MAX_DEPTH = 64
"""Deepest YAML nesting accepted; an entry nests five levels."""
MAX_NODES = 200_000
"""Most YAML nodes a document may expand to, aliases counted each time they are used."""
MAX_ALIAS_NODES = 10_000
"""Most nodes aliases may add by repeating what they refer to; an entry needs none."""

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def read_text(path: Path, *, root: Path | None = None, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The UTF-8 text of ``path``, a regular file (inside ``root`` when given) of at most ``max_bytes``.

    Raises:
        UnsafeInputError: The file is not a regular file, leads outside ``root``, is too
            large, cannot be read, or is not UTF-8.
    """
    target = _regular_file(path, root, max_bytes)
    try:
        fd = os.open(target, _OPEN_FLAGS)
    except OSError as exc:
        raise UnsafeInputError("(file)", f"cannot be read: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        # The file may have been swapped for a FIFO or a device since the check above.
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise UnsafeInputError("(file)", "is not a regular file")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UnsafeInputError("(file)", f"is larger than {max_bytes} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnsafeInputError("(file)", f"is not UTF-8 text (invalid byte at offset {exc.start})") from None


def _regular_file(path: Path, root: Path | None, max_bytes: int) -> Path:
    """``path`` or, for a symbolic link, its target, once both are known to be safe to open."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise UnsafeInputError("(file)", f"cannot be read: {exc.strerror or exc}") from None
    target = path
    if stat.S_ISLNK(info.st_mode):
        try:
            target = path.resolve(strict=True)
            info = os.stat(target)
        except (OSError, RuntimeError):
            raise UnsafeInputError("(file)", "is a broken or looping symbolic link") from None
        if root is not None and not target.is_relative_to(root.resolve()):
            raise UnsafeInputError("(file)", f"is a symbolic link to {target}, outside its folder {root}")
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeInputError("(file)", f"is {_kind(info.st_mode)}, not a regular file; it was not opened")
    if info.st_size > max_bytes:
        raise UnsafeInputError("(file)", f"is larger than {max_bytes} bytes ({info.st_size})")
    return target


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
    return next((name for test, name in kinds if test(mode)), "a special file")


def load_yaml(text: str, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES,
              max_alias_nodes: int = MAX_ALIAS_NODES) -> Any:
    """Parse one YAML document with the safe loader, after checking its shape.

    Raises:
        UnsafeInputError: The text is not valid YAML, nests deeper than ``max_depth``,
            expands beyond ``max_nodes`` nodes (or its aliases add more than
            ``max_alias_nodes``), has an alias that refers to itself, or repeats a key in
            one mapping.
    """
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_nodes(node, max_depth=max_depth, max_nodes=max_nodes, max_alias_nodes=max_alias_nodes)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        raise UnsafeInputError(where, f"is not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    except RecursionError:
        raise UnsafeInputError("(file)", f"nests deeper than {max_depth} levels") from None
    finally:
        loader.dispose()


def check_nodes(root: yaml.Node, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES,
                max_alias_nodes: int = MAX_ALIAS_NODES) -> int:
    """Check a composed YAML node graph without recursion; return its expanded node count.

    Aliases share node objects, so each node's expanded size is computed once (post-order,
    with an explicit stack) and a shared node counts every time it is used.
    """
    size: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            total = 1 + sum(size[id(child)] for child in _children(node))
            if total > max_nodes:
                raise UnsafeInputError(_line(node), f"expands to more than {max_nodes} nodes "
                                                    "(aliases repeat what they refer to)")
            size[key] = total
            continue
        if key in size:
            continue
        if key in open_nodes:
            raise UnsafeInputError(_line(node), "an alias refers to a node that contains it")
        if depth > max_depth:
            raise UnsafeInputError(_line(node), f"nests deeper than {max_depth} levels")
        if isinstance(node, yaml.MappingNode):
            _check_keys(node)
        children = _children(node)
        if not children:
            size[key] = 1
            continue
        open_nodes.add(key)
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in children)
    expanded = size[id(root)]
    if expanded - len(size) > max_alias_nodes:
        raise UnsafeInputError("(file)", f"aliases expand to {expanded - len(size)} more nodes than written "
                                         f"(at most {max_alias_nodes})")
    return expanded


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_keys(node: yaml.MappingNode) -> None:
    seen: set[tuple[str, str]] = set()
    for key, _value in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
            continue
        ident = (key.tag, key.value)
        if ident in seen:
            raise UnsafeInputError(_line(key), f"key {key.value!r} appears twice in one mapping")
        seen.add(ident)


def _line(node: yaml.Node) -> str:
    mark = getattr(node, "start_mark", None)
    return f"line {mark.line + 1}" if mark is not None else "(file)"
