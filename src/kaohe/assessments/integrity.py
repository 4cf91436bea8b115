"""``kaohe audit verify``: the audit chain, the data and the evidence files, checked together and reported in words.

1. The chain (``kaohe.audit.actions.verify_chain``): every entry signed with the audit key (HMAC-SHA256), linked to
   the previous one, numbered without gaps, and the chain head naming the newest entry.
2. The data (``kaohe.audit.replay``): every row of an audited model — units, people and their roles, cycles,
   letters, assessments, self-evaluations, verifications, evidence, imported values, results — equals the newest
   snapshot the log holds for it; rows the log never recorded and rows that vanished are reported too.
3. The files: every evidence file matches the SHA-256 its ``evidence.add`` entry recorded at upload (the audit chain
   proves its own rows unchanged; a file swapped on disk, or an Evidence row whose hash was edited to match, shows
   up here), and every uploaded scheme file the SHA-256 its ``cycle.open`` entry recorded.

Each problem is one line naming the unit (name and code), the cycle, the value and what the log recorded versus what
the database holds now.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models

from kaohe.assessments import schemes
from kaohe.assessments.models import (
    AppealEvidence,
    Assessment,
    Cycle,
    Evidence,
    Membership,
    SelfEvaluation,
    Unit,
)
from kaohe.audit.actions import ChainReport, verify_chain
from kaohe.audit.models import AuditLog
from kaohe.audit.replay import Discrepancy, Replay
from kaohe.core import Scheme
from kaohe.web.consistent_read import consistent_read


@dataclass(frozen=True)
class EvidenceProblem:
    evidence_id: int
    message: str


def _sha256(evidence: Any) -> str | None:  # any row with a FileField ``file``
    digest = hashlib.sha256()
    try:
        with evidence.file.storage.open(evidence.file.name, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest()


def verify_evidence() -> tuple[int, list[EvidenceProblem]]:
    """(files checked, problems) — every file must match the hash its upload entry recorded, or its latest
    replacement's (``evidence.replace``); a deleted file's row is gone (``evidence.delete``), so nothing is expected."""
    recorded: dict[str, str] = {}
    entries = AuditLog.objects.filter(action__in=("evidence.add", "evidence.replace")).order_by("seq")
    for entry in entries.only("object_id", "new_value").iterator():
        recorded[entry.object_id] = (entry.decoded_new() or {}).get("sha256", "")
    return _check_files(Evidence.objects.order_by("pk"), recorded, "佐证材料")


def verify_appeal_files() -> tuple[int, list[EvidenceProblem]]:
    """(files checked, problems) — every 申诉材料 file must match the SHA-256 its ``appeal.lodge`` entry recorded."""
    recorded: dict[str, str] = {}
    for entry in AuditLog.objects.filter(action="appeal.lodge").only("new_value").order_by("seq").iterator():
        for item in (entry.decoded_new() or {}).get("files", []):
            recorded[str(item.get("id"))] = item.get("sha256", "")
    return _check_files(AppealEvidence.objects.order_by("pk"), recorded, "申诉材料")


def verify_report_files() -> tuple[int, list[EvidenceProblem]]:
    """(files checked, problems) — every 调度记录附件 (kaohe.ledgers) must match the SHA-256 of its row's snapshot in
    the entry that stored it (the 进展报告 or 申请销号 that carried the file)."""
    from kaohe.ledgers.models import ReportEvidence  # the registers build on this app, not the other way round

    label = ReportEvidence._meta.label_lower
    recorded: dict[str, str] = {}
    entries = AuditLog.objects.filter(rows__contains=f'"{label}"').only("rows").order_by("seq")
    for entry in entries.iterator():
        for pk, snap in entry.decoded_rows().get(label, {}).items():
            if snap:
                recorded[str(pk)] = snap.get("sha256", "")
    return _check_files(ReportEvidence.objects.order_by("pk"), recorded, "调度记录附件")


def _check_files(rows: Any, recorded: dict[str, str], label: str) -> tuple[int, list[EvidenceProblem]]:
    """(files checked, problems): each stored file against the SHA-256 its audit entry recorded (``recorded``: pk →
    hash), and the row's own hash field against the same record."""
    problems = []
    count = 0
    for evidence in rows.iterator():
        count += 1
        expected = recorded.get(str(evidence.pk))
        name = f"{label} #{evidence.pk}「{evidence.original_name}」"
        if expected is None:
            problems.append(EvidenceProblem(evidence.pk, f"{name} 没有上传记录"))
            continue
        if evidence.sha256 != expected:
            problems.append(EvidenceProblem(evidence.pk, f"{name}：记录的文件哈希被改动"))
        actual = _sha256(evidence)
        if actual is None:
            problems.append(EvidenceProblem(evidence.pk, f"{name}：文件缺失"))
        elif actual != expected:
            problems.append(EvidenceProblem(evidence.pk, f"{name}：文件被替换或改动（与上传时的哈希不符）"))
    return count, problems


