"""The ``k8sfix`` command line: one module per sub-command, each exposing ``register``."""
