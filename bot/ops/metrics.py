"""Prometheus metrics of the bot, on a registry of their own so that tests can build many apps.

Besides the ``k8sfix_*`` series, the registry carries the standard collectors of
prometheus-client that every Python exporter has (``process_*`` resident memory, CPU,
open file descriptors and start time; ``python_info``; ``python_gc_*``), so the usual
dashboards and alerts for a Python process work on the bot unchanged.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, GCCollector, Histogram, PlatformCollector, ProcessCollector

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Every counter and histogram k8sfix exports."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        """Register the metrics on ``registry`` (a fresh one by default)."""
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        ProcessCollector(registry=r)
        PlatformCollector(registry=r)
        GCCollector(registry=r)
        self.queries = Counter("k8sfix_queries", "Questions received, by entry point.", ["entry_point"], registry=r)
        self.matches = Counter("k8sfix_matches", "Answers given, by topic and confidence band.",
                               ["topic", "confidence"], registry=r)
        self.abstentions = Counter("k8sfix_abstentions", "Questions no topic fitted, by entry point.",
                                   ["entry_point"], registry=r)
        self.feedback = Counter("k8sfix_feedback", "Helpful / not helpful votes, by topic.",
                                ["topic", "helpful"], registry=r)
        self.check_runs = Counter("k8sfix_check_runs", "Cluster check results run from Slack, by status.",
                                  ["status"], registry=r)
        self.duplicates = Counter("k8sfix_duplicates", "Deliveries dropped as already handled, by reason.",
                                  ["reason"], registry=r)
        self.triage_repeats = Counter("k8sfix_triage_repeats", "Triage repeats of a topic within the window.",
                                      registry=r)
        self.errors = Counter("k8sfix_errors", "Handlers that failed and apologised, by entry point.",
                              ["entry_point"], registry=r)
        self.truncated = Counter("k8sfix_truncated_answers", "Answers cut to Slack's limits (full text uploaded).",
                                 registry=r)
        self.ack_seconds = Histogram("k8sfix_ack_seconds", "Time from request to acknowledgement.",
                                     ["entry_point"], buckets=LATENCY_BUCKETS, registry=r)
        self.answer_seconds = Histogram("k8sfix_answer_seconds", "Time from request to the answer posted.",
                                        ["entry_point"], buckets=LATENCY_BUCKETS, registry=r)
        self.request_seconds = Histogram("k8sfix_request_seconds", "Time Slack waited for our HTTP or Socket Mode "
                                         "response, by transport.", ["transport"], buckets=LATENCY_BUCKETS,
                                         registry=r)
        self.match_seconds = Histogram("k8sfix_match_seconds", "Time spent in the matcher.",
                                       buckets=LATENCY_BUCKETS, registry=r)

    def value(self, name: str, labels: dict[str, str] | None = None) -> float:
        """Current value of a sample (``k8sfix_queries_total`` ...), 0 when absent; for tests and stats."""
        return self.registry.get_sample_value(name, labels or {}) or 0.0
