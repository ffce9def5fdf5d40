"""Pod names in the pastes the pod checks get most: kubectl get/describe pods, kubelet and scheduler events."""

from __future__ import annotations

import pytest

from bot.checks import CheckInputs, inputs_from_text

PASTES = [
    ("NAME                   READY   STATUS             RESTARTS   AGE\n"
     "web-7d9f8b6c5d-aaaaa   1/1     Running            0          2m\n"
     "api-6f7d8c9b5a-aaaaa   0/1     ImagePullBackOff   0          2m", CheckInputs(pod="api-6f7d8c9b5a-aaaaa")),
    ("NAMESPACE   NAME                   READY   STATUS             RESTARTS      AGE\n"
     "shop        api-6f7d8c9b5a-aaaaa   0/1     CrashLoopBackOff   7 (2m ago)    20m",
     CheckInputs(namespace="shop", pod="api-6f7d8c9b5a-aaaaa")),
    ("init-db-aaaaa   0/1   Init:CrashLoopBackOff   3   1m", CheckInputs(pod="init-db-aaaaa")),
    ("report-5d6e7f8a9b-aaaaa   0/1   CreateContainerConfigError   0   30s",
     CheckInputs(pod="report-5d6e7f8a9b-aaaaa")),
    ("Name:             api-6f7d8c9b5a-aaaaa\nNamespace:        shop\nPriority:         0\n"
     "Service Account:  default\nNode:             node-a/192.168.0.21\nStart Time:       Wed, 01 May 2024",
     CheckInputs(namespace="shop", pod="api-6f7d8c9b5a-aaaaa", node="node-a")),
    ("Normal  Scheduled  2m  default-scheduler  Successfully assigned shop/api-6f7d8c9b5a-aaaaa to node-b",
     CheckInputs(namespace="shop", pod="api-6f7d8c9b5a-aaaaa")),
    ("Back-off restarting failed container cache in pod cache-7b8c9d0e1f-aaaaa_shop(0a1b2c3d-4e5f)",
     CheckInputs(namespace="shop", pod="cache-7b8c9d0e1f-aaaaa")),
    # must not yield a pod
    ("NAME                   READY   STATUS    RESTARTS   AGE\nweb-7d9f8b6c5d-aaaaa   1/1     Running   0   2m",
     CheckInputs()),
    ("Name:         web\nNamespace:    shop\nCreationTimestamp:  Wed, 01 May 2024\nSelector:  app=web",
     CheckInputs(namespace="shop")),
    ("0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available", CheckInputs()),
    ("Web_Pod   0/1   CrashLoopBackOff   3   1m", CheckInputs()),
]


@pytest.mark.parametrize(("text", "expected"), PASTES)
def test_pod_names_are_taken_from_pod_pastes(text, expected):
    # given / when
    found = inputs_from_text(text)
    # then
    assert found == expected
