"""Settings from the environment, and who may run checks from Slack (nobody until configured)."""

from __future__ import annotations

import pytest

from bot.checks import ChecksSettings
from bot.errors import ConfigError


def test_defaults_close_slack_and_use_the_kubeconfig():
    # given / when
    settings = ChecksSettings.from_env({})
    # then
    assert settings == ChecksSettings(enabled=True, kubeconfig=None, in_cluster=False, contexts=(), timeout=5.0,
                                      budget=20.0, allowed_users=frozenset(), allowed_channels=frozenset())
    assert not settings.may_run_from_slack("U123", "C123")


def test_every_variable_is_read():
    # given
    env = {"K8SFIX_CHECKS_ENABLED": "yes", "K8SFIX_CHECKS_CONTEXTS": "prod, staging,,prod",
           "K8SFIX_CHECKS_ALLOWED_USERS": "U1,U2", "K8SFIX_CHECKS_ALLOWED_CHANNELS": " C9 ",
           "K8SFIX_CHECK_TIMEOUT": "2.5", "K8SFIX_CHECK_BUDGET": "12", "KUBECONFIG": "/etc/k8sfix/kubeconfig",
           "KUBERNETES_SERVICE_HOST": "10.96.0.1"}
    # when
    settings = ChecksSettings.from_env(env)
    # then
    assert settings == ChecksSettings(enabled=True, kubeconfig="/etc/k8sfix/kubeconfig", in_cluster=False,
                                      contexts=("prod", "staging"), timeout=2.5, budget=12.0,
                                      allowed_users=frozenset({"U1", "U2"}), allowed_channels=frozenset({"C9"}))


def test_in_a_pod_without_kubeconfig_the_service_account_is_used():
    # given / when
    settings = ChecksSettings.from_env({"KUBERNETES_SERVICE_HOST": "10.96.0.1"})
    # then
    assert settings.in_cluster


@pytest.mark.parametrize(("env", "variable"), [
    ({"K8SFIX_CHECKS_ENABLED": "maybe"}, "K8SFIX_CHECKS_ENABLED"),
    ({"K8SFIX_CHECK_TIMEOUT": "fast"}, "K8SFIX_CHECK_TIMEOUT"),
    ({"K8SFIX_CHECK_TIMEOUT": "0"}, "K8SFIX_CHECK_TIMEOUT"),
    ({"K8SFIX_CHECK_BUDGET": "-1"}, "K8SFIX_CHECK_BUDGET"),
    ({"K8SFIX_CHECK_BUDGET": "9999"}, "K8SFIX_CHECK_BUDGET"),
])
def test_invalid_values_name_the_variable(env, variable):
    # given / when / then
    with pytest.raises(ConfigError, match=variable):
        ChecksSettings.from_env(env)


@pytest.mark.parametrize(("env", "user", "channel", "allowed"), [
    ({}, "U1", "C1", False),
    ({"K8SFIX_CHECKS_ALLOWED_USERS": "U1"}, "U1", "C1", True),
    ({"K8SFIX_CHECKS_ALLOWED_USERS": "U1"}, "U2", "C1", False),
    ({"K8SFIX_CHECKS_ALLOWED_CHANNELS": "C1"}, "U2", "C1", True),
    ({"K8SFIX_CHECKS_ALLOWED_CHANNELS": "C1"}, "U2", "C2", False),
    ({"K8SFIX_CHECKS_ALLOWED_USERS": "U1"}, "", "", False),
    ({"K8SFIX_CHECKS_ALLOWED_USERS": "U1", "K8SFIX_CHECKS_ENABLED": "false"}, "U1", "C1", False),
])
def test_slack_access_is_an_allowlist_of_users_or_channels(env, user, channel, allowed):
    # given
    settings = ChecksSettings.from_env(env)
    # when / then
    assert settings.may_run_from_slack(user, channel) is allowed
