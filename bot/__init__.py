"""k8sfix: match Kubernetes errors and symptoms to a multilingual knowledge base."""

from __future__ import annotations

__version__ = "0.1.0"
