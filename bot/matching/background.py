"""Words that fill any Kubernetes paste whatever the problem: table headers, log levels, verbs.

A knowledge base of a few dozen entries sees some of them rarely (``warning``
only where a signature happens to quote an event), which would make them look
telling. Their idf is capped, as if measured against logs in general. The same
holds for the words of any issue post or chat message ("already", "tried",
"you", "fixed") and of the setting people describe (CentOS, VirtualBox, minikube):
in a small KB they look rare, in real questions they say nothing about the cause.
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
    you your yours can could would should will shall may might must one two three some any every each all
    already use used uses using run runs ran work works worked working issue issues problem problems fix fixed
    fixes try tried tries trying need needs needed over before after see seen seem seems seemed like help
    please thanks thank hi hello hey question same other others another still again now today yesterday
    following follow followed set setup install installed installing new old time times way want wanted know
    think looks look looking here then because case which who where while without both few more most much
    many first last own something anything nothing everything able happen happened happens show shows
    showing shown change changed make made check checked checking going come comes came sure right wrong good
    fine thing things etc ok okay team guys i'm i've it's don't doesn't didn't isn't can't won't what's
    there's we're they're anyone someone somebody anybody idea ideas info details detail thread bug
    expected actual behavior behaviour current steps reproduce environment
    centos ubuntu debian rhel redhat fedora rocky almalinux amazon linux virtualbox vagrant minikube kind k3s k3d
    microk8s rancher rke rke2 eks gke gcloud aws gcp digitalocean openstack baremetal bare-metal raspberry pi
    arm64 amd64 x86_64 aarch64 laptop macos mac docker-desktop lab homelab vm vms virtual machine machines
    """.split()
)
BACKGROUND_IDF_CAP = 0.6
