"""Every error and notice sentence the Slack app sends, as functions of the display language.

One module so that wording is reviewed (and translated) in one place. Values
interpolated here are ids and counts, never pasted text.
"""

from __future__ import annotations

import re

from bot.matching.chinese import to_traditional

SLACK_ID = re.compile(r"^[A-Z0-9]{2,24}$")

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "interrupted": ":warning: Sorry, I was restarted before I could answer this. Please ask again.",
        "apology": ":warning: Sorry, something went wrong while answering this. "
                   "The error was logged; please try again in a moment.",
        "unreadable": "This does not look like text I can read (binary data?). Paste the error as text.",
        "unknown_entry": "There is no knowledge-base entry with the id `{entry_id}`.",
        "answer_expired": "This answer is no longer available; ask again to get a fresh one.",
        "feedback_thanks": "Thanks for the feedback: it helps improve the knowledge base.",
        "correction_thanks": "Thanks: noted that *{title}* was the right topic. KB maintainers see it in `k8sfix "
                             "stats`.",
        "correction_none": "Thanks: noted that none of these topics fit. KB maintainers see it in `k8sfix stats`.",
        "posted": "Posted to the channel.",
        "post_failed": "I could not post in this channel ({error}). Invite me with `/invite @k8sfix` and try again.",
        "not_in_thread": "I cannot post in that channel ({error}); invite me with `/invite @k8sfix`. "
                         "Here is the answer, visible only to you:",
        "checks_off": "Cluster checks are not enabled for this bot.",
        "checks_forbidden": "You may not run cluster checks here. An admin can allow you (add `{user}` to "
                            "`K8SFIX_CHECKS_ALLOWED_USERS`) or everyone in this channel (add `{channel}` to "
                            "`K8SFIX_CHECKS_ALLOWED_CHANNELS`); see docs/checks.md.",
        "checks_running_one": ":hourglass_flowing_sand: Running 1 cluster check for `{topic}`…",
        "checks_running_many": ":hourglass_flowing_sand: Running {count} cluster checks for `{topic}`…",
        "checks_unavailable": "Cluster checks are not available in this installation.",
        "checks_none": "This topic has no cluster checks.",
        "checks_failed": "The cluster checks could not run: {error}",
        "triage_on": "Triage is on in <#{channel}>: high-confidence matches get a threaded answer, "
                     "repeats within {minutes} min a short pointer.",
        "triage_off": "Triage is off in <#{channel}>.",
        "triage_status_on": "Triage is on in <#{channel}>.",
        "triage_status_off": "Triage is off in <#{channel}>.",
        "triage_not_here": "Triage works in channels, not in direct messages.",
        "triage_invite": "Triage is on, but I am not a member of <#{channel}>: invite me with `/invite @k8sfix`.",
        "triage_usage": "Usage: `{command} triage on`, `{command} triage off` or `{command} triage status`.",
    },
    "pt": {
        "interrupted": ":warning: Desculpe, fui reiniciado antes de conseguir responder. Pergunte de novo, por favor.",
        "apology": ":warning: Desculpe, algo deu errado ao responder. O erro foi registrado; "
                   "tente de novo em instantes.",
        "unreadable": "Isto não parece texto que eu consiga ler (dados binários?). Cole o erro como texto.",
        "unknown_entry": "Não há entrada na base de conhecimento com o id `{entry_id}`.",
        "answer_expired": "Esta resposta não está mais disponível; pergunte de novo para obter uma nova.",
        "feedback_thanks": "Obrigado pelo retorno: ele ajuda a melhorar a base de conhecimento.",
        "correction_thanks": "Obrigado: anotado que *{title}* era o tópico certo. Quem mantém a base vê isso em "
                             "`k8sfix stats`.",
        "correction_none": "Obrigado: anotado que nenhum destes tópicos se encaixa. Quem mantém a base vê isso em "
                           "`k8sfix stats`.",
        "posted": "Publicado no canal.",
        "post_failed": "Não consegui publicar neste canal ({error}). Convide-me com `/invite @k8sfix` e "
                       "tente de novo.",
        "not_in_thread": "Não consigo publicar nesse canal ({error}); convide-me com `/invite @k8sfix`. "
                         "Aqui está a resposta, visível só para você:",
        "checks_off": "As verificações de cluster não estão ativadas neste bot.",
        "checks_forbidden": "Você não pode rodar verificações de cluster aqui. Um admin pode liberar você "
                            "(incluir `{user}` em `K8SFIX_CHECKS_ALLOWED_USERS`) ou todos deste canal (incluir "
                            "`{channel}` em `K8SFIX_CHECKS_ALLOWED_CHANNELS`); veja docs/checks.md.",
        "checks_running_one": ":hourglass_flowing_sand: Rodando 1 verificação do cluster para `{topic}`…",
        "checks_running_many": ":hourglass_flowing_sand: Rodando {count} verificações do cluster para `{topic}`…",
        "checks_unavailable": "As verificações de cluster não estão disponíveis nesta instalação.",
        "checks_none": "Este tópico não tem verificações de cluster.",
        "checks_failed": "As verificações de cluster não puderam rodar: {error}",
        "triage_on": "A triagem está ativa em <#{channel}>: correspondências de alta confiança recebem "
                     "resposta na thread; repetições em até {minutes} min, um aviso curto.",
        "triage_off": "A triagem está desativada em <#{channel}>.",
        "triage_status_on": "A triagem está ativa em <#{channel}>.",
        "triage_status_off": "A triagem está desativada em <#{channel}>.",
        "triage_not_here": "A triagem funciona em canais, não em mensagens diretas.",
        "triage_invite": "A triagem está ativa, mas não sou membro de <#{channel}>: convide-me com "
                         "`/invite @k8sfix`.",
        "triage_usage": "Uso: `{command} triage on`, `{command} triage off` ou `{command} triage status`.",
    },
    "ru": {
        "interrupted": ":warning: Извините, я был перезапущен и не успел ответить. Задайте вопрос ещё раз.",
        "apology": ":warning: Извините, при ответе что-то пошло не так. Ошибка записана в лог; "
                   "попробуйте ещё раз чуть позже.",
        "unreadable": "Это не похоже на текст, который я могу прочитать (двоичные данные?). "
                      "Вставьте ошибку как текст.",
        "unknown_entry": "В базе знаний нет статьи с id `{entry_id}`.",
        "answer_expired": "Этот ответ больше недоступен; задайте вопрос снова.",
        "feedback_thanks": "Спасибо за отзыв: он помогает улучшать базу знаний.",
        "correction_thanks": "Спасибо: отмечено, что верная тема — *{title}*. Авторы базы знаний увидят это в `k8sfix "
                             "stats`.",
        "correction_none": "Спасибо: отмечено, что ни одна из тем не подошла. Авторы базы знаний увидят это в `k8sfix "
                           "stats`.",
        "posted": "Опубликовано в канале.",
        "post_failed": "Не удалось опубликовать в этом канале ({error}). Пригласите меня командой "
                       "`/invite @k8sfix` и попробуйте снова.",
        "not_in_thread": "Не могу писать в этот канал ({error}); пригласите меня командой `/invite @k8sfix`. "
                         "Вот ответ, видимый только вам:",
        "checks_off": "Проверки кластера для этого бота не включены.",
        "checks_forbidden": "Вам нельзя запускать здесь проверки кластера. Администратор может разрешить их вам "
                            "(добавить `{user}` в `K8SFIX_CHECKS_ALLOWED_USERS`) или всем в этом канале (добавить "
                            "`{channel}` в `K8SFIX_CHECKS_ALLOWED_CHANNELS`); см. docs/checks.md.",
        "checks_running_one": ":hourglass_flowing_sand: Запускаю проверки кластера для `{topic}` (всего: 1)…",
        "checks_running_many": ":hourglass_flowing_sand: Запускаю проверки кластера для `{topic}` "
                               "(всего: {count})…",
        "checks_unavailable": "Проверки кластера недоступны в этой установке.",
        "checks_none": "Для этой темы нет проверок кластера.",
        "checks_failed": "Проверки кластера не удалось запустить: {error}",
        "triage_on": "Триаж включён в <#{channel}>: на совпадения с высокой уверенностью я отвечаю в треде, "
                     "на повторы в течение {minutes} мин — коротко.",
        "triage_off": "Триаж выключен в <#{channel}>.",
        "triage_status_on": "Триаж включён в <#{channel}>.",
        "triage_status_off": "Триаж выключен в <#{channel}>.",
        "triage_not_here": "Триаж работает в каналах, а не в личных сообщениях.",
        "triage_invite": "Триаж включён, но я не участник <#{channel}>: пригласите меня командой "
                         "`/invite @k8sfix`.",
        "triage_usage": "Использование: `{command} triage on`, `{command} triage off` или "
                        "`{command} triage status`.",
    },
    "zh": {
        "interrupted": ":warning: 抱歉，我在回答前被重启了。请重新提问。",
        "apology": ":warning: 抱歉，回答时出错了。错误已记录，请稍后再试。",
        "unreadable": "这看起来不是我能读取的文本（二进制数据？）。请以文本形式粘贴错误。",
        "unknown_entry": "知识库中没有 id 为 `{entry_id}` 的条目。",
        "answer_expired": "此回答已不可用；请重新提问以获得新的回答。",
        "feedback_thanks": "感谢反馈：它有助于改进知识库。",
        "correction_thanks": "谢谢：已记录正确的主题是 *{title}*。知识库维护者可在 `k8sfix stats` 中看到。",
        "correction_none": "谢谢：已记录这些主题都不符合。知识库维护者可在 `k8sfix stats` 中看到。",
        "posted": "已发布到频道。",
        "post_failed": "无法在此频道发布（{error}）。请用 `/invite @k8sfix` 邀请我后重试。",
        "not_in_thread": "无法在该频道发布（{error}）；请用 `/invite @k8sfix` 邀请我。以下回答仅你可见：",
        "checks_off": "此机器人未启用集群检查。",
        "checks_forbidden": "你不能在这里运行集群检查。管理员可以允许你（将 `{user}` 加入 "
                            "`K8SFIX_CHECKS_ALLOWED_USERS`）或此频道的所有人（将 `{channel}` 加入 "
                            "`K8SFIX_CHECKS_ALLOWED_CHANNELS`）；见 docs/checks.md。",
        "checks_running_one": ":hourglass_flowing_sand: 正在为 `{topic}` 运行 1 项集群检查…",
        "checks_running_many": ":hourglass_flowing_sand: 正在为 `{topic}` 运行 {count} 项集群检查…",
        "checks_unavailable": "此安装中没有集群检查功能。",
        "checks_none": "此主题没有集群检查。",
        "checks_failed": "集群检查无法运行：{error}",
        "triage_on": "<#{channel}> 已开启分诊：高置信度的匹配会在话题中回答，{minutes} 分钟内的重复只给出简短提示。",
        "triage_off": "<#{channel}> 已关闭分诊。",
        "triage_status_on": "<#{channel}> 的分诊已开启。",
        "triage_status_off": "<#{channel}> 的分诊已关闭。",
        "triage_not_here": "分诊只能在频道中使用，不能在私信中使用。",
        "triage_invite": "分诊已开启，但我不是 <#{channel}> 的成员：请用 `/invite @k8sfix` 邀请我。",
        "triage_usage": "用法：`{command} triage on`、`{command} triage off` 或 `{command} triage status`。",
    },
}


