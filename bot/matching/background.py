"""Words that fill any Kubernetes paste whatever the problem: table headers, log levels, verbs.

A knowledge base of a few dozen entries sees some of them rarely (``warning``
only where a signature happens to quote an event), which would make them look
telling. Their idf is capped, as if measured against logs in general.
"""

from __future__ import annotations

BACKGROUND_WORDS = frozenset(
    """
    kubectl get describe logs log exec apply create delete edit run top rollout scale port-forward
    name namespace namespaces ready status restarts age ip node nodes nominated readiness gates type reason
    from message events event normal warning warn info error errors err fatal debug trace failed failure fail
    fails failing unknown true false none null ok yes no pod pods container containers deployment deployments
    replicaset daemonset statefulset service services svc kube-system default kubelet scheduled pulled pulling
    created started killing backoff back-off successfully assigned image images desc code rpc
    running pending terminating completed succeeded version versions roles role control-plane master worker
    internal-ip external-ip os-image kernel-version container-runtime cluster-ip port ports selector labels
    label annotations spec metadata kind apiversion v1 yaml json output wide sh bash ps powershell root user
    http https tcp udp get post put the a an to of for on in at by with is are was were be been
    firing resolved alertname alert alerts severity critical summary description runbook runbook_url
    prometheus alertmanager instance job cluster source value
    exec executable file files path directory command process runtime found such
    """.split()
)
BACKGROUND_IDF_CAP = 0.6
