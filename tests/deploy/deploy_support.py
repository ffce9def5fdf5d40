"""Read the Dockerfile, the .dockerignore and the kustomizations the way Docker and kustomize would.

There is no Docker engine and no kustomize here, so the tests use these small readers:

- :func:`parse_dockerfile` splits the Dockerfile into stages of ``(instruction, arguments)``.
- :func:`dockerignore_excludes` applies .dockerignore patterns (last match wins, parents count).
- :func:`build_kustomization` renders a kustomization: ``resources`` (files, or folders holding a
  kustomization.yaml, recursively, under kustomize's rule that a file must lie in or below the
  kustomization's folder), ``components`` (folders holding a ``kind: Component``, whose resources
  join the objects rendered so far and whose patches apply to all of them, in order) and
  ``patches`` of two kinds only: JSON 6902 lists (add, remove, replace, test) with a ``target``,
  and ``$patch: delete`` objects. Any other field or patch kind is an error, so a kustomization
  can never use a feature these tests would silently ignore.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOCKERFILE = ROOT / "Dockerfile"
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
KUSTOMIZATION_FIELDS = frozenset({"apiVersion", "kind", "resources", "components", "patches"})
KINDS = {"Kustomization": "kustomize.config.k8s.io/v1beta1", "Component": "kustomize.config.k8s.io/v1alpha1"}

Obj = dict[str, Any]


class BuildError(Exception):
    """A kustomization cannot be rendered (kustomize would refuse it too)."""


# --- Dockerfile ---------------------------------------------------------------------------------


@dataclass
class Stage:
    """One ``FROM`` stage: its base image, its ``AS`` name and its instructions in order."""

    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, instruction: str) -> list[str]:
        """The arguments of every ``instruction`` (upper case) in this stage."""
        return [args for ins, args in self.instructions if ins == instruction]

    def env(self) -> dict[str, str]:
        """Every ``ENV`` of the stage, later ones winning."""
        values: dict[str, str] = {}
        for args in self.all("ENV"):
            values.update(parse_env(args))
        return values


def logical_lines(text: str) -> list[str]:
    """Instructions with their ``\\`` continuations joined; comments and blank lines dropped."""
    lines: list[str] = []
    current = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not current):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1].rstrip() + " "
            continue
        current += stripped
        if current.strip():
            lines.append(current.strip())
        current = ""
    if current.strip():
        lines.append(current.strip())
    return lines


def parse_dockerfile(path: Path = DOCKERFILE, build_args: dict[str, str] | None = None) -> list[Stage]:
    """The stages of a Dockerfile, ``FROM`` resolved as ``docker build --build-arg`` would.

    ``ARG`` lines before the first ``FROM`` are the global build arguments, the only ones ``FROM``
    can use; ``build_args`` overrides their defaults, and an argument never declared is refused.
    """
    stages: list[Stage] = []
    global_args: dict[str, str] = {}
    for line in logical_lines(path.read_text(encoding="utf-8")):
        instruction, _, args = line.partition(" ")
        instruction = instruction.upper()
        args = args.strip()
        if instruction == "FROM":
            words = args.split()
            words = [w for w in words if not w.startswith("--")]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base=substitute(words[0], {**global_args, **(build_args or {})}), name=name))
        elif not stages:
            if instruction != "ARG":
                raise ValueError(f"{instruction} before the first FROM")
            key, _, default = shlex.split(args)[0].partition("=")
            global_args[key] = default
        else:
            stages[-1].instructions.append((instruction, args))
    undeclared = set(build_args or {}) - set(global_args)
    if undeclared:
        raise ValueError(f"build arguments {sorted(undeclared)} are not declared before the first FROM")
    return stages


def substitute(text: str, values: dict[str, str]) -> str:
    """``$NAME`` and ``${NAME}`` replaced from ``values``; an unknown name is an error (Docker would leave it empty)."""
    def value(match: re.Match[str]) -> str:
        key = match.group(1) or match.group(2)
        if key not in values:
            raise ValueError(f"${key} is not a global build argument")
        return values[key]

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)", value, text)


def parse_env(args: str) -> dict[str, str]:
    """``ENV A=1 B="two words"`` as a mapping (the legacy ``ENV A 1`` form too)."""
    words = shlex.split(args)
    if words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    return dict(word.split("=", 1) for word in words)


def exec_form(args: str) -> list[str]:
    """The JSON array of an exec-form ``CMD``/``ENTRYPOINT``/``HEALTHCHECK CMD``."""
    value = json.loads(args)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"not an exec-form array: {args}")
    return value


def healthcheck(stage: Stage) -> tuple[dict[str, str], list[str]]:
    """The options and the exec-form command of the stage's ``HEALTHCHECK``."""
    [args] = stage.all("HEALTHCHECK")
    options_text, sep, command = args.partition(" CMD ")
    if not sep:
        raise ValueError(f"HEALTHCHECK without CMD: {args}")
    options = dict(opt.lstrip("-").split("=", 1) for opt in options_text.split())
    return options, exec_form(command.strip())


