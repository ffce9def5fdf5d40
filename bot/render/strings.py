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
    },
    "pt": {
        "cause": "Causa", "fix": "Correção", "impact": "Impacto", "diagnose": "Diagnóstico (somente leitura)",
        "fix_commands": "Correção (altera o cluster ou o nó)", "source": "Fonte", "confidence": "confiança",
        "evidence": "Evidência", "related": "Relacionados", "alternatives": "Também possível",
        "no_match": "Nenhuma correspondência confiável.", "closest": "Tópicos mais próximos",
        "also_found": "Também encontrado neste texto", "high": "alta", "medium": "média", "low": "baixa",
        "symptoms": "Sintomas", "added": "além da fonte", "checks": "Verificações no cluster",
        "common": "tópico comum",
    },
    "ru": {
        "cause": "Причина", "fix": "Решение", "impact": "Последствия", "diagnose": "Диагностика (только чтение)",
        "fix_commands": "Исправление (меняет кластер или узел)", "source": "Источник", "confidence": "уверенность",
        "evidence": "Строка из лога", "related": "Связанные темы", "alternatives": "Также возможно",
        "no_match": "Уверенного совпадения нет.", "closest": "Ближайшие темы",
        "also_found": "Также найдено в этом тексте", "high": "высокая", "medium": "средняя", "low": "низкая",
        "symptoms": "Симптомы", "added": "сверх источника", "checks": "Проверки кластера",
        "common": "общая тема",
    },
    "zh": {
        "cause": "原因", "fix": "解决方法", "impact": "影响", "diagnose": "诊断（只读）",
        "fix_commands": "修复（会修改集群或节点）", "source": "来源", "confidence": "置信度",
        "evidence": "日志证据", "related": "相关主题", "alternatives": "其他可能",
        "no_match": "没有足够可信的匹配。", "closest": "最接近的主题", "also_found": "该文本中还发现",
        "high": "高", "medium": "中", "low": "低", "symptoms": "症状", "added": "来源之外的补充",
        "checks": "集群检查", "common": "常见问题",
    },
}


def ui(lang: str) -> dict[str, str]:
    """Interface words for a KB language (English where there are none)."""
    return UI_STRINGS.get(lang, UI_STRINGS["en"])