def verify_scheme_files() -> tuple[int, list[str]]:
    """(files checked, problems) — every uploaded scheme file must match the hash its ``cycle.open`` entry recorded
    (the scheme decides every score; a YAML swapped on disk would change the next evaluation and every explanation)."""
    recorded: dict[str, str] = {}
    for entry in AuditLog.objects.filter(action="cycle.open").only("object_id", "new_value").iterator():
        sha = (entry.decoded_new() or {}).get("scheme_sha256")
        if sha:
            recorded[entry.object_id] = sha
    problems = []
    count = 0
    for cycle in Cycle.objects.exclude(scheme_file="").order_by("pk"):
        expected = recorded.get(str(cycle.pk))
        if expected is None:  # opened before the hash was recorded
            continue
        count += 1
        try:
            with cycle.scheme_file.open("rb") as handle:
                actual = hashlib.sha256(handle.read()).hexdigest()
        except FileNotFoundError:
            problems.append(f"考核周期「{cycle.name}」：上传的考核方案文件缺失")
            continue
        if actual != expected:
            problems.append(f"考核周期「{cycle.name}」：上传的考核方案文件被替换或改动（与开启周期时的哈希不符）")
    return count, problems


# ------------------------------------------------------------------------------------------------ words
MODEL_NAMES = {
    "auth.user": "用户",
    "assessments.unit": "被考核单位",
    "assessments.membership": "人员角色",
    "assessments.cycle": "考核周期",
    "assessments.responsibilityletter": "目标责任书",
    "assessments.assessment": "考核状态",
    "assessments.selfevaluation": "自评项",
    "assessments.verification": "核实记录",
    "assessments.evidence": "佐证材料",
    "assessments.itemcomment": "指标留言",
    "assessments.appeal": "申诉",
    "assessments.appealevidence": "申诉材料",
    "assessments.importedvalue": "导入的监测数据",
    "assessments.result": "考核结果",
    "notifications.notification": "通知",
    "reports.documentsettings": "公文设置",
    "maps.areamap": "单位地图",
    "ledgers.rectificationproblem": "督察整改问题",
    "ledgers.rectificationreport": "整改调度记录",
    "ledgers.complaint": "信访/12369案件",
    "ledgers.notice": "通报督办批示",
    "ledgers.incident": "突发环境事件",
}

# Fields whose model declares no Chinese name; the others use the model field's verbose_name.
FIELD_NAMES: dict[str, str] = {
    "final_score": "综合得分",
    "base_total": "基础得分",
    "bonus": "加分",
    "deduction": "扣分",
    "grade": "等次",
    "rank": "排名",
    "advanced": "先进",
    "interview": "约谈",
    "accountability": "问责",
    "blocked": "无法计分",
    "flags": "特殊规则标记",
    "missing": "缺失数据",
    "scores": "各指标得分",
    "inputs": "评分所用数据",
    "computed_at": "评价时间",
    "created_at": "创建时间",
    "evaluated_at": "综合评价时间",
    "published_at": "通报时间",
    "submitted_at": "提交时间",
    "verified_at": "核实完成时间",
    "issued_at": "下达时间",
    "kind": "类别",
    "version": "版本",
    "file": "文件",
    "original_name": "文件名",
    "content_type": "文件类型",
    "size": "文件大小",
    "sha256": "文件哈希",
    "uploaded_at": "上传时间",
    "uploaded_by_id": "上传人",
    "verifier_id": "核实人",
    "input_id": "输入项",
    "value": "数值",
    "source": "来源",
    "user_id": "用户",
    "unit_id": "单位",
    "cycle_id": "考核周期",
    "assessment_id": "考核单元",
    "item_id": "自评项",
    "parent_id": "上级单位",
    "username": "用户名",
    "is_superuser": "超级用户",
    "is_staff": "管理后台权限",
    "is_active": "账号启用",
    "password": "密码",
    "groups": "用户组",
    "user_permissions": "单独授予的权限",
}
INPUT_KEYED = {"values", "targets", "inputs"}  # JSON fields keyed by the scheme's input ids
NOTHING = "（空）"