def _text(lang: str, key: str, **values: object) -> str:
    if lang == "zh-Hant":
        return to_traditional(_TEXTS["zh"][key].format(**values))
    return _TEXTS.get(lang, _TEXTS["en"])[key].format(**values)


def apology(lang: str = "en") -> str:
    """A handler failed; the error is logged."""
    return _text(lang, "apology")


def interrupted(lang: str = "en") -> str:
    """The process answering this was restarted before the question was read; ask again."""
    return _text(lang, "interrupted")


def unreadable(lang: str = "en") -> str:
    """The paste is binary junk, not text."""
    return _text(lang, "unreadable")


def unknown_entry(entry_id: str, lang: str = "en") -> str:
    """No KB entry has this id (the id is shortened and stripped of backticks)."""
    return _text(lang, "unknown_entry", entry_id=entry_id.replace("`", "")[:80])


def answer_expired(lang: str = "en") -> str:
    """A button refers to an answer the store no longer has."""
    return _text(lang, "answer_expired")


def feedback_thanks(lang: str = "en") -> str:
    """A vote was recorded."""
    return _text(lang, "feedback_thanks")


def correction_thanks(title: str, lang: str = "en") -> str:
    """A "Not helpful" voter picked the right topic (``title`` is mrkdwn-escaped here)."""
    safe = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("*", "")[:150]
    return _text(lang, "correction_thanks", title=safe)


