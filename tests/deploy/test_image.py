"""The image's install steps, replayed without Docker: the build stage's COPY and RUN lines, in order.

The build context is the repository filtered by .dockerignore; ``/opt/venv`` becomes a folder in
tmp_path and ``python`` this interpreter (the same minor version as the image's base). Then the
installed ``k8sfix`` answers from outside the repository, so nothing comes from the work tree.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from deploy_support import ROOT, Stage, build_context, dockerignore_patterns, parse_dockerfile

SHELL_SYNTAX = frozenset({"&&", "||", ";", "|", ">", "<", "&"})


def copy_into(context: Path, stage_dir: Path, args: str) -> None:
    """``COPY src... dest`` from the filtered build context into ``stage_dir`` (the WORKDIR)."""
    *sources, dest = shlex.split(args)
    assert not [s for s in sources if s.startswith("--")], f"COPY flags are not replayed: {args}"
    target = stage_dir / dest
    for source in sources:
        src = context / source
        if src.is_dir():
            shutil.copytree(src, target, dirs_exist_ok=True)
        elif dest.endswith("/"):
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target / src.name)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)


def filtered_context(destination: Path) -> Path:
    """A copy of the files Docker would send: the repository minus what .dockerignore leaves out."""
    for relative in build_context(ROOT, dockerignore_patterns(ROOT / ".dockerignore")):
        (destination / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, destination / relative)
    return destination


def replay(stage: Stage, context: Path, root: Path, venv: Path) -> None:
    """Run the stage's WORKDIR, ENV, COPY and RUN instructions with /opt/venv moved to ``venv``."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    workdir = root
    for instruction, args in stage.instructions:
        if instruction == "WORKDIR":
            workdir = root / args.lstrip("/")
            workdir.mkdir(parents=True, exist_ok=True)
        elif instruction == "ENV":
            env.update(Stage(base="", name=None, instructions=[(instruction, args)]).env())
        elif instruction == "COPY":
            copy_into(context, workdir, args)
        elif instruction == "RUN":
            argv = shlex.split(args)
            assert not SHELL_SYNTAX & set(argv), f"keep each build-stage RUN one plain command: {args}"
            argv = [str(venv) + word.removeprefix("/opt/venv") if word.startswith("/opt/venv") else word
                    for word in argv]
            if argv[0] in ("python", "python3"):
                argv[0] = sys.executable
            proc = subprocess.run(argv, cwd=workdir, env=env, capture_output=True, text=True, timeout=240,
                                  check=False)
            assert proc.returncode == 0, f"RUN {args}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        else:
            assert instruction in ("ARG", "LABEL"), f"{instruction} in the build stage is not replayed"


@pytest.mark.slow
def test_the_images_install_steps_give_a_working_k8sfix(tmp_path: Path) -> None:
    # given the build stage replayed into a fresh virtual environment
    build = parse_dockerfile()[0]
    venv = tmp_path / "opt-venv"
    replay(build, filtered_context(tmp_path / "context"), tmp_path / "image", venv)
    run_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    outside = tmp_path / "elsewhere"
    outside.mkdir()

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(argv, cwd=outside, env=run_env, capture_output=True, text=True, timeout=60,
                              check=False)

    # when the installed command runs
    version = run(str(venv / "bin" / "k8sfix"), "--version")
    answer = run(str(venv / "bin" / "k8sfix"), "conntrack not found", "--json")
    imports = run(str(venv / "bin" / "python"), "-c",
                  "import bot, bot.slack.server, bot.checks, bot.ops; "
                  "from sqlalchemy import create_engine; create_engine('postgresql+psycopg://u:p@127.0.0.1/k8sfix'); "
                  "print(bot.__file__)")

    # then it is the project's version, it answers, and the service and PostgreSQL driver import
    project_version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert version.returncode == 0, version.stderr
    assert version.stdout.split() == ["k8sfix", project_version]
    assert answer.returncode == 0, answer.stderr
    result = json.loads(answer.stdout)
    assert not result["abstained"]
    assert result["matches"][0]["id"] == "kube-proxy-conntrack-missing"
    assert imports.returncode == 0, imports.stderr
    assert Path(imports.stdout.strip()).is_relative_to(venv), "bot must come from the venv, not the work tree"