def _model(label: str) -> type[models.Model]:
    from django.apps import apps

    return apps.get_model(label)


def _field(label: str, name: str) -> Any:
    try:
        return _model(label)._meta.get_field(name.removesuffix("_id") if name.endswith("_id") else name)
    except Exception:  # a user snapshot field, or a field a later version removed
        return None


def field_name(label: str, name: str) -> str:
    if label == "auth.user" and name in FIELD_NAMES:  # Django's own names are long ("超级用户状态")
        return FIELD_NAMES[name]
    model_field = _field(label, name)
    verbose = str(getattr(model_field, "verbose_name", "") or "")
    if verbose and not verbose.isascii():
        return verbose
    return FIELD_NAMES.get(name, verbose or name)


@dataclass
class Words:
    """Turns a discrepancy into a sentence; caches what it looks up (most rows of one report share a cycle)."""

    _cycles: dict[int, Cycle | None] = field(default_factory=dict)
    _schemes: dict[int, Scheme | None] = field(default_factory=dict)

    # --- lookups that survive deleted rows
    def unit(self, pk: Any) -> str:
        unit = Unit.objects.filter(pk=pk).only("name", "code").first() if pk is not None else None
        return f"{unit.name}（{unit.code}）" if unit else f"单位 #{pk}（已删除）"

    def cycle(self, pk: Any) -> Cycle | None:
        if pk not in self._cycles:
            self._cycles[pk] = Cycle.objects.filter(pk=pk).first() if pk is not None else None
        return self._cycles[pk]

    def cycle_name(self, pk: Any) -> str:
        cycle = self.cycle(pk)
        return f"「{cycle.name}」" if cycle else f"考核周期 #{pk}"

    def scheme(self, cycle_pk: Any) -> Scheme | None:
        if cycle_pk not in self._schemes:
            cycle = self.cycle(cycle_pk)
            try:
                self._schemes[cycle_pk] = schemes.load(cycle.scheme_ref) if cycle else None
            except Exception:  # a scheme file that is gone: fall back to the ids
                self._schemes[cycle_pk] = None
        return self._schemes[cycle_pk]

    def input_name(self, cycle_pk: Any, input_id: str) -> str:
        scheme = self.scheme(cycle_pk)
        if scheme is not None:
            try:
                return f"「{schemes.input_def(scheme, input_id).name}」"
            except KeyError:
                pass
        return f"「{input_id}」"

    def indicator_name(self, cycle_pk: Any, node_id: str) -> str:
        scheme = self.scheme(cycle_pk)
        if scheme is not None:
            for node in schemes.nodes(scheme):
                if node.id == node_id:
                    return f"指标 {node_id}「{node.name}」"
        return f"指标 {node_id}"

    def assessment(self, pk: Any) -> tuple[str, Any]:
        """(unit · cycle, cycle pk) of an assessment."""
        a = Assessment.objects.filter(pk=pk).values("unit_id", "cycle_id").first() if pk is not None else None
        if a is None:
            return f"考核单元 #{pk}（已删除）", None
        return f"{self.unit(a['unit_id'])} · {self.cycle_name(a['cycle_id'])}", a["cycle_id"]

    def item(self, pk: Any) -> tuple[str, Any]:
        i = SelfEvaluation.objects.filter(pk=pk).values("assessment_id", "indicator_id", "indicator_name").first()
        if i is None:
            return f"自评项 #{pk}（已删除）", None
        where, cycle_pk = self.assessment(i["assessment_id"])
        return f"{where} · 指标 {i['indicator_id']}「{i['indicator_name']}」", cycle_pk

    def user(self, pk: Any) -> str:
        user = get_user_model().objects.filter(pk=pk).first() if pk is not None else None
        return f"用户 {user.get_username()}" if user else f"用户 #{pk}"

    # --- what a row is
    def subject(self, d: Discrepancy) -> tuple[str, Any]:
        """The row in words and the cycle whose scheme names its values."""
        snap = d.current or d.logged or {}
        label = d.label
        what = MODEL_NAMES.get(label, label)
        if label == "auth.user":
            return f"用户 {snap.get('username') or '#' + d.pk}", None
        if label == "assessments.unit":
            if snap.get("name"):
                return f"被考核单位 {snap['name']}（{snap.get('code', '')}）", None
            return f"被考核单位 #{d.pk}", None
        if label == "assessments.membership":
            role = snap.get("role")
            role_text = Membership.Role(role).label if role in Membership.Role.values else str(role)
            where = self.unit(snap["unit_id"]) if snap.get("unit_id") else snap.get("lead_unit") or ""
            return f"人员角色（{self.user(snap.get('user_id'))} · {role_text} {where}）".replace(" ）", "）"), None
        if label == "assessments.cycle":
            name = snap.get("name")
            return (f"考核周期「{name}」" if name else f"考核周期 #{d.pk}"), int(d.pk)
        if label in ("assessments.responsibilityletter", "assessments.importedvalue"):
            cycle_pk = snap.get("cycle_id")
            where = f"{self.unit(snap.get('unit_id'))} · {self.cycle_name(cycle_pk)}"
            if label == "assessments.importedvalue":
                return f"{where} · {what}{self.input_name(cycle_pk, str(snap.get('input_id')))}", cycle_pk
            return f"{where} · {what}", cycle_pk
        if label in ("assessments.assessment", "assessments.result"):
            where, cycle_pk = self.assessment(d.pk if label == "assessments.assessment" else snap.get("assessment_id"))
            return f"{where} · {what}", cycle_pk
        if label == "assessments.selfevaluation":
            where, cycle_pk = self.assessment(snap.get("assessment_id"))
            return f"{where} · 指标 {snap.get('indicator_id')}「{snap.get('indicator_name')}」的自评", cycle_pk
        if label == "assessments.verification":
            where, cycle_pk = self.item(snap.get("item_id"))
            return f"{where}的核实", cycle_pk
        if label == "assessments.evidence":
            where, cycle_pk = self.item(snap.get("item_id"))
            return f"{where} · 佐证材料「{snap.get('original_name')}」", cycle_pk
        if label == "assessments.appeal":
            where, cycle_pk = self.assessment(snap.get("assessment_id"))
            return f"{where} · 申诉 #{d.pk}", cycle_pk
        if label == "assessments.appealevidence":
            return f"申诉 #{snap.get('appeal_id')} · 申诉材料「{snap.get('original_name')}」", None
        if label == "notifications.notification":
            return f"通知 #{d.pk}（{self.user(snap.get('recipient_id'))}：「{snap.get('title')}」）", None
        if label == "reports.documentsettings":
            return f"{self.cycle_name(snap.get('cycle_id'))}的公文设置", snap.get("cycle_id")
        if label.startswith("ledgers."):  # the registers (kaohe.ledgers): unit · register「row id」
            if label == "ledgers.rectificationreport":
                return f"督察整改问题 #{snap.get('problem_id')} · {what} #{d.pk}", None
            key = next((snap[k] for k in ("problem_id", "case_id", "notice_id", "incident_id") if snap.get(k)), d.pk)
            return f"{self.unit(snap.get('unit_id'))} · {what}「{key}」", None
        if label == "assessments.itemcomment":
            where, cycle_pk = self.item(snap.get("item_id"))
            return f"{where} · 留言 #{d.pk}", cycle_pk
        return f"{what} #{d.pk}", None

    # --- values
    def value(self, label: str, name: str, value: Any) -> str:
        if value is None or value == "" or value == [] or value == {}:
            return NOTHING
        if isinstance(value, bool):
            return "是" if value else "否"
        model_field = _field(label, name)
        choices = getattr(model_field, "choices", None)
        if choices and not isinstance(value, dict | list):
            return str(dict(choices).get(value, value))
        if name in ("user_id", "verifier_id", "author_id") or name.endswith("by_id"):
            return self.user(value)
        if name in ("unit_id", "parent_id"):
            return self.unit(value)
        if name == "cycle_id":
            return self.cycle_name(value)
        if isinstance(value, dict | list):
            text = json.dumps(value, ensure_ascii=False)
            return text if len(text) <= 120 else text[:117] + "…"
        return str(value)

    def changes(self, d: Discrepancy, cycle_pk: Any) -> list[str]:
        out = []
        for change in d.changes:
            name = field_name(d.label, change.name)
            if change.name == "password":
                out.append(f"{name}已被更改（与最后一次审计记录不符）")
                continue
            if isinstance(change.logged, dict) and isinstance(change.current, dict):
                for key in sorted(set(change.logged) | set(change.current)):
                    old, new = change.logged.get(key), change.current.get(key)
                    if json.dumps(old) == json.dumps(new):
                        continue
                    if change.name in INPUT_KEYED:
                        what = f"{name}{self.input_name(cycle_pk, key)}"
                    elif change.name == "scores":
                        what = f"{name} · {self.indicator_name(cycle_pk, key)}"
                    else:
                        what = f"{name}「{key}」"
                    out.append(f"{what} 记录为 {self.value(d.label, key, old)}，现为 {self.value(d.label, key, new)}")
                continue
            old_text = self.value(d.label, change.name, change.logged)
            new_text = self.value(d.label, change.name, change.current)
            out.append(f"{name} 记录为 {old_text}，现为 {new_text}")
        return out

    def sentence(self, d: Discrepancy) -> str:
        subject, cycle_pk = self.subject(d)
        where = f"（审计记录 #{d.seq}）" if d.seq else ""
        if d.kind == "deleted":
            return f"{subject}：已被删除，审计日志中没有删除记录{where}"
        if d.kind == "unlogged":
            if d.seq:
                return f"{subject}：审计日志记录它已被删除{where}，数据库中却仍有此行"
            return f"{subject}：没有任何审计记录（未经系统操作写入）"
        return f"{subject}：{'；'.join(self.changes(d, cycle_pk))}{where}"