def correction_none(lang: str = "en") -> str:
    """A "Not helpful" voter said that none of the candidates fit."""
    return _text(lang, "correction_none")


def posted(lang: str = "en") -> str:
    """A private answer was posted to the channel."""
    return _text(lang, "posted")


def post_failed(error: str, lang: str = "en") -> str:
    """Posting to the channel failed with a Slack error code."""
    return _text(lang, "post_failed", error=error)


def not_in_thread(error: str, lang: str = "en") -> str:
    """A thread answer could not be posted; it is shown privately instead."""
    return _text(lang, "not_in_thread", error=error)


def checks_off(lang: str = "en") -> str:
    """Checks are switched off."""
    return _text(lang, "checks_off")


def checks_forbidden(user_id: str, channel_id: str, lang: str = "en") -> str:
    """The user and the channel are not on the checks allow-list: say which setting allows them.

    Only reached through a button shown before the allow-lists changed, since the
    button is offered only where the viewers may run the checks.
    """
    return _text(lang, "checks_forbidden", user=_slack_id(user_id), channel=_slack_id(channel_id))


def checks_running(count: int, entry_id: str, lang: str = "en") -> str:
    """The checks started: shown at once, replaced or followed by the report when they end."""
    return _text(lang, "checks_running_one" if count == 1 else "checks_running_many", count=count, topic=entry_id)


