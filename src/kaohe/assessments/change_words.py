"""An item's history (修改历史) in words: the audit log keeps canonical JSON of the old and the new values; the page
shows what changed with the inputs' names and units, 是/否, lists joined with ；, status labels, never the JSON
or the ids (issue 10 §2 "Words, not codes")."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kaohe.assessments import schemes
from kaohe.assessments.models import ItemComment, SelfEvaluation, State
from kaohe.audit.models import AuditLog
from kaohe.core.scheme import Scheme
from kaohe.web.templatetags.kaohe_tags import value as value_text

ACTIONS = {
    "self_evaluation.save": "保存自评",
    "verification.save": "核实",
    "verification.return": "退回补正",
    "evidence.add": "上传佐证材料",
    "evidence.replace": "替换佐证材料",
    "evidence.delete": "删除佐证材料",
    "comment.add": "留言",
}
FIELDS = {
    "explanation": "自评说明",
    "self_score": "自评得分",
    "score": "核实得分",
    "status": "核实状态",
    "comment": "退回意见",
    "reason": "调整理由",
    "name": "文件",
    "size": "大小（字节）",
    "text": "留言",
    "role": "身份",
}
HIDDEN = {"item", "sha256", "version", "values"}  # values are listed input by input; the rest says nothing to a user
STATUS = {**dict(SelfEvaluation.ItemStatus.choices), **dict(State.choices)}
ROLES = dict(ItemComment.Role.choices)


@dataclass(frozen=True)
class ChangeLine:
    seq: int
    created_at: Any
    actor_name: str
    action: str
    old: str
    new: str
    reason: str


def _decode(raw: str) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _word(key: str, v: Any) -> str:
    if key == "status" or key == "":
        return str(STATUS.get(v, v)) if isinstance(v, str) else value_text(v)
    if key == "role":
        return str(ROLES.get(v, v))
    if isinstance(v, list):
        return "；".join(value_text(x) for x in v) or "—"
    return value_text(v)


def _input_name(scheme: Scheme, input_id: str) -> str:
    try:
        spec = schemes.input_def(scheme, input_id)
    except KeyError:  # an input no longer in the scheme
        return "输入项"
    return f"{spec.name}（{spec.unit}）" if spec.unit else spec.name


def _fields(scheme: Scheme, data: Any, keys: list[str]) -> str:
    if not isinstance(data, dict):
        return _word("", data) if data is not None else "—"
    parts = []
    for key in keys:
        if key == "values":
            values = data.get("values") or {}
            parts += [f"{_input_name(scheme, k)}：{_word(k, v)}" for k, v in values.items()]
        elif key in data and key not in HIDDEN:
            parts.append(f"{FIELDS.get(key, '其他')}：{_word(key, data[key])}")
    return "；".join(parts) or "—"


def _changed(old: Any, new: Any) -> tuple[list[str], list[str]]:
    """The keys worth showing on each side: what differs (inputs one by one), or everything of a one-sided entry."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        keys = sorted((old if isinstance(old, dict) else new if isinstance(new, dict) else {}).keys())
        return keys, keys
    keys = [k for k in sorted(set(old) | set(new)) if k != "values" and old.get(k) != new.get(k)]
    old_values, new_values = old.get("values") or {}, new.get("values") or {}
    changed_inputs = {k for k in set(old_values) | set(new_values) if old_values.get(k) != new_values.get(k)}
    if changed_inputs:
        old["values"] = {k: old_values.get(k) for k in sorted(changed_inputs)}
        new["values"] = {k: new_values.get(k) for k in sorted(changed_inputs)}
        keys = ["values", *keys]
    return keys, keys


def history_lines(item: SelfEvaluation, entries: list[AuditLog]) -> list[ChangeLine]:
    scheme = schemes.load(item.assessment.cycle.scheme_ref)
    lines = []
    for entry in entries:
        old, new = _decode(entry.old_value), _decode(entry.new_value)
        old_keys, new_keys = _changed(old, new)
        lines.append(
            ChangeLine(
                seq=entry.seq,
                created_at=entry.created_at,
                actor_name=entry.actor_name,
                action=ACTIONS.get(entry.action, "其他操作"),
                old=_fields(scheme, old, old_keys) if old is not None else "—",
                new=_fields(scheme, new, new_keys) if new is not None else "—",
                reason=entry.reason,
            )
        )
    return lines
