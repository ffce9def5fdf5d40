"""Interface words of an answer in each KB language; entry text comes from the KB itself."""

from __future__ import annotations

UI_STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "cause": "Cause", "fix": "Fix", "impact": "Impact", "diagnose": "Diagnose (read-only)",
        "fix_commands": "Fix (changes the cluster or node)", "source": "Source", "confidence": "confidence",
        "evidence": "Evidence", "related": "Related", "alternatives": "Also possible",
        "no_match": "No confident match.", "closest": "Closest topics", "also_found": "Also found in this paste",
        "high": "high", "medium": "medium", "low": "low", "symptoms": "Symptoms", "added": "beyond the source",
        "checks": "Cluster checks", "common": "common topic",
        "how_to_tell": "Or it is the related topic; it is this one if its cause fits better:",
    },
    "pt": {
        "cause": "Causa", "fix": "Correção", "impact": "Impacto", "diagnose": "Diagnóstico (somente leitura)",
        "fix_commands": "Correção (altera o cluster ou o nó)", "source": "Fonte", "confidence": "confiança",
        "evidence": "Evidência", "related": "Relacionados", "alternatives": "Também possível",
        "no_match": "Nenhuma correspondência confiável.", "closest": "Tópicos mais próximos",
        "also_found": "Também encontrado neste texto", "high": "alta", "medium": "média", "low": "baixa",
        "symptoms": "Sintomas", "added": "além da fonte", "checks": "Verificações no cluster",
        "common": "tópico comum",
        "how_to_tell": "Ou é o tópico relacionado; é este se a causa dele se encaixar melhor:",
    },
    "ru": {
        "cause": "Причина", "fix": "Решение", "impact": "Последствия", "diagnose": "Диагностика (только чтение)",
        "fix_commands": "Исправление (меняет кластер или узел)", "source": "Источник", "confidence": "уверенность",
        "evidence": "Строка из лога", "related": "Связанные темы", "alternatives": "Также возможно",
        "no_match": "Уверенного совпадения нет.", "closest": "Ближайшие темы",
        "also_found": "Также найдено в этом тексте", "high": "высокая", "medium": "средняя", "low": "низкая",
        "symptoms": "Симптомы", "added": "сверх источника", "checks": "Проверки кластера",
        "common": "общая тема",
        "how_to_tell": "Или это связанная тема; это она, если её причина подходит лучше:",
    },
    "zh": {
        "cause": "原因", "fix": "解决方法", "impact": "影响", "diagnose": "诊断（只读）",
        "fix_commands": "修复（会修改集群或节点）", "source": "来源", "confidence": "置信度",
        "evidence": "日志证据", "related": "相关主题", "alternatives": "其他可能",
        "no_match": "没有足够可信的匹配。", "closest": "最接近的主题", "also_found": "该文本中还发现",
        "high": "高", "medium": "中", "low": "低", "symptoms": "症状", "added": "来源之外的补充",
        "checks": "集群检查", "common": "常见问题",
        "how_to_tell": "也可能是相关主题；如果它的原因更符合，就是这个：",
    },
}


def ui(lang: str) -> dict[str, str]:
    """Interface words for a KB language (English where there are none)."""
    return UI_STRINGS.get(lang, UI_STRINGS["en"])


REASONS: dict[str, dict[str, str]] = {
    "en": {
        "clear_lead": "clearly ahead of the other topics",
        "siblings": "one of two related topics, the other is {other} [{other_id}]: compare their causes",
        "tie": "two topics fit equally: {other} [{other_id}]",
        "close_runner_up": "close runner-up: {other} [{other_id}]",
        "partial_fit": "the text matches only part of this topic",
        "weak_fit": "weak fit",
        "no_match": "no topic fits",
        "full_hint": "Shortened answer: k8sfix kb show {id} (or match --full) prints every section.",
        "more_causes": "other possible causes",
        "more_commands": "{n} more",
        "multiline": "{n} lines: --full prints it",
    },
    "pt": {
        "clear_lead": "bem à frente dos outros tópicos",
        "siblings": "um de dois tópicos relacionados, o outro é {other} [{other_id}]: compare as causas",
        "tie": "dois tópicos se encaixam igualmente: {other} [{other_id}]",
        "close_runner_up": "segundo colocado próximo: {other} [{other_id}]",
        "partial_fit": "o texto corresponde só a parte deste tópico",
        "weak_fit": "correspondência fraca",
        "no_match": "nenhum tópico se encaixa",
        "full_hint": "Resposta resumida: k8sfix kb show {id} (ou match --full) mostra todas as seções.",
        "more_causes": "outras causas possíveis",
        "more_commands": "mais {n}",
        "multiline": "{n} linhas: --full mostra o comando",
    },
    "ru": {
        "clear_lead": "явно впереди других тем",
        "siblings": "одна из двух связанных тем, вторая: {other} [{other_id}]; сравните причины",
        "tie": "две темы подходят одинаково: {other} [{other_id}]",
        "close_runner_up": "близкая вторая тема: {other} [{other_id}]",
        "partial_fit": "текст совпадает только с частью этой темы",
        "weak_fit": "слабое совпадение",
        "no_match": "ни одна тема не подходит",
        "full_hint": "Сокращённый ответ: k8sfix kb show {id} (или match --full) покажет все разделы.",
        "more_causes": "другие возможные причины",
        "more_commands": "ещё {n}",
        "multiline": "{n} строк: --full покажет команду",
    },
    "zh": {
        "clear_lead": "明显领先于其他主题",
        "siblings": "两个相关主题之一，另一个是 {other} [{other_id}]：请对比两者的原因",
        "tie": "两个主题同样符合：{other} [{other_id}]",
        "close_runner_up": "第二名很接近：{other} [{other_id}]",
        "partial_fit": "文本只符合该主题的一部分",
        "weak_fit": "匹配较弱",
        "no_match": "没有符合的主题",
        "full_hint": "简短回答：k8sfix kb show {id}（或 match --full）显示所有部分。",
        "more_causes": "其他可能的原因",
        "more_commands": "另有 {n} 条",
        "multiline": "共 {n} 行：--full 显示完整命令",
    },
}
"""Reasons for a confidence band and the notes of a shortened answer (see ``bot.render.confidence``)."""


def reason_text(lang: str, key: str, **values: str) -> str:
    """One reason or note in a KB language (English where there is none)."""
    return REASONS.get(lang, REASONS["en"])[key].format(**values)
