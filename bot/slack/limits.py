"""Fit a list of blocks into Slack's limits, cutting cleanly instead of being rejected.

Slack rejects a message with more than 50 blocks, a section text over 3,000
characters, a header over 150, and in practice a message whose blocks total
about 12,000 characters (``msg_blocks_too_long``). Long texts are cut at a line
break (a code fence left open is closed); whole blocks are dropped from the end
of the body while the action blocks stay; the caller then uploads the full text.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_CONTEXT_CHARS = 2000
MAX_HEADER_CHARS = 150
MAX_MESSAGE_CHARS = 12_000
"""Budget for the JSON of all blocks: below Slack's practical limit with room to spare."""
ELLIPSIS = "…"
FENCE = "```"

Block = dict[str, Any]


@dataclass(frozen=True)
class Fitted:
    """Blocks within the limits, and whether anything was left out."""

    blocks: list[Block]
    truncated: bool


def clip_mrkdwn(text: str, limit: int) -> str:
    """Cut mrkdwn ``text`` to at most ``limit`` characters at a line or word break.

    An open code fence is closed and an ellipsis marks the cut.
    """
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS) - len(FENCE) - 2
    cut = text[:room]
    for sep in ("\n", " "):
        at = cut.rfind(sep)
        if at >= room // 2:
            cut = cut[:at]
            break
    cut = cut.rstrip()
    if cut.count(FENCE) % 2:
        cut += "\n" + FENCE
    return cut + "\n" + ELLIPSIS


def size_of(blocks: list[Block]) -> int:
    """The size Slack's message budget is measured against (JSON characters)."""
    return len(json.dumps(blocks, ensure_ascii=False))


def clip_block(block: Block) -> Block:
    """A copy of ``block`` with its texts within the per-block limits."""
    block = copy.deepcopy(block)
    kind = block.get("type")
    text = block.get("text")
    if isinstance(text, dict) and isinstance(text.get("text"), str):
        if kind == "header":
            if len(text["text"]) > MAX_HEADER_CHARS:
                text["text"] = text["text"][: MAX_HEADER_CHARS - 1] + ELLIPSIS
        else:
            text["text"] = clip_mrkdwn(text["text"], MAX_SECTION_CHARS)
    if kind == "context":
        for element in block.get("elements", []):
            if isinstance(element.get("text"), str):
                element["text"] = clip_mrkdwn(element["text"], MAX_CONTEXT_CHARS)
    return block


def fit_blocks(blocks: list[Block], notice: Block, budget: int = MAX_MESSAGE_CHARS) -> Fitted:
    """Fit ``blocks`` into Slack's limits.

    Args:
        blocks: The rendered message.
        notice: Block put before the trailing action blocks when something was left out
            (it says where the full text is).
        budget: Size budget of the whole message, see :func:`size_of`.
    """
    clipped = [clip_block(b) for b in blocks]
    if len(clipped) <= MAX_BLOCKS and size_of(clipped) <= budget:
        return Fitted(clipped, truncated=any(c != b for c, b in zip(clipped, blocks, strict=True)))
    split = len(clipped)
    while split > 0 and clipped[split - 1].get("type") in ("actions", "divider"):
        split -= 1
    body, tail = clipped[:split], clipped[split:]
    kept: list[Block] = []
    fixed = size_of([notice, *tail]) + 2
    for block in body:
        if len(kept) + 1 + len(tail) >= MAX_BLOCKS:
            break
        room = budget - fixed - size_of(kept) - 1
        cost = size_of([block])
        if cost <= room:
            kept.append(block)
            continue
        partial = _shrink_section(block, room)
        if partial is not None:
            kept.append(partial)
        break
    return Fitted([*kept, notice, *tail], truncated=True)


def _shrink_section(block: Block, room: int) -> Block | None:
    """The section cut to fit ``room`` JSON characters, or None when too little room is left."""
    if block.get("type") != "section" or not isinstance(block.get("text"), dict) or room < 300:
        return None
    shrunk = copy.deepcopy(block)
    overhead = size_of([shrunk]) - len(json.dumps(shrunk["text"]["text"], ensure_ascii=False))
    limit = room - overhead - 50
    text = shrunk["text"]["text"]
    while limit > 100:
        shrunk["text"]["text"] = clip_mrkdwn(text, limit)
        if size_of([shrunk]) <= room:
            return shrunk
        limit -= max(50, limit // 10)
    return None
