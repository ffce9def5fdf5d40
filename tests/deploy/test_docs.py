"""The operator docs: every variable with its default, working links, and Secret commands that match the manifests."""

from __future__ import annotations

import re

import pytest
from deploy_support import DEPLOY, ROOT, build_kustomization, kustomization_dirs

DOCS = ROOT / "docs"
PAGES = ("slack-app.md", "run-locally.md", "deploy.md", "checks.md", "configuration.md")
ROW = re.compile(r"^\| `(?P<name>[A-Z0-9_]+)` \| (?P<default>[^|]+) \|", re.MULTILINE)
LINK = re.compile(r"\]\((?P<target>[^)#\s]+)(?:#[^)]*)?\)")


def documented_defaults() -> dict[str, str]:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    return {m["name"]: m["default"].strip() for m in ROW.finditer(text)}


def test_every_setting_of_the_bot_is_documented_with_its_default() -> None:
    from bot.config import ENV_VARS

    documented = documented_defaults()
    for name, default, _ in ENV_VARS:
        shown = default if default.startswith("(") else f"`{default}`"
        assert documented.get(name) == shown, name


def test_every_checks_and_kb_variable_is_documented_with_its_default() -> None:
    from bot.checks.settings import DEFAULT_BUDGET, DEFAULT_TIMEOUT, ChecksSettings
    from bot.kb.loader import KB_PATH_ENV

    documented = documented_defaults()
    source = (ROOT / "bot" / "checks" / "settings.py").read_text(encoding="utf-8")
    for name in {*re.findall(r"\bK8SFIX_[A-Z_]+\b", source), "KUBECONFIG", KB_PATH_ENV}:
        assert name in documented, name
    assert float(documented["K8SFIX_CHECK_TIMEOUT"].strip("`")) == DEFAULT_TIMEOUT
    assert float(documented["K8SFIX_CHECK_BUDGET"].strip("`")) == DEFAULT_BUDGET
    assert documented["K8SFIX_CHECKS_ENABLED"] == f"`{str(ChecksSettings().enabled).lower()}`"


@pytest.mark.parametrize("page", [*PAGES, "../README.md"])
def test_relative_links_resolve(page: str) -> None:
    path = (DOCS / page).resolve()
    for match in LINK.finditer(path.read_text(encoding="utf-8")):
        target = match["target"]
        if "://" not in target and not target.startswith("mailto:"):
            assert (path.parent / target).exists(), f"{page}: {target}"


def test_the_readme_links_every_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for page in PAGES:
        assert f"](docs/{page})" in readme, page


def test_the_deploy_page_creates_every_secret_the_manifests_read() -> None:
    text = (DOCS / "deploy.md").read_text(encoding="utf-8")
    for folder in kustomization_dirs():
        if folder != DEPLOY / "base" and folder.parent != DEPLOY / "overlays":
            continue
        for obj in build_kustomization(folder):
            for container in obj.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
                for item in container.get("env", []):
                    ref = item.get("valueFrom", {}).get("secretKeyRef")
                    if ref:
                        assert f"create secret generic {ref['name']}" in text, ref
                        assert f"--from-literal={ref['key']}=" in text, ref


def test_the_documented_layouts_are_the_kustomizations() -> None:
    text = (DOCS / "deploy.md").read_text(encoding="utf-8")
    for folder in kustomization_dirs():
        if folder == DEPLOY / "base" or folder.parent == DEPLOY / "overlays":
            assert f"`{folder.relative_to(ROOT).as_posix()}`" in text, folder
