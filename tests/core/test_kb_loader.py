from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from bot.errors import KnowledgeBaseError
from bot.kb.loader import KB_PATH_ENV, builtin_dir, extra_dirs_from_env, load_folder, load_knowledge

MINIMAL = {
    "id": "team-disk",
    "kind": "symptom",
    "signatures": ["volume mount failed: quota exceeded"],
    "text": {
        "en": {
            "title": "Team volume quota exceeded",
            "symptoms": ["volume mount fails with quota exceeded"],
            "impact": "Pods of the team cannot start.",
            "causes": [{"cause": "The storage quota is used up.", "fix": ["Raise the quota."]}],
        }
    },
}


def write(folder: Path, name: str, data: object) -> Path:
    path = folder / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def problems_of(folder: Path) -> list[str]:
    _, problems = load_folder(folder)
    return [f"{Path(p.file).name}: {p.field}: {p.message}" for p in problems]


def test_minimal_entry_loads(tmp_path: Path) -> None:
    write(tmp_path, "team-disk.yaml", MINIMAL)
    entries, problems = load_folder(tmp_path)
    assert problems == []
    assert entries["team-disk"].text_in("pt").title == "Team volume quota exceeded"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.pop("kind"), "team-disk.yaml: kind: is required"),
        (lambda d: d.update(kind="bug"), "team-disk.yaml: kind: 'bug' is not one of error, symptom, howto"),
        (lambda d: d.update(id="other-id"), "team-disk.yaml: id: 'other-id' does not match the file name 'team-disk'"),
        (lambda d: d["text"]["en"].pop("title"), "team-disk.yaml: text.en.title: is required"),
        (lambda d: d["text"]["en"].update(symptoms=[]), "team-disk.yaml: text.en.symptoms: must not be empty"),
        (lambda d: d["text"]["en"]["causes"][0].update(fix="just one"),
         "team-disk.yaml: text.en.causes[0].fix: must be a list of strings, got str"),
        (lambda d: d.update(signatures="x"), "team-disk.yaml: signatures: must be a list, got str"),
        (lambda d: d.update(signatures=[{"text": "quota exceeded on volume"}]),
         "team-disk.yaml: signatures[0].distinctive: is required"),
        (lambda d: d.update(signatures=[{"text": "quota exceeded", "distinctive": "disk full"}]),
         "team-disk.yaml: signatures[0].distinctive: 'disk full' is not part of the signature text"),
        (lambda d: d.update(not_when=[{"pattern": "(unclosed", "why": "x"}]),
         "team-disk.yaml: not_when[0].pattern: is not a valid regular expression"),
        (lambda d: d.update(not_when=[{"pattern": "image pull"}]), "team-disk.yaml: not_when[0].why: is required"),
        (lambda d: d.update(not_when="image pull"), "team-disk.yaml: not_when: must be a list of {pattern, why}"),
        (lambda d: d.update(sources=[{"component": "kubelet"}]), "team-disk.yaml: sources[0].reason: is required"),
        (lambda d: d.update(sources=[{"component": "kubelet", "reason": "Failed", "section": "x"}]),
         "team-disk.yaml: sources[0].section: unknown field (expected component, reason)"),
        (lambda d: d.update(colour="red"), "team-disk.yaml: colour: unknown field"),
        (lambda d: d.update(commands={"delete": []}), "team-disk.yaml: commands.delete: unknown group"),
        (lambda d: d.update(commands={"fix": [{"run": "kubectl get pods"}]}),
         "team-disk.yaml: commands.fix[0].purpose: is required"),
        (lambda d: d["text"].update(english=d["text"]["en"]), "team-disk.yaml: text.english: language must be"),
    ],
)
def test_broken_entry_names_file_and_field(tmp_path: Path, mutate, expected: str) -> None:
    # given an entry with one defect
    data = yaml.safe_load(yaml.safe_dump(MINIMAL))
    mutate(data)
    write(tmp_path, "team-disk.yaml", data)
    # then the problem names the file and the field
    assert any(p.startswith(expected) for p in problems_of(tmp_path)), problems_of(tmp_path)


def test_discriminating_fields_load(tmp_path: Path) -> None:
    # given an entry with a marked distinctive part, a rule-out pattern and a component source
    data = dict(MINIMAL)
    data["signatures"] = [{"text": "MountVolume.SetUp failed: quota exceeded", "distinctive": "quota exceeded"},
                          "volume is full"]
    data["not_when"] = [{"pattern": "(?i)image pull", "why": "a pull error is not a volume problem"}]
    data["sources"] = [{"component": "kubelet", "reason": "FailedMount"}]
    write(tmp_path, "team-disk.yaml", data)
    # when it loads
    entries, problems = load_folder(tmp_path)
    # then every field is kept, and the entry is a common topic
    assert problems == []
    entry = entries["team-disk"]
    assert entry.signatures == ("MountVolume.SetUp failed: quota exceeded", "volume is full")
    assert entry.distinctive_part("MountVolume.SetUp failed: quota exceeded") == "quota exceeded"
    assert entry.distinctive_part("volume is full") == "volume is full"
    assert [n.pattern for n in entry.not_when] == ["(?i)image pull"]
    assert entry.origin == "common"
    assert entry.sources[0].label == "kubelet, FailedMount"