# --- .dockerignore ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IgnorePattern:
    """One .dockerignore line: its cleaned text, its regex, and whether it is an exception (``!``)."""

    text: str
    regex: re.Pattern[str]
    exception: bool


def dockerignore_patterns(path: Path) -> list[IgnorePattern]:
    """The patterns of a .dockerignore file, in order."""
    patterns = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        text = (line[1:] if exception else line).strip().strip("/")
        patterns.append(IgnorePattern(text, re.compile(_glob_to_regex(text)), exception))
    return patterns


def _glob_to_regex(glob: str) -> str:
    out = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[":
            end = glob.index("]", i)
            out.append(glob[i:end + 1])
            i = end + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return "".join(out) + r"\Z"


def dockerignore_excludes(relative: str, patterns: list[IgnorePattern]) -> bool:
    """Whether Docker leaves ``relative`` (a POSIX path in the context) out: last match wins, parents count."""
    parts = relative.split("/")
    candidates = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    excluded = False
    for pattern in patterns:
        if any(pattern.regex.match(candidate) for candidate in candidates):
            excluded = not pattern.exception
    return excluded


def build_context(root: Path, patterns: list[IgnorePattern]) -> list[str]:
    """The files (POSIX paths relative to ``root``) Docker sends as the build context.

    Like Docker, an excluded folder is not entered unless an exception pattern starts with its path.
    """
    kept: list[str] = []
    for folder, dirs, files in os.walk(root):
        base = Path(folder).relative_to(root).as_posix()
        prefix = "" if base == "." else base + "/"
        dirs[:] = [d for d in dirs if not dockerignore_excludes(prefix + d, patterns)
                   or any(p.exception and p.text.startswith(prefix + d + "/") for p in patterns)]
        kept.extend(prefix + f for f in files if not dockerignore_excludes(prefix + f, patterns))
    return sorted(kept)


# --- kustomize ----------------------------------------------------------------------------------


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def kustomization_dirs() -> list[Path]:
    """Every folder under deploy/ that holds a kustomization, sorted."""
    return sorted({p.parent for name in KUSTOMIZATION_FILES for p in DEPLOY.rglob(name)})


def kustomization_file(folder: Path) -> Path:
    """The kustomization file of ``folder``."""
    for name in KUSTOMIZATION_FILES:
        if (folder / name).is_file():
            return folder / name
    raise BuildError(f"{_shown(folder)} has no kustomization.yaml, so kustomize cannot use it as a "
                     "resource (a plain file outside the kustomization's folder is refused by kustomize)")


def load_kustomization(folder: Path) -> Obj:
    """The kustomization of ``folder``, with its fields checked against what this reader supports."""
    path = kustomization_file(folder)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(data) - KUSTOMIZATION_FIELDS
    if unknown:
        raise BuildError(f"{_shown(path)}: fields {sorted(unknown)} are not rendered by these tests")
    return data


def load_documents(path: Path) -> list[Obj]:
    """The non-empty YAML documents of a file."""
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc is not None]


def object_id(obj: Obj) -> tuple[str, str, str]:
    """``(kind, namespace, name)``, which kustomize requires to be unique in one build."""
    meta = obj.get("metadata") or {}
    return obj["kind"], meta.get("namespace", ""), meta["name"]


def build_kustomization(folder: Path, inherited: list[Obj] | None = None) -> list[Obj]:
    """Render the kustomization in ``folder`` like ``kubectl kustomize`` (within the subset above).

    A Component is rendered on top of ``inherited`` (the objects of the kustomization naming it);
    rendered on its own, it starts from nothing.
    """
    folder = folder.resolve()
    spec = load_kustomization(folder)
    kind = spec.get("kind", "Kustomization")
    if KINDS.get(kind) != spec.get("apiVersion", KINDS.get(kind)):
        raise BuildError(f"{_shown(folder)}: {kind} needs apiVersion {KINDS.get(kind)}")
    if inherited is not None and kind != "Component":
        raise BuildError(f"{_shown(folder)}: listed under components: but is a {kind}")
    objects: list[Obj] = list(inherited or [])
    for entry in spec.get("resources", []) or []:
        path = (folder / entry).resolve()
        if path.is_dir():
            objects.extend(build_kustomization(path))
        elif not path.is_file():
            raise BuildError(f"{_shown(folder)}: resource {entry} does not exist")
        elif not path.is_relative_to(folder):
            raise BuildError(f"{_shown(folder)}: resource file {entry} is not in or below the "
                             "kustomization's folder; kustomize refuses it (use a folder with a kustomization)")
        else:
            objects.extend(load_documents(path))
    for entry in spec.get("components", []) or []:
        path = (folder / entry).resolve()
        if not path.is_dir():
            raise BuildError(f"{_shown(folder)}: component {entry} is not a folder")
        objects = build_kustomization(path, objects)
    _check_unique(objects, folder)
    for patch in spec.get("patches", []) or []:
        objects = apply_patch(objects, patch, folder)
    return objects