def checks_unavailable(lang: str = "en") -> str:
    """The checks package is not installed."""
    return _text(lang, "checks_unavailable")


def checks_none(lang: str = "en") -> str:
    """The topic has no check."""
    return _text(lang, "checks_none")


def checks_failed(error: str, lang: str = "en") -> str:
    """The check run raised (bad input, no cluster)."""
    return _text(lang, "checks_failed", error=error)


def triage_switched(channel_id: str, on: bool, window_seconds: float, lang: str = "en") -> str:
    """Triage was switched on or off in a channel."""
    if on:
        return _text(lang, "triage_on", channel=channel_id, minutes=max(1, round(window_seconds / 60)))
    return _text(lang, "triage_off", channel=channel_id)


def triage_status(channel_id: str, on: bool, lang: str = "en") -> str:
    """Whether triage is on in a channel."""
    return _text(lang, "triage_status_on" if on else "triage_status_off", channel=channel_id)


def triage_not_here(lang: str = "en") -> str:
    """Triage was asked for in a DM."""
    return _text(lang, "triage_not_here")


def triage_invite(channel_id: str, lang: str = "en") -> str:
    """Triage is on but the bot cannot read the channel."""
    return _text(lang, "triage_invite", channel=channel_id)


def triage_usage(command: str, lang: str = "en") -> str:
    """Wrong arguments to the triage sub-command."""
    return _text(lang, "triage_usage", command=command)


def _slack_id(value: str) -> str:
    """A Slack user or channel id as it may appear in code spans (``?`` when absent or malformed)."""
    return value if SLACK_ID.match(value) else "?"


def message_keys() -> frozenset[str]:
    """Every message key (all languages define the same keys)."""
    return frozenset(_TEXTS["en"])


def translated_languages() -> tuple[str, ...]:
    """Languages whose messages are written by hand."""
    return tuple(_TEXTS)
