"""Pick the answer language: the question's, else the asker's Slack locale, else English."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.matching.lang import prose_of
from bot.matching.types import answer_language
from bot.slack.texts import DISPLAY_LANGUAGES

logger = logging.getLogger(__name__)

_QUERY_TO_DISPLAY = {"en": "en", "pt": "pt", "ru": "ru", "zh": "zh", "zh-Hans": "zh", "zh-Hant": "zh-Hant"}
_TRADITIONAL_LOCALES = ("zh-tw", "zh-hk", "zh-mo", "zh-hant")
LOCALE_TTL_S = 3600.0
FAILURE_TTL_S = 60.0


def display_language_of_query(query_lang: str) -> str | None:
    """The display language for a detected query language, None when the KB cannot answer in it."""
    return _QUERY_TO_DISPLAY.get(query_lang)


def display_language_of_locale(locale: str | None) -> str | None:
    """The display language for a Slack locale such as ``pt-BR`` or ``zh-TW``, None if unsupported."""
    if not locale:
        return None
    lowered = locale.lower().replace("_", "-")
    if lowered.startswith(_TRADITIONAL_LOCALES):
        return "zh-Hant"
    base = lowered.split("-", 1)[0]
    return base if base in ("en", "pt", "ru", "zh") else None


def kb_language(display_lang: str) -> str:
    """The KB language a display language is rendered from (``zh-Hant`` comes from ``zh``)."""
    return answer_language("zh-Hant" if display_lang == "zh-Hant" else display_lang)


def normalise_display_language(lang: str | None) -> str:
    """``lang`` if it is a display language, else English."""
    return lang if lang in DISPLAY_LANGUAGES else "en"


def choose_language(query_lang: str, user_locale: Callable[[], str | None], *, log_only: bool = False) -> str:
    """The language to answer in.

    Args:
        query_lang: Language the matcher detected in the question.
        user_locale: Called only when the question's language does not decide.
        log_only: The text is a log or an error message with no words of the asker's own: its
            language is the software's (English), so the asker's Slack locale decides first.
    """
    if log_only:
        return display_language_of_locale(user_locale()) or display_language_of_query(query_lang) or "en"
    return display_language_of_query(query_lang) or display_language_of_locale(user_locale()) or "en"


_ASKER_WORDS = frozenset({
    "i", "i'm", "im", "my", "me", "we", "our", "us", "you", "your", "why", "how", "what", "anyone", "please",
    "help", "hi", "hello", "hey", "thanks", "getting", "seeing", "keeps", "stuck",
})
"""Words of a person writing, not of a program logging: one of them makes an English text a question."""
_WORDS = re.compile(r"[a-z']+")


def looks_like_log(text: str) -> bool:
    """Whether ``text`` holds no prose of the asker: only log lines, or error messages a program wrote.

    A pasted log carries no hint of the asker's language, so their Slack locale should decide.
    Anything with a question mark or a word people write (``why``, ``my``, ``please``...) is prose.
    """
    prose = prose_of(text).strip()
    if not prose:
        return bool(text.strip())
    if "?" in prose or not prose.isascii():
        return False
    return not any(word in _ASKER_WORDS for word in _WORDS.findall(prose.lower()))


class LocaleCache:
    """Slack locales of users (``users.info`` with ``include_locale``), cached for an hour."""

    def __init__(self, ttl: float = LOCALE_TTL_S, clock: Callable[[], float] = time.monotonic) -> None:
        """An empty cache."""
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[str, tuple[float, str | None]] = {}
        self._user_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, client: WebClient, user_id: str) -> str | None:
        """The user's locale such as ``pt-BR``, None when unknown or when Slack cannot say."""
        if not user_id:
            return None
        hit = self._cached(user_id)
        if hit is not None:
            return hit[1]
        with self._lock:
            user_lock = self._user_locks.setdefault(user_id, threading.Lock())
        with user_lock:  # concurrent questions of one user make one users.info call
            hit = self._cached(user_id)
            if hit is not None:
                return hit[1]
            locale, ttl = self._fetch(client, user_id)
            with self._lock:
                self._cache[user_id] = (self._clock() + ttl, locale)
        return locale

    def _cached(self, user_id: str) -> tuple[float, str | None] | None:
        with self._lock:
            hit = self._cache.get(user_id)
        return hit if hit is not None and hit[0] > self._clock() else None

    def _fetch(self, client: WebClient, user_id: str) -> tuple[str | None, float]:
        try:
            response = client.users_info(user=user_id, include_locale=True)
        except (SlackApiError, SlackClientError, OSError) as exc:
            logger.warning("users.info failed; answering in English", extra={"error": type(exc).__name__})
            return None, FAILURE_TTL_S
        return (response.get("user") or {}).get("locale"), self._ttl
