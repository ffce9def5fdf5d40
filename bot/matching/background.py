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
HAN_BACKGROUND_WORDS = frozenset(
    """
    全部 所有 一直 现在 已经 但是 因为 所以 然后 如果 这个 那个 这些 那些 什么 怎么 怎样 为什 请问 大佬 大家 各位
    求助 一下 我们 你们 他们 自己 发现 出现 好像 感觉 似乎 之后 以后 之前 以前 还是 就是 可以 可能 应该 环境 情况
    时候 同样 一样 解决 方法 办法 今天 昨天 谢谢 麻烦 知道 看到 试过 尝试 网上 百度 搜索 文章 教程 本地 一个
    其他 只有 直接 通过 需要 进行 操作 结果 突然 最近 偶尔 经常 总是 还有 而且 不过 只是 其实 确实 估计 大概
    今日 昨日 今回 前回 以下 以上 場合 質問 初步 初歩 参考 手順 调查 調査 記事 同様 必要 自分 発生 対応
    """.split()
)
"""The filler words of Chinese and Japanese posts ("all", "we", "now", "please help"), as the Han pairs
the index keys them by: the KB's Chinese text uses them rarely, so they too look telling."""
BACKGROUND_IDF_CAP = 0.6
