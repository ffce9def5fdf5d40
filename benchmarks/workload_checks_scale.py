"""Time pod-status, scheduling, volumes and workload-rollout on a large cluster served by the fake API server.

Usage: .venv/bin/python benchmarks/workload_checks_scale.py [--pods N] [--namespaces N] [--runs N]

The healthy fixture is grown in memory to N pods over the namespaces (a tenth of them failing: image
pulls, OOM kills, missing ConfigMaps, unschedulable), one Warning event per failing pod, a PVC per
ten pods and a Deployment, a StatefulSet and a Job per namespace; with ``--rolling`` the StatefulSet
of every tenth namespace waits for a pod that is not ready, so workload-rollout reads the pods and
events too (its worst case). Each check runs alone, cluster-wide (as scan
runs it) and for one namespace; prints the median and worst of the warm runs (the first, which
imports the client, is left out) and the GETs per run. Target: each check <= 2 s cluster-wide at
5,000 pods. Last, the cluster-wide pod list read both ways through the same guarded, deadline-bounded
reader: ``list_light`` (light JSON views, what the checks use) against ``list_of`` (the client's models).
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "checks")]

from fake_apiserver import FakeApiServer  # noqa: E402

from bot.checks import CheckInputs, ChecksSettings, run_checks  # noqa: E402
from bot.checks._client import connect  # noqa: E402
from bot.checks._reader import ClusterReader  # noqa: E402

CHECKS = ("pod-status", "scheduling", "volumes", "workload-rollout")
SCOPES = (("cluster-wide", CheckInputs()), ("one namespace", CheckInputs(namespace="team-000")))


def grow(files: dict[str, Any], pods: int, namespaces: int, rolling: bool = False) -> None:
    """Add ``pods`` pods over ``namespaces`` namespaces, with events, claims, Deployments, StatefulSets and Jobs."""
    template = files["shop/pods.json"]["items"][0]
    claim = files["shop/persistentvolumeclaims.json"]["items"][0]
    deployment = files["shop/deployments.json"]["items"][0]
    statefulset = files["shop/statefulsets.json"]["items"][0]
    job = files["shop/jobs.json"]["items"][0]
    for n in range(namespaces):
        ns = f"team-{n:03d}"
        items, events, claims = [], [], []
        for i in range(pods // namespaces):
            pod = copy.deepcopy(template)
            pod["metadata"].update(name=f"app-{i:05d}", namespace=ns, uid=f"{ns}-{i}")
            status = pod["status"]["containerStatuses"][0]
            if i % 10 == 1:
                status["state"] = {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image"}}
                events.append(event(ns, pod["metadata"]["name"], "Failed", 'Failed to pull image "x": rpc error: '
                                    "code = NotFound desc = x: not found"))
            elif i % 10 == 2:
                status.update(restartCount=5, state={"waiting": {"reason": "CrashLoopBackOff"}},
                              lastState={"terminated": {"exitCode": 137, "reason": "OOMKilled"}})
            elif i % 10 == 3:
                status["state"] = {"waiting": {"reason": "CreateContainerConfigError",
                                               "message": 'configmap "web-config" not found'}}
            if i % 10 == 4:
                pod["spec"].pop("nodeName", None)
                pod["status"] = {"phase": "Pending", "conditions": [{
                    "type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                    "message": "0/3 nodes are available: 3 Insufficient memory."}]}
                events.append(event(ns, pod["metadata"]["name"], "FailedScheduling",
                                    "0/3 nodes are available: 3 Insufficient memory."))
            items.append(pod)
            if i % 10 == 0:
                c = copy.deepcopy(claim)
                c["metadata"].update(name=f"data-{i:05d}", namespace=ns)
                claims.append(c)
        files[f"{ns}/pods.json"] = {"items": items}
        files[f"{ns}/events.json"] = {"items": events}
        files[f"{ns}/persistentvolumeclaims.json"] = {"items": claims}
        files[f"{ns}/configmaps.json"] = copy.deepcopy(files["shop/configmaps.json"])
        files[f"{ns}/deployments.json"] = {"items": [dict(copy.deepcopy(deployment), metadata={
            **deployment["metadata"], "namespace": ns})]}
        files[f"{ns}/jobs.json"] = {"items": [dict(copy.deepcopy(job), metadata={**job["metadata"], "namespace": ns})]}
        sts = dict(copy.deepcopy(statefulset), metadata={**statefulset["metadata"], "namespace": ns})
        if rolling and n % 10 == 0:
            sts["status"].update(readyReplicas=0, updateRevision="queue-7c9d8e6f5b")
        files[f"{ns}/statefulsets.json"] = {"items": [sts]}


def event(namespace: str, pod: str, reason: str, message: str) -> dict[str, Any]:
    return {"metadata": {"name": f"{pod}.{reason}", "namespace": namespace}, "type": "Warning", "reason": reason,
            "message": message, "count": 3, "involvedObject": {"kind": "Pod", "name": pod, "namespace": namespace},
            "source": {"component": "kubelet"}, "lastTimestamp": "2024-05-01T10:00:00Z"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=5000)
    parser.add_argument("--namespaces", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rolling", action="store_true", help="a StatefulSet waits for a pod in every tenth namespace")
    args = parser.parse_args()
    with FakeApiServer("healthy") as server, tempfile.TemporaryDirectory() as folder:
        grow(server.files, args.pods, args.namespaces, args.rolling)
        settings = ChecksSettings(kubeconfig=str(server.kubeconfig(Path(folder))), timeout=60.0, budget=120.0)
        print(f"{args.pods} pods in {args.namespaces} namespaces; {args.runs} warm runs per row")
        for check in CHECKS:
            for label, inputs in SCOPES:
                times = []
                before = len(server.requests)
                for _ in range(args.runs + 1):
                    started = time.perf_counter()
                    (result,) = run_checks([check], inputs, settings).results
                    times.append(time.perf_counter() - started)
                gets = (len(server.requests) - before) // (args.runs + 1)
                warm = times[1:]
                print(f"{check:17} {label:14} median {statistics.median(warm):6.3f} s  worst {max(warm):6.3f} s  "
                      f"{gets} GETs  {result.status}")
        connection = connect(settings)
        try:
            for method in ("list_light", "list_of"):
                times = []
                for _ in range(args.runs + 1):
                    reader = ClusterReader(connection, deadline=time.monotonic() + 60.0)
                    started = time.perf_counter()
                    getattr(reader, method)("pods")
                    times.append(time.perf_counter() - started)
                print(f"pods, {method:10}   cluster-wide   median {statistics.median(times[1:]):6.3f} s  "
                      f"worst {max(times[1:]):6.3f} s")
        finally:
            connection.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
