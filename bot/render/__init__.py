"""Human-readable answers rendered from jinja2 templates, in the asker's language."""

from __future__ import annotations

from bot.render.text import render_entry, render_result

__all__ = ["render_entry", "render_result"]
