"""Finish what a replica that died had acknowledged: renew our leases, take over expired ones.

Every ``K8SFIX_PENDING_LEASE / 3`` seconds this process renews the leases of the
deliveries it works on, then takes over pending deliveries whose lease ran out
(their replica crashed or was killed; at start, that includes this process's
own previous run). A delivery whose question had been read is answered from the
stored (redacted) text as it would have been; one that died before that gets an
apology where the asker can see it. Each is taken by exactly one replica.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.slack import messages
from bot.slack.answering import Ask, user_language
from bot.slack.compose import compose_notice
from bot.slack.deps import Deps
from bot.slack.flows import answer_command, answer_in_thread
from bot.slack.guard import guarded
from bot.slack.paste import slack_to_plain
from bot.slack.reply import respond_private
from bot.slack.triage import triage_message
from bot.store import PendingDelivery

RESPONSE_URL_TTL_S = 1800.0
"""Slack accepts posts to a response_url for 30 minutes."""
ASK_FIELDS = ("entry_point", "text", "user_id", "channel_id", "message_ts", "thread_ts")


def finish_pending(deps: Deps, client: WebClient, pending: PendingDelivery) -> bool:
    """Queue the answer (or apology) of a delivery taken over; False when the pool no longer takes work."""
    deps.deliveries.hold(pending.key)
    job, apologize = _plan(deps, client, pending)
    deps.logger.info("finishing a pending delivery", extra={"delivery": pending.key, "attempt": pending.attempts,
                                                            "age_s": round(deps.clock() - pending.created_at, 1)})
    if deps.workers.submit(guarded, deps, "recovery", job, apologize, pending.key) is None:
        deps.deliveries.drop(pending.key)
        return False
    return True


def recover_once(deps: Deps, client: WebClient, limit: int = 50) -> int:
    """Renew this process's leases, then take over and queue expired deliveries; return how many."""
    deps.deliveries.renew()
    taken = deps.store.take_expired(deps.deliveries.owner, deps.deliveries.lease, now=deps.clock(), limit=limit)
    return sum(finish_pending(deps, client, p) for p in taken)


class Recovery:
    """The background thread running :func:`recover_once` until stopped."""

    def __init__(self, deps: Deps, client: WebClient, interval: float | None = None) -> None:
        """Sweep every ``interval`` seconds (a third of the lease by default)."""
        self.deps = deps
        self.client = client
        self.interval = interval if interval is not None else max(0.2, deps.deliveries.lease / 3)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="k8sfix-recovery", daemon=True)

    def start(self) -> None:
        """Sweep now (what the previous run left) and then periodically."""
        self._thread.start()

    def stop(self) -> None:
        """Stop sweeping (work already queued still runs)."""
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                recover_once(self.deps, self.client)
            except Exception:
                self.deps.logger.exception("pending-delivery sweep failed")
            self._stop.wait(self.interval)


def _plan(deps: Deps, client: WebClient, pending: PendingDelivery) -> tuple[Callable[[], None], Callable[[], None]]:
    """The job that answers ``pending`` and the apology if it fails."""
    payload = pending.payload
    url = str(payload.get("response_url") or "")
    expired = deps.clock() - pending.created_at > RESPONSE_URL_TTL_S
    respond = Respond(response_url=url, proxy=deps.settings.https_proxy) if url and not expired else None
    fields = payload.get("ask") if isinstance(payload.get("ask"), dict) else _from_raw(pending)
    flow = payload.get("flow") or (fields or {}).pop("flow", None)

    def apologize() -> None:
        _apologize(deps, client, pending, respond)

    if fields is None:
        return apologize, lambda: None
    values = {k: str(fields.get(k) or "") for k in ASK_FIELDS}
    ask = Ask(values["entry_point"], values["text"], user_id=values["user_id"], channel_id=values["channel_id"],
              message_ts=values["message_ts"], thread_ts=values["thread_ts"], started=time.monotonic(),
              delivery=pending.key)
    if flow == "command" and respond is not None:
        return (lambda: answer_command(deps, ask, respond, client)), apologize
    if flow == "thread":
        return (lambda: answer_in_thread(deps, ask, client, respond)), apologize
    if flow == "triage":
        return (lambda: triage_message(deps, ask, client, locale_user=ask.user_id or None)), lambda: None
    return (lambda: None), lambda: None


def _from_raw(pending: PendingDelivery) -> dict[str, str] | None:
    """The question as Slack sent it (the redacted raw text kept from before the ack), None if there is none.

    Used when the replica died before its worker read the question.
    """
    route = pending.payload
    raw = str(route.get("raw") or "")
    if not raw.strip():
        return None
    text = slack_to_plain(raw, str(route.get("bot") or "") or None)
    user, channel = str(route.get("user") or ""), str(route.get("channel") or "")
    ts, thread_ts = str(route.get("ts") or ""), str(route.get("thread_ts") or "")
    common = {"text": text, "user_id": user, "channel_id": channel, "message_ts": ts}
    if pending.kind == "command":
        return {**common, "entry_point": "command", "thread_ts": "", "flow": "command"}
    if pending.kind == "shortcut":
        return {**common, "entry_point": "shortcut", "thread_ts": thread_ts or ts, "flow": "thread"}
    if pending.kind != "event" or not ts:
        return None
    if route.get("type") == "app_mention":
        return {**common, "entry_point": "mention", "thread_ts": thread_ts or ts, "flow": "thread"}
    if route.get("type") == "message" and route.get("channel_type") == "im":
        return {**common, "entry_point": "dm", "thread_ts": thread_ts or ts, "flow": "thread"}
    if route.get("type") == "message" and (not thread_ts or thread_ts == ts):
        return {**common, "entry_point": "triage", "thread_ts": ts, "flow": "triage"}
    return None


def _apologize(deps: Deps, client: WebClient, pending: PendingDelivery, respond: Respond | None) -> None:
    """Say sorry where the asker looks: the response_url, or the thread of the mention or DM."""
    route = pending.payload
    user = str(route.get("user") or (route.get("ask") or {}).get("user_id") or "")
    lang = user_language(deps, client, user) if user else "en"
    notice = compose_notice(messages.interrupted(lang))
    if respond is not None:
        respond_private(respond, notice)
        return
    asked_bot = route.get("type") == "app_mention" or route.get("channel_type") == "im"
    channel, ts = str(route.get("channel") or ""), str(route.get("thread_ts") or route.get("ts") or "")
    if pending.kind == "event" and asked_bot and channel and ts:
        client.chat_postMessage(channel=channel, thread_ts=ts, **notice.payload())
