"""The knowledge base: entry model, YAML and Markdown readers, layered loading."""

from __future__ import annotations

from bot.kb.loader import KB_PATH_ENV, KnowledgeBase, builtin_dir, extra_dirs_from_env, load_knowledge
from bot.kb.models import LANGUAGES, Cause, Command, Entry, Source, Text

__all__ = [
    "KB_PATH_ENV",
    "LANGUAGES",
    "Cause",
    "Command",
    "Entry",
    "KnowledgeBase",
    "Source",
    "Text",
    "builtin_dir",
    "extra_dirs_from_env",
    "load_knowledge",
]
