"""The Kubernetes manifests under deploy/: schemas, read-only RBAC, a locked-down Deployment, no secrets.

Each kustomization (base and overlays) is rendered with deploy_support.build_kustomization, which
follows ``resources:`` recursively and applies the JSON 6902 and ``$patch: delete`` patches, as
``kubectl kustomize`` does; every rendered object and every manifest file is then checked.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import kubernetes_validate
import pytest
from deploy_support import (
    DEPLOY,
    ROOT,
    Obj,
    build_kustomization,
    kustomization_dirs,
    load_documents,
    parse_dockerfile,
    patch_files,
)

KUBERNETES_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())
READ_VERBS = frozenset({"get", "list", "watch"})
SLACK_TOKEN = re.compile(r"\b(?:xox[abeoprs]|xapp)-[0-9A-Za-z-]{8,}")
HEX_SECRET = re.compile(r"\b[0-9a-f]{32}\b")
SECRET_VARIABLES = frozenset({"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "K8SFIX_DB_URL"})
KUSTOMIZATIONS = kustomization_dirs()
APPS = [folder for folder in KUSTOMIZATIONS if folder == DEPLOY / "base" or folder.parent == DEPLOY / "overlays"]
EXPECTED = {"base", "http", "postgres-replicas"}
# Kinds of the Prometheus Operator: not in kubernetes-validate's schemas, checked by test_monitoring.py.
OPERATOR_GROUP = "monitoring.coreos.com/"


def _name(folder: Path) -> str:
    return folder.name


@pytest.fixture(scope="module", params=APPS, ids=_name)
def build(request: pytest.FixtureRequest) -> list[Obj]:
    return build_kustomization(request.param)


def of_kind(objects: list[Obj], kind: str) -> list[Obj]:
    return [obj for obj in objects if obj.get("kind") == kind]


def manifest_files() -> list[Path]:
    """Every YAML file under deploy/ that holds objects (not a kustomization, not a patch)."""
    patches = {p for folder in KUSTOMIZATIONS for p in patch_files(folder)}
    return sorted(p for p in DEPLOY.rglob("*.y*ml")
                  if p.name not in ("kustomization.yaml", "kustomization.yml") and p.resolve() not in patches)


def all_objects() -> list[tuple[str, Obj]]:
    """(where, object) for every object in a manifest file and in every rendered kustomization."""
    found = [(str(path.relative_to(ROOT)), obj) for path in manifest_files() for obj in load_documents(path)]
    for folder in KUSTOMIZATIONS:
        found.extend((f"kustomize {folder.relative_to(ROOT)}", obj) for obj in build_kustomization(folder))
    return found


def env_of(container: Obj) -> dict[str, Obj]:
    return {item["name"]: item for item in container.get("env", [])}


def the_deployment(objects: list[Obj]) -> tuple[Obj, Obj, Obj]:
    """(deployment, pod spec, the k8sfix container)."""
    [deployment] = of_kind(objects, "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    [container] = [c for c in pod["containers"] if c["name"] == "k8sfix"]
    return deployment, pod, container


def test_the_base_and_both_overlays_exist() -> None:
    assert {folder.name for folder in APPS} == EXPECTED


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_manifest_validates_against_the_kubernetes_schema(version: str) -> None:
    # given every object of every manifest file and every rendered kustomization
    objects = all_objects()
    assert objects
    # when each is validated strictly (unknown fields are errors)
    errors = []
    for where, obj in objects:
        if obj.get("apiVersion", "").startswith(OPERATOR_GROUP):
            continue
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            errors.append(f"{where}: {obj.get('kind')}/{obj.get('metadata', {}).get('name')}: {exc.message}")
    # then none fails
    assert errors == []


def test_every_file_outside_rbac_is_used_by_a_kustomization() -> None:
    rendered = [build_kustomization(folder) for folder in KUSTOMIZATIONS]
    for path in manifest_files():
        if path.is_relative_to(DEPLOY / "rbac"):
            continue
        for obj in load_documents(path):
            assert any(obj in objects for objects in rendered), f"{path.relative_to(ROOT)} is in no kustomization"


def test_the_base_holds_namespace_serviceaccount_rbac_pvc_and_deployment() -> None:
    kinds = {obj["kind"] for obj in build_kustomization(DEPLOY / "base")}
    assert kinds >= {"Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "PersistentVolumeClaim",
                     "Deployment"}
    assert "Secret" not in kinds


# --- RBAC ---------------------------------------------------------------------------------------


def roles_in(objects: list[tuple[str, Obj]]) -> list[tuple[str, Obj]]:
    return [(where, obj) for where, obj in objects if obj.get("kind") in ("Role", "ClusterRole")]


def file_roles() -> list[tuple[str, Obj]]:
    return roles_in([(str(p.relative_to(ROOT)), obj) for p in manifest_files() for obj in load_documents(p)])


def assert_read_only(where: str, role: Obj) -> None:
    assert "aggregationRule" not in role, f"{where}: an aggregated role can pick up any rule"
    for rule in role.get("rules", []):
        verbs = set(rule.get("verbs", []))
        assert verbs <= READ_VERBS, f"{where}: verbs {sorted(verbs - READ_VERBS)}"
        assert "*" not in rule.get("apiGroups", []), f"{where}: apiGroups *"
        resources = rule.get("resources", [])
        assert "*" not in resources, f"{where}: resources *"
        assert not [r for r in resources if r.split("/")[0] == "secrets" or r.endswith("/*")], f"{where}: {resources}"
        assert not [u for u in rule.get("nonResourceURLs", []) if "*" in u], f"{where}: nonResourceURLs wildcard"


def test_there_are_a_cluster_role_and_a_namespaced_role_to_check() -> None:
    assert {obj["kind"] for _, obj in file_roles()} == {"Role", "ClusterRole"}


@pytest.mark.parametrize(("where", "role"), file_roles(), ids=lambda v: v if isinstance(v, str) else v["kind"])
def test_roles_only_read_and_never_secrets(where: str, role: Obj) -> None:
    assert_read_only(where, role)


def test_rendered_roles_only_read_and_never_secrets(build: list[Obj]) -> None:
    rendered = roles_in([("rendered", obj) for obj in build])
    assert rendered
    for where, role in rendered:
        assert_read_only(where, role)


def test_every_binding_grants_a_role_defined_and_checked_here(build: list[Obj]) -> None:
    defined = {(obj["kind"], obj["metadata"]["name"]) for obj in build if obj["kind"] in ("Role", "ClusterRole")}
    service_accounts = {(o["metadata"]["namespace"], o["metadata"]["name"]) for o in of_kind(build, "ServiceAccount")}
    for binding in of_kind(build, "ClusterRoleBinding") + of_kind(build, "RoleBinding"):
        ref = binding["roleRef"]
        assert (ref["kind"], ref["name"]) in defined
        for subject in binding["subjects"]:
            assert subject["kind"] == "ServiceAccount"
            assert (subject["namespace"], subject["name"]) in service_accounts


# --- the Deployment -----------------------------------------------------------------------------


def test_the_deployment_runs_as_the_images_non_root_user_with_nothing_extra(build: list[Obj]) -> None:
    _, pod, container = the_deployment(build)
    final = parse_dockerfile()[-1]
    [user] = final.all("USER")
    uid = int(user.split(":")[0])
    pod_context = pod["securityContext"]
    assert pod_context["runAsNonRoot"] is True
    assert pod_context["runAsUser"] == uid != 0
    assert pod_context["seccompProfile"] == {"type": "RuntimeDefault"}
    for c in pod["containers"] + pod.get("initContainers", []):
        context = c["securityContext"]
        assert context["allowPrivilegeEscalation"] is False
        assert context["readOnlyRootFilesystem"] is True
        assert context["capabilities"] == {"drop": ["ALL"]}
        assert context.get("privileged", False) is False
        assert context.get("runAsNonRoot", True) is True
        assert context.get("runAsUser", uid) == uid
        assert context.get("seccompProfile", {"type": "RuntimeDefault"}) == {"type": "RuntimeDefault"}
    assert not pod.get("hostNetwork") and not pod.get("hostPID") and not pod.get("hostIPC")
    assert container["image"].startswith("k8sfix:") and not container["image"].endswith(":latest")


def test_the_deployment_has_requests_and_limits(build: list[Obj]) -> None:
    _, _, container = the_deployment(build)
    for bound in ("requests", "limits"):
        assert set(container["resources"][bound]) >= {"cpu", "memory"}


def test_probes_use_the_ops_port(build: list[Obj]) -> None:
    # given the ops port the container declares and the one the bot reads
    _, _, container = the_deployment(build)
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    env = env_of(container)
    ops_port = int(env["K8SFIX_OPS_PORT"]["value"]) if "K8SFIX_OPS_PORT" in env else 8080
    assert ports["ops"] == ops_port
    # then liveness is /healthz and readiness /readyz on it
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "ops"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "ops"}
    assert container.get("startupProbe", container["livenessProbe"])["httpGet"]["path"] == "/healthz"


def test_the_ops_port_matches_the_image_and_the_prometheus_annotation(build: list[Obj]) -> None:
    deployment, _, container = the_deployment(build)
    image_env = parse_dockerfile()[-1].env()
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert str(ports["ops"]) == image_env["K8SFIX_OPS_PORT"]
    annotations = deployment["spec"]["template"]["metadata"].get("annotations", {})
    assert annotations.get("prometheus.io/port", str(ports["ops"])) == str(ports["ops"])


def test_writable_paths_are_volumes(build: list[Obj]) -> None:
    # given a read-only root filesystem
    _, pod, container = the_deployment(build)
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: volumes[m["name"]] for m in container["volumeMounts"]}
    env = env_of(container)
    image_env = parse_dockerfile()[-1].env()
    db_path = env["K8SFIX_DB_PATH"]["value"] if "K8SFIX_DB_PATH" in env else image_env["K8SFIX_DB_PATH"]
    # then /tmp and the SQLite folder are mounted from an emptyDir or a claim
    for path in ("/tmp", os.path.dirname(db_path), image_env["HOME"]):
        assert path in mounts, f"{path} is not writable"
        assert set(mounts[path]) & {"emptyDir", "persistentVolumeClaim"}


def test_sqlite_means_one_replica_and_replicas_mean_a_shared_database(build: list[Obj]) -> None:
    deployment, pod, container = the_deployment(build)
    claims = {v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"] if "persistentVolumeClaim" in v}
    shared = "K8SFIX_DB_URL" in env_of(container)
    if not shared:
        # one writer on the SQLite file: one replica, the old pod gone before the new one starts
        assert deployment["spec"].get("replicas", 1) == 1
        assert deployment["spec"]["strategy"]["type"] == "Recreate"
        assert claims <= {obj["metadata"]["name"] for obj in of_kind(build, "PersistentVolumeClaim")}
    else:
        assert not claims and not of_kind(build, "PersistentVolumeClaim")


def test_the_postgres_overlay_runs_several_replicas_on_the_database() -> None:
    objects = build_kustomization(DEPLOY / "overlays" / "postgres-replicas")
    deployment, _, container = the_deployment(objects)
    assert deployment["spec"]["replicas"] >= 2
    assert env_of(container)["K8SFIX_DB_URL"]["valueFrom"]["secretKeyRef"]["key"] == "K8SFIX_DB_URL"
    assert not of_kind(objects, "PersistentVolumeClaim")
    assert of_kind(objects, "PodDisruptionBudget")


def test_the_mode_decides_which_slack_secret_is_read(build: list[Obj]) -> None:
    _, _, container = the_deployment(build)
    env = env_of(container)
    assert "SLACK_BOT_TOKEN" in env
    if "K8SFIX_HTTP_PORT" in env:
        assert "SLACK_SIGNING_SECRET" in env and "SLACK_APP_TOKEN" not in env
    else:
        assert "SLACK_APP_TOKEN" in env and "SLACK_SIGNING_SECRET" not in env


def test_http_mode_is_reached_through_a_service(build: list[Obj]) -> None:
    deployment, _, container = the_deployment(build)
    env = env_of(container)
    services = of_kind(build, "Service")
    if "K8SFIX_HTTP_PORT" not in env:
        assert not services
        return
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports["http"] == int(env["K8SFIX_HTTP_PORT"]["value"])
    [service] = services
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert [p["targetPort"] for p in service["spec"]["ports"]] == ["http"]


def test_the_service_account_token_is_mounted_only_for_the_checks(build: list[Obj]) -> None:
    _, pod, container = the_deployment(build)
    env = env_of(container)
    checks_on = env.get("K8SFIX_CHECKS_ENABLED", {"value": "true"}).get("value", "").lower() in ("1", "true", "yes")
    assert pod["automountServiceAccountToken"] is checks_on
    if checks_on:
        assert pod["serviceAccountName"] in {o["metadata"]["name"] for o in of_kind(build, "ServiceAccount")}


def test_the_grace_period_covers_the_bots_shutdown_grace(build: list[Obj]) -> None:
    from bot.config import ENV_VARS

    default_grace = float(dict((name, default) for name, default, _ in ENV_VARS)["K8SFIX_SHUTDOWN_GRACE"])
    _, pod, container = the_deployment(build)
    grace = float(env_of(container).get("K8SFIX_SHUTDOWN_GRACE", {"value": default_grace})["value"])
    assert pod["terminationGracePeriodSeconds"] > grace


def test_every_variable_set_is_one_the_bot_reads(build: list[Obj]) -> None:
    _, _, container = the_deployment(build)
    assert set(env_of(container)) <= known_variables()


# --- secrets ------------------------------------------------------------------------------------


def test_secrets_come_from_secret_references_only(build: list[Obj]) -> None:
    _, _, container = the_deployment(build)
    for name, item in env_of(container).items():
        if name in SECRET_VARIABLES:
            assert "value" not in item and "secretKeyRef" in item["valueFrom"], name
    assert not of_kind(build, "Secret")


@pytest.mark.parametrize("path", [*sorted(p for p in DEPLOY.rglob("*") if p.is_file()), ROOT / "Dockerfile"],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_no_file_holds_a_literal_token(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not SLACK_TOKEN.search(text)
    assert not HEX_SECRET.search(text)
    for obj in load_documents(path) if path.suffix in (".yaml", ".yml") else []:
        if isinstance(obj, dict) and obj.get("kind") == "Secret":
            pytest.fail(f"{path.relative_to(ROOT)} holds a Secret; document `kubectl create secret` instead")


def known_variables() -> set[str]:
    """Every environment variable the bot, the checks and the KB loader read (plus HOME)."""
    from bot.config import ENV_VARS
    from bot.kb.loader import KB_PATH_ENV

    checks_source = (ROOT / "bot" / "checks" / "settings.py").read_text(encoding="utf-8")
    return ({name for name, _, _ in ENV_VARS} | {KB_PATH_ENV, "HOME", "KUBECONFIG"}
            | set(re.findall(r"\bK8SFIX_[A-Z_]+\b", checks_source)))