# ------------------------------------------------------------------------------------------------ everything
@dataclass
class Report:
    chain: ChainReport
    rows: int
    files: int
    problems: list[str]
    scheme_files: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def entries(self) -> int:
        return self.chain.entries

    def summary(self) -> str:
        if self.ok:
            return (
                f"审计校验通过：审计记录 {self.entries} 条（密钥签名与哈希链完整），数据 {self.rows} 行与日志一致，"
                f"佐证文件 {self.files} 个与方案文件 {self.scheme_files} 个完整"
            )
        return (
            f"审计校验发现 {len(self.problems)} 处问题（审计记录 {self.entries} 条，数据 {self.rows} 行，"
            f"佐证文件 {self.files} 个，方案文件 {self.scheme_files} 个）"
        )


def verify_all() -> Report:
    """The chain, the data and the evidence files; every problem as one line in words. The log and the rows are
    read as of one moment, so a write committed while verify runs (its entry read, its row not yet) is not a
    discrepancy; inside a transaction the caller opened (the tests), verify reads in that one."""
    with consistent_read(join_open_transaction=True):
        return _verify_all()


def _verify_all() -> Report:
    replay = Replay()
    chain = verify_chain(on_entry=replay.feed)
    rows, discrepancies = replay.compare()
    files, evidence_problems = verify_evidence()
    for more_files, more_problems in (verify_appeal_files(), verify_report_files()):
        files += more_files
        evidence_problems += more_problems
    scheme_files, scheme_problems = verify_scheme_files()
    problems = [p.message for p in chain.problems]
    if chain.entries == 0 and chain.head_seq == 0:
        if rows or files:
            problems.append(
                f"审计日志为空，但数据库中有 {rows} 行考核数据和 {files} 个佐证文件：这些数据没有任何审计记录"
            )
        return Report(chain, rows, files, problems, scheme_files)
    words = Words()
    problems.extend(words.sentence(d) for d in discrepancies)
    problems.extend(p.message for p in evidence_problems)
    problems.extend(scheme_problems)
    return Report(chain, rows, files, problems, scheme_files)
