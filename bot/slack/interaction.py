"""Read a block_actions payload: which answer, which message, where it lives, who clicked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.slack.texts import DISPLAY_LANGUAGES

ANSWER_BLOCK = "k8sfix:"
TOPICS_BLOCK = "k8sfix_topics:"
CORRECT_BLOCK = "k8sfix_correct:"


@dataclass(frozen=True)
class ActionContext:
    """Where a button was clicked."""

    user_id: str
    channel_id: str
    message_ts: str
    thread_ts: str
    is_ephemeral: bool
    qid: str
    value: str
    selected_language: str | None

    @classmethod
    def from_body(cls, body: dict[str, Any], action: dict[str, Any]) -> ActionContext:
        """Parse the payload of a click on one of the answer's elements."""
        container = body.get("container") or {}
        message = body.get("message") or {}
        block_id = str(action.get("block_id") or "")
        qid = block_id.split(":", 1)[1] if block_id.startswith((ANSWER_BLOCK, TOPICS_BLOCK, CORRECT_BLOCK)) else ""
        selected = (action.get("selected_option") or {}).get("value")
        return cls(
            user_id=str((body.get("user") or {}).get("id") or ""),
            channel_id=str(container.get("channel_id") or (body.get("channel") or {}).get("id") or ""),
            message_ts=str(container.get("message_ts") or message.get("ts") or ""),
            thread_ts=str(message.get("thread_ts") or container.get("thread_ts") or ""),
            is_ephemeral=bool(container.get("is_ephemeral")),
            qid=qid,
            value=str(action.get("value") or selected or ""),
            selected_language=_shown_language(body, selected),
        )


def _shown_language(body: dict[str, Any], selected: str | None) -> str | None:
    """The language the answer is shown in: the one just picked, else the menu's current value."""
    if selected in DISPLAY_LANGUAGES:
        return selected
    values = (body.get("state") or {}).get("values") or {}
    for block in values.values():
        choice = (block or {}).get("k8sfix_language") or {}
        value = (choice.get("selected_option") or {}).get("value")
        if value in DISPLAY_LANGUAGES:
            return str(value)
    for block in (body.get("message") or {}).get("blocks") or []:
        for element in block.get("elements") or []:
            if isinstance(element, dict) and element.get("action_id") == "k8sfix_language":
                value = (element.get("initial_option") or {}).get("value")
                if value in DISPLAY_LANGUAGES:
                    return str(value)
    return None
