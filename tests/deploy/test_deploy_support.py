"""The readers the deploy tests rely on behave like kustomize, Docker and RFC 6902 on small inputs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from deploy_support import (
    BuildError,
    build_context,
    build_kustomization,
    dockerignore_excludes,
    dockerignore_patterns,
    json_patch,
    logical_lines,
    parse_env,
)

KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: ns\ndata:\n  a: '1'\n"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize(("operations", "expected"), [
    ([{"op": "add", "path": "/l/-", "value": 3}], {"l": [1, 2, 3], "m": {"k": "v"}}),
    ([{"op": "add", "path": "/l/0", "value": 0}], {"l": [0, 1, 2], "m": {"k": "v"}}),
    ([{"op": "add", "path": "/m/n", "value": 1}], {"l": [1, 2], "m": {"k": "v", "n": 1}}),
    ([{"op": "replace", "path": "/l/1", "value": 9}], {"l": [1, 9], "m": {"k": "v"}}),
    ([{"op": "remove", "path": "/m/k"}], {"l": [1, 2], "m": {}}),
    ([{"op": "test", "path": "/m/k", "value": "v"}, {"op": "remove", "path": "/l/0"}], {"l": [2], "m": {"k": "v"}}),
])
def test_json_patch_operations(operations: list[dict[str, object]], expected: dict[str, object]) -> None:
    # given
    document = {"l": [1, 2], "m": {"k": "v"}}
    # when
    patched = json_patch(document, operations)
    # then
    assert patched == expected
    assert document == {"l": [1, 2], "m": {"k": "v"}}


@pytest.mark.parametrize("operation", [
    {"op": "test", "path": "/m/k", "value": "other"},
    {"op": "replace", "path": "/l/2", "value": 0},
    {"op": "replace", "path": "/m/missing", "value": 0},
    {"op": "remove", "path": "/nothing/here"},
    {"op": "move", "from": "/l", "path": "/x"},
])
def test_json_patch_refuses_what_kustomize_refuses_or_we_do_not_render(operation: dict[str, object]) -> None:
    with pytest.raises(BuildError):
        json_patch({"l": [1, 2], "m": {"k": "v"}}, [operation])


def test_resources_patches_and_deletes_are_rendered(tmp_path: Path) -> None:
    # given a base with two ConfigMaps and an overlay that patches one and deletes the other
    write(tmp_path, {
        "base/kustomization.yaml": KUSTOMIZATION + "resources: [a.yaml, b.yaml]\n",
        "base/a.yaml": CONFIGMAP.format(name="a"),
        "base/b.yaml": CONFIGMAP.format(name="b"),
        "overlay/kustomization.yaml": KUSTOMIZATION + textwrap.dedent("""\
            resources: [../base]
            patches:
              - path: delete-b.yaml
              - target: {kind: ConfigMap, name: a}
                patch: |-
                  - op: replace
                    path: /data/a
                    value: "2"
            """),
        "overlay/delete-b.yaml": "$patch: delete\n" + CONFIGMAP.format(name="b"),
    })
    # when
    objects = build_kustomization(tmp_path / "overlay")
    # then
    assert [(o["metadata"]["name"], o["data"]) for o in objects] == [("a", {"a": "2"})]


@pytest.mark.parametrize(("files", "message"), [
    ({"k/kustomization.yaml": KUSTOMIZATION + "resources: [../outside.yaml]\n",
      "outside.yaml": CONFIGMAP.format(name="a")}, "not in or below"),
    ({"k/kustomization.yaml": KUSTOMIZATION + "resources: [../plain]\n",
      "plain/a.yaml": CONFIGMAP.format(name="a")}, "no kustomization.yaml"),
    ({"k/kustomization.yaml": KUSTOMIZATION + "resources: [a.yaml, b.yaml]\n",
      "k/a.yaml": CONFIGMAP.format(name="a"), "k/b.yaml": CONFIGMAP.format(name="a")}, "appears twice"),
    ({"k/kustomization.yaml": KUSTOMIZATION + "resources: [a.yaml]\nnamespace: other\n",
      "k/a.yaml": CONFIGMAP.format(name="a")}, "not rendered"),
    ({"k/kustomization.yaml": KUSTOMIZATION + "resources: [a.yaml]\npatches: [{path: p.yaml}]\n",
      "k/a.yaml": CONFIGMAP.format(name="a"),
      "k/p.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: ns}\ndata: {a: '3'}\n"},
     "only JSON 6902"),
    ({"k/kustomization.yaml": KUSTOMIZATION + "resources: [missing.yaml]\n"}, "does not exist"),
])
def test_builds_kustomize_would_refuse_or_we_cannot_render_fail(tmp_path: Path, files: dict[str, str],
                                                                 message: str) -> None:
    write(tmp_path, files)
    with pytest.raises(BuildError, match=message):
        build_kustomization(tmp_path / "k")


def test_dockerignore_keeps_only_the_exceptions_of_a_catch_all(tmp_path: Path) -> None:
    # given an allow-list .dockerignore
    write(tmp_path, {
        ".dockerignore": "*\n!pkg/\n!setup.toml\n**/__pycache__\n**/*.py[co]\n",
        "setup.toml": "", "secret.env": "", "pkg/a.py": "", "pkg/sub/b.py": "", "pkg/__pycache__/a.pyc": "",
        "pkg/c.pyc": "", ".git/HEAD": "", "other/x.py": "",
    })
    patterns = dockerignore_patterns(tmp_path / ".dockerignore")
    # when / then
    assert build_context(tmp_path, patterns) == ["pkg/a.py", "pkg/sub/b.py", "setup.toml"]
    assert dockerignore_excludes("other/x.py", patterns)
    assert not dockerignore_excludes("pkg/sub/b.py", patterns)


def test_dockerfile_lines_are_joined_and_comments_dropped() -> None:
    text = "# syntax=docker/dockerfile:1\nFROM a AS b\n\nENV A=1 \\\n    # note\n    B=\"two words\"\nRUN x\n"
    assert logical_lines(text) == ["FROM a AS b", 'ENV A=1 B="two words"', "RUN x"]
    assert parse_env('A=1 B="two words"') == {"A": "1", "B": "two words"}
    assert parse_env("LEGACY value with spaces") == {"LEGACY": "value with spaces"}