def patch_files(folder: Path) -> list[Path]:
    """The files a kustomization names as patches."""
    return [(folder / p["path"]).resolve() for p in load_kustomization(folder).get("patches", []) or [] if "path" in p]


def _check_unique(objects: list[Obj], folder: Path) -> None:
    seen: set[tuple[str, str, str]] = set()
    for obj in objects:
        key = object_id(obj)
        if key in seen:
            raise BuildError(f"{_shown(folder)}: {key} appears twice")
        seen.add(key)


def apply_patch(objects: list[Obj], patch: Obj, folder: Path) -> list[Obj]:
    """Apply one entry of ``patches:``."""
    if "path" in patch:
        text = (folder / patch["path"]).read_text(encoding="utf-8")
    elif "patch" in patch:
        text = patch["patch"]
    else:
        raise BuildError(f"{_shown(folder)}: a patch needs path or patch")
    content = yaml.safe_load(text)
    if isinstance(content, list):
        target = patch.get("target")
        if not target:
            raise BuildError(f"{_shown(folder)}: a JSON 6902 patch needs a target")
        matched = {id(obj) for obj in objects if _matches(obj, target)}
        if not matched:
            raise BuildError(f"{_shown(folder)}: patch target {target} matches nothing")
        return [json_patch(obj, content) if id(obj) in matched else obj for obj in objects]
    if isinstance(content, dict) and content.get("$patch") == "delete":
        doomed = (content["kind"], (content.get("metadata") or {}).get("namespace", ""), content["metadata"]["name"])
        if doomed not in {object_id(obj) for obj in objects}:
            raise BuildError(f"{_shown(folder)}: $patch: delete of {doomed} matches nothing")
        return [obj for obj in objects if object_id(obj) != doomed]
    raise BuildError(f"{_shown(folder)}: only JSON 6902 patches and $patch: delete are rendered here")


def _matches(obj: Obj, target: Obj) -> bool:
    api_version = obj.get("apiVersion", "")
    group, _, version = api_version.rpartition("/")
    meta = obj.get("metadata") or {}
    wanted = {"group": group, "version": version, "kind": obj.get("kind"), "name": meta.get("name"),
              "namespace": meta.get("namespace", "")}
    unknown = set(target) - set(wanted)
    if unknown:
        raise BuildError(f"target selectors {sorted(unknown)} are not rendered by these tests")
    return all(wanted[key] == value for key, value in target.items())


def json_patch(document: Obj, operations: list[Obj]) -> Obj:
    """RFC 6902 ``add``/``remove``/``replace``/``test`` applied to a copy of ``document``."""
    doc = copy.deepcopy(document)
    for op in operations:
        kind = op["op"]
        parent, key = _resolve(doc, op["path"])
        if kind == "test":
            if _get(parent, key) != op["value"]:
                raise BuildError(f"test failed at {op['path']}: {_get(parent, key)!r} != {op['value']!r}")
        elif kind == "add":
            value = copy.deepcopy(op["value"])
            if isinstance(parent, list):
                parent.insert(len(parent) if key == "-" else _index(parent, key, extra=1), value)
            else:
                parent[key] = value
        elif kind == "replace":
            _get(parent, key)
            parent[_index(parent, key) if isinstance(parent, list) else key] = copy.deepcopy(op["value"])
        elif kind == "remove":
            _get(parent, key)
            del parent[_index(parent, key) if isinstance(parent, list) else key]
        else:
            raise BuildError(f"JSON patch op {kind!r} is not rendered by these tests")
    return doc


def _resolve(doc: Any, pointer: str) -> tuple[Any, str]:
    if not pointer.startswith("/"):
        raise BuildError(f"bad JSON pointer {pointer!r}")
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]
    node = doc
    for token in tokens[:-1]:
        node = _get(node, token)
    return node, tokens[-1]


def _get(node: Any, token: str) -> Any:
    try:
        return node[_index(node, token)] if isinstance(node, list) else node[token]
    except (KeyError, TypeError) as exc:
        raise BuildError(f"JSON pointer token {token!r} not found") from exc


def _index(node: list[Any], token: str, *, extra: int = 0) -> int:
    if not token.isdigit() or int(token) >= len(node) + extra:
        raise BuildError(f"JSON pointer index {token!r} out of range")
    return int(token)