def test_languages_must_list_the_same_causes(tmp_path: Path) -> None:
    data = yaml.safe_load(yaml.safe_dump(MINIMAL))
    data["text"]["pt"] = {**data["text"]["en"], "causes": data["text"]["en"]["causes"] * 2}
    write(tmp_path, "team-disk.yaml", data)
    assert problems_of(tmp_path) == [
        "team-disk.yaml: text.*.causes: every language must list the same causes (en=1, pt=2)"
    ]


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    write(tmp_path, "team-disk.yaml", "id: team-disk\nkind: [unclosed\n")
    [problem] = problems_of(tmp_path)
    assert problem.startswith("team-disk.yaml: line ")
    assert "not valid YAML" in problem


def test_binary_and_non_mapping_files_are_reported(tmp_path: Path) -> None:
    (tmp_path / "junk.yaml").write_bytes(b"\xff\xfe\x00binary")
    write(tmp_path, "list-entry.yaml", "- a\n- b\n")
    assert sorted(problems_of(tmp_path)) == [
        "junk.yaml: (file): is not UTF-8 text (invalid byte at offset 0)",
        "list-entry.yaml: (top level): must be a mapping, got list",
    ]


def test_broken_file_fails_the_whole_load(tmp_path: Path) -> None:
    # given a valid team folder plus one broken file
    write(tmp_path, "team-disk.yaml", MINIMAL)
    write(tmp_path, "broken-one.yaml", {"id": "broken-one"})
    # then nothing loads half-way
    with pytest.raises(KnowledgeBaseError) as exc:
        load_knowledge([tmp_path])
    assert "broken-one.yaml" in str(exc.value)


def test_unknown_related_and_check_ids_are_rejected(tmp_path: Path) -> None:
    write(tmp_path, "team-disk.yaml", {**MINIMAL, "related": ["no-such-entry"], "checks": ["no-such-check"]})
    with pytest.raises(KnowledgeBaseError) as exc:
        load_knowledge([tmp_path], include_builtin=False, known_checks={"node-health"})
    messages = [f"{p.field}: {p.message}" for p in exc.value.problems]
    assert messages == [
        "related[0]: 'no-such-entry' is not an entry id",
        "checks[0]: 'no-such-check' is not a known check id",
    ]


def test_team_folder_overrides_builtin_entry_by_id(tmp_path: Path) -> None:
    # given a team entry with the id of a built-in one
    override = yaml.safe_load(yaml.safe_dump(MINIMAL))
    override["id"] = "kube-proxy-conntrack-missing"
    override["text"]["en"]["title"] = "Our own conntrack runbook"
    write(tmp_path, "kube-proxy-conntrack-missing.yaml", override)
    # when layered over the built-in KB
    kb = load_knowledge([tmp_path])
    builtin = load_knowledge()
    # then the team's version wins and nothing else is lost
    assert kb.get("kube-proxy-conntrack-missing").text_in("en").title == "Our own conntrack runbook"
    assert len(kb) == len(builtin)


def test_kb_path_environment_variable_lists_folders(tmp_path: Path) -> None:
    env = {KB_PATH_ENV: f"{tmp_path}/a:{tmp_path}/b:"}
    assert extra_dirs_from_env(env) == [tmp_path / "a", tmp_path / "b"]


def test_missing_folder_is_a_problem(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="does not exist"):
        load_knowledge([tmp_path / "nope"])


RUNBOOK = textwrap.dedent("""\
    ---
    title: Ingress controller returns 503
    tags: [ingress]
    alerts: [NginxIngress503]
    ---
    # IngressBackend503

    ## Meaning

    The ingress controller answers `503 Service Temporarily Unavailable` for a host.

    ```
    upstream connect error or disconnect/reset before headers
    ```

    ## Impact

    Users of the host get errors.

    ## Diagnosis

    ```shell
    $ kubectl -n ingress-nginx logs deploy/ingress-nginx-controller
    ```

    ## Mitigation

    - Check that the backend Service has endpoints.
    - Restart the controller if its config is stale.

    ```
    kubectl -n ingress-nginx rollout restart deploy/ingress-nginx-controller
    ```
    """)


def test_markdown_runbook_becomes_an_entry(tmp_path: Path) -> None:
    write(tmp_path, "ingress-backend-503.md", RUNBOOK)
    entries, problems = load_folder(tmp_path)
    assert problems == []
    entry = entries["ingress-backend-503"]
    assert entry.text_in("en").title == "Ingress controller returns 503"
    assert entry.signatures == (
        "upstream connect error or disconnect/reset before headers",
        "503 Service Temporarily Unavailable",
    )
    assert [c.run for c in entry.diagnose] == ["kubectl -n ingress-nginx logs deploy/ingress-nginx-controller"]
    assert [c.run for c in entry.fix] == ["kubectl -n ingress-nginx rollout restart deploy/ingress-nginx-controller"]
    assert entry.text_in("en").causes[0].fix == (
        "Check that the backend Service has endpoints.",
        "Restart the controller if its config is stale.",
    )
    assert entry.alerts == ("NginxIngress503",)


def test_runbook_without_mitigation_is_rejected(tmp_path: Path) -> None:
    write(tmp_path, "half-runbook.md", "# Half\n\n## Meaning\n\nSomething `broke`.\n")
    assert problems_of(tmp_path) == ["half-runbook.md: ## Mitigation: section is missing or empty"]


def test_builtin_dir_holds_the_knowledge_base() -> None:
    assert (builtin_dir() / "kube-proxy-conntrack-missing.yaml").is_file()
