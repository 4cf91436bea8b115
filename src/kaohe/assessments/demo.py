"""The demo province: master data, people and three cycles at different stages, built through actions.

示范省 has 9 cities, 1 management area and 63 counties (fictional names; the numbers are synthetic). Cities and the
area are ranked in one sequence, counties in another. The cycles use the built-in scheme ``jilin-2021-2025``
(seed 001) with the demo's two ranking sequences added — an uploaded scheme file, as an office would upload its
own yearly detailed rules:

    2021  published   (history for the three-year rule and the public 通报 page)
    2022  evaluated   (waiting for the approver)
    2023  in progress (units at every stage: draft, returned, submitted, verifying, verified)

The four registers (督察整改, 信访/12369, 通报·督办·批示, 突发环境事件: ``demo_registers.py``) hold a few hundred
rows for those years and the current one, imported by the office; each cycle takes its register counts from them
through the 台账数据 pull (``kaohe.ledgers.pull``): the letters state the tasks due as the register counts them, the
units report from their registers (a few claim one task more), and the verifiers keep the registers' count.

Every person's password is ``demo``. ``office`` is an ordinary office member; ``admin`` is a separate superuser
for the Django admin only (no workflow role); ``leader`` approves what ``office`` evaluates. Nothing here is real
data.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from kaohe.assessments import actions, schemes
from kaohe.assessments.demo_registers import load_demo_registers
from kaohe.assessments.models import Cycle, Membership, SelfEvaluation, Unit
from kaohe.core import InputDef, Scheme
from kaohe.ledgers.pull import do_pull_registers, plan_pull
from kaohe.maps.actions import check_upload_area_map

BASE_SCHEME = "jilin-2021-2025"
PASSWORD = "demo"
CITIES = ["东山市", "西岭市", "南湖市", "北原市", "青河市", "白石市", "金川市", "玉泉市", "龙湾市"]
AREA = "翠峰山管理区"
DEMO_VETO_CONSEQUENCE = "不得评为先进单位，不予通报表扬；党政主要领导、分管领导年度考核不得评优（第九条（三））"
DEMO_MAP = Path(__file__).resolve().parents[1] / "data" / "demo" / "demo_area.geojson"
COUNTY_STEMS = (
    "安宁 丰和 永兴 昌平 泰和 福顺 康乐 嘉禾 瑞安 宝山 临江 清源 长青 松涛 柳河 桃源 梅林 兰溪 竹溪 荷塘 石门".split()
)


ADMIN_LABEL = "系统管理员 (superuser: Django admin only, no workflow role)"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    where: str


def demo_scheme_yaml() -> str:
    """The built-in scheme with the demo's two sequences and S2-style 先进/约谈 ranking rules."""
    data = yaml.safe_load(Path(schemes.load(BASE_SCHEME).file).read_text(encoding="utf-8"))
    data["id"] = "demo-province"
    data["name"] = f"{data['name']}（示范省）"
    data["sequences"] = [{"id": "city", "name": "市(州)和管理区"}, {"id": "county", "name": "县(市、区)"}]
    data["ranking"] = {"advanced": {"share": 0.3333333333}, "interview": {"bottom": 3}, "accountability": {"years": 3}}
    # With S2's ranking goes S2's one-vote veto consequence (seed 002 第九条(三): 辖区内发生重大及以上突发环境事故 ⇒
    # 不得评为先进单位…), recorded on the result of a unit whose 特别重大 incident vetoes it.
    for rule in data.get("special", {}).get("veto", []):
        rule["consequence"] = DEMO_VETO_CONSEQUENCE
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


class Synth:
    """Plausible values per input, from the input's unit, range and whether a target goes with it."""

    def __init__(self, scheme: Scheme, rng: random.Random) -> None:
        self.scheme = scheme
        self.rng = rng
        self.targets = {i.id: i for i in schemes.target_inputs(scheme)}

    def _lower_is_better(self, inp: InputDef) -> bool:
        text = f"{inp.id}{inp.name}{inp.unit}"
        return any(w in text for w in ("µg", "mg", "pm", "heavy", "inferior", "劣", "Ⅴ类", "重度"))

    def target(self, inp: InputDef, unit_scale: float) -> float | None:
        r = self.rng
        if inp.kind == "integer":
            return r.randint(5, 30)
        if inp.kind != "number":
            return None
        if "strive" in inp.id:
            return None  # set from the matching ensure value below
        if inp.unit == "%":
            base = 2.0 if self._lower_is_better(inp) else r.uniform(70, 88)
            return round(base, 1)
        if "µg" in inp.unit:
            return round(r.uniform(28, 40), 1)
        return round(r.uniform(500, 5000) * unit_scale, 0)

    def letter(self, unit_scale: float) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        for inp in self.targets.values():
            out[inp.id] = self.target(inp, unit_scale)
        for inp in self.targets.values():
            if "strive" in inp.id:
                ensure = out.get(inp.id.replace("strive", "ensure"))
                if ensure is not None:
                    better = -3 if self._lower_is_better(inp) else 3
                    out[inp.id] = round(min(max(ensure + better, inp.min or 0), inp.max or 1e9), 1)
        return out

    def _matching_target(self, inp: InputDef, letter: Mapping[str, float | None]) -> float | None:
        for suffix in ("_target", "_ensure", "_due", "_planned"):
            if inp.id + suffix in letter:
                return letter[inp.id + suffix]
        stem = inp.id.rsplit("_", 1)[0]
        for key in (f"{stem}_due", f"{stem}_planned"):
            if key in letter:
                return letter[key]
        return None

    def value(self, inp: InputDef, letter: Mapping[str, float | None], quality: float) -> float | bool | None:
        """``quality`` in [0, 1]: how well this unit does this year."""
        r = self.rng
        target = self._matching_target(inp, letter)
        low, high = inp.min if inp.min is not None else 0.0, inp.max if inp.max is not None else 1e9
        if inp.kind == "boolean":
            bad = any(w in f"{inp.id}{inp.name}" for w in ("incident", "missed", "事件", "未完成"))
            return (r.random() < 0.04) if bad else (r.random() < 0.55 + 0.45 * quality)
        if inp.kind in ("category", "list"):
            return None
        if inp.kind == "integer":
            if target is not None:
                return max(0, int(target) - (0 if r.random() < quality else r.randint(1, 3)))
            if high <= 20:
                return r.choice([0, 0, 0, 1, 1, 2])
            return r.randint(80, 400)
        if target is not None:
            spread = (quality - 0.6) * 0.12 + r.uniform(-0.03, 0.03)
            factor = 1 - spread if self._lower_is_better(inp) else 1 + spread
            return round(min(max(target * factor, low), high), 1)
        if high <= 10:
            return round(high * (0.55 + 0.45 * quality), 1)
        if inp.unit == "%":
            if low < 0:
                return round(r.uniform(-5, 15), 1)
            return round(min(high, 60 + 38 * quality + r.uniform(-3, 3)), 1)
        return round(r.uniform(55, 80), 1)


def _units(office: User, cities: int, counties_per_city: int) -> list[Unit]:
    units = []
    for i, name in enumerate(CITIES[:cities]):
        units.append(
            actions.do_create_unit(code=f"9{i + 1:02d}00", name=name, type="city", sequence="city", acting_user=office)
        )
    units.append(actions.do_create_unit(code="91000", name=AREA, type="area", sequence="city", acting_user=office))
    stems = iter(COUNTY_STEMS * 3)
    suffixes = ["县", "市", "区"]
    for i, city in enumerate(units[:cities]):
        for j in range(counties_per_city):
            stem = next(stems)
            name = f"{stem}{suffixes[(i + j) % 3]}" if i < 3 else f"{city.name[:2]}{stem}{suffixes[(i + j) % 3]}"
            units.append(
                actions.do_create_unit(
                    code=f"9{i + 1:02d}{j + 1:02d}",
                    name=name,
                    type="county",
                    sequence="county",
                    parent=city,
                    acting_user=office,
                )
            )
    return units


def _upload_demo_map(units: list[Unit], office: User) -> None:
    """The synthetic map (a grid of squares: each city in the middle of its counties), cut to the units built, as
    the office would upload it."""
    data = json.loads(DEMO_MAP.read_text(encoding="utf-8"))
    codes = {u.code for u in units}
    data["features"] = [f for f in data["features"] if f["properties"]["code"] in codes]
    raw = json.dumps(data, ensure_ascii=False).encode()
    check_upload_area_map(raw=raw, file_name=DEMO_MAP.name, code_property="code", acting_user=office)


def _person(username: str, first_name: str, hashed: str) -> User:
    return User.objects.create(username=username, first_name=first_name, password=hashed)


def _fill(
    item: SelfEvaluation,
    synth: Synth,
    scheme: Scheme,
    letter: Mapping[str, float | None],
    quality: float,
    who: User,
    reported: Mapping[str, Any],
) -> None:
    """``reported``: the values the unit takes from its registers (input id → value)."""
    raw = {
        k: reported[k] if k in reported else synth.value(schemes.input_def(scheme, k), letter, quality)
        for k in item.values
    }
    actions.check_save_self_evaluation(
        item=item,
        raw_values=raw,
        self_score=None,
        explanation="按年度目标责任书完成情况自评。",
        version=item.version,
        acting_user=who,
    )


def load_demo(
    *, seed: int = 2023, cities: int = 9, counties_per_city: int = 7, today: dt.date | None = None
) -> list[DemoLogin]:
    """Build the demo in an empty database (refuses if units exist) and return the logins to print.
    The tests build a smaller province with the same code.

    Deadlines fit each cycle's state: the finished cycles' fell in the spring after their year; the cycle in
    progress is dated from ``today`` (the day the demo is loaded): its self-evaluation deadline passed a few days
    ago, so the units still filling in are 逾期 (theirs to submit), while verification and evaluation are due in
    the coming weeks and nobody else is late."""
    today = today or timezone.localdate()
    if Unit.objects.exists():
        raise actions.ActionError("数据库中已有单位，示范数据只能载入空数据库")
    rng = random.Random(seed)
    hashed = make_password(PASSWORD)
    with transaction.atomic():
        # The system administrator: a superuser for the Django admin only (it holds no role, so the workflow's
        # screens refuse it); it grants the roles an office member may not (考核办, 领导审定, 牵头单位核实人).
        admin = _person("admin", "系统管理员", hashed)
        admin.is_superuser = admin.is_staff = True
        admin.save(update_fields=["is_superuser", "is_staff"])
        # The office is an ordinary office member, as do_add_membership makes one; the approver is another person
        # (separation of duties: who evaluates does not approve).
        office = _person("office", "考核办 王主任", hashed)
        actions.do_add_membership(user=office, role=Membership.Role.OFFICE, acting_user=admin)
        leader = _person("leader", "分管副省长", hashed)
        actions.do_add_membership(user=leader, role=Membership.Role.APPROVER, acting_user=admin)
        units = _units(office, cities, counties_per_city)
        _upload_demo_map(units, office)
        scheme_text = demo_scheme_yaml()
        scheme = schemes.load(BASE_SCHEME)
        leads = sorted(
            {spec.lead_unit for seq in scheme.sequence_ids() for spec in schemes.items_for(scheme, seq)}
            - {schemes.OFFICE_LEAD}
        )
        verifiers = []
        for n, lead in enumerate(leads or ["省生态环境厅"], start=1):
            v = _person("verifier" if n == 1 else f"verifier{n}", f"{lead} 核实员", hashed)
            actions.do_add_membership(user=v, role=Membership.Role.VERIFIER, lead_unit=lead, acting_user=admin)
            verifiers.append((lead, v))
        fillers: dict[int, User] = {}
        heads: dict[int, User] = {}
        for unit in units:
            fillers[unit.pk] = _person(f"u{unit.code}", f"{unit.name} 填报员", hashed)
            heads[unit.pk] = _person(f"h{unit.code}", f"{unit.name} 负责人", hashed)
            actions.do_add_membership(user=fillers[unit.pk], role=Membership.Role.FILLER, unit=unit, acting_user=office)
            actions.do_add_membership(user=heads[unit.pk], role=Membership.Role.HEAD, unit=unit, acting_user=office)
        verifier_for = dict(verifiers)
        talent = {u.pk: rng.uniform(0.2, 1.0) for u in units}
        # the registers, from their own seed: the cycles' other values stay what they were before there were any
        load_demo_registers(units, [2021, 2022, 2023], random.Random(seed + 12), talent, today, office, fillers)

        def run_cycle(year: int, stage: str) -> Cycle:
            if stage == "mixed":
                deadlines = (today - dt.timedelta(days=3), today + dt.timedelta(days=25), today + dt.timedelta(days=55))
            else:
                deadlines = (dt.date(year + 1, 2, 28), dt.date(year + 1, 3, 31), dt.date(year + 1, 4, 30))
            cycle = actions.do_open_cycle(
                name=f"{year}年度政府生态环境保护目标责任制考核",
                year=year,
                scheme_id="",
                units=units,
                scheme_file=ContentFile(scheme_text.encode(), name=f"demo-province-{year}.yaml"),
                self_evaluation_deadline=deadlines[0],
                verification_deadline=deadlines[1],
                evaluation_deadline=deadlines[2],
                acting_user=office,
            )
            cycle_scheme = schemes.load(cycle.scheme_ref)
            synth = Synth(cycle_scheme, rng)
            # 台账数据: what the registers give each unit this year (the letters state the tasks due as counted)
            plan = plan_pull(cycle)
            counted: dict[int, dict[str, Any]] = {}
            for line in plan.lines:
                counted.setdefault(line.unit.pk, {})[line.spec.id] = line.derived
            letters = {}
            for letter in cycle.letters.select_related("unit"):
                scale = 0.3 if letter.unit.type == "county" else 1.0
                targets = synth.letter(scale)
                targets.update({k: v for k, v in counted[letter.unit_id].items() if k in targets})
                actions.do_issue_letter(letter=letter, targets=targets, acting_user=office)
                letters[letter.unit_id] = targets
            # Monitoring-derived air inputs for every unit (what kaohe.monitoring would compute).
            # Register inputs (source: register.…, issue 12) are not monitoring values: left to the office as before.
            monitored = [
                i for i in cycle_scheme.inputs if (getattr(i, "source", None) or "").startswith(("air.", "water."))
            ]
            rows = [
                {"unit_id": u.code, **{i.id: synth.value(i, letters[u.pk], talent[u.pk]) for i in monitored}}
                for u in units
            ]
            actions.do_import_monitoring_values(
                cycle=cycle, rows=rows, source="示范空气质量监测数据", acting_user=office
            )
            do_pull_registers(cycle=cycle, fingerprint=plan.fingerprint, acting_user=office)
            # Inputs only the special rules read that no register holds (a 特别重大生态破坏事件 …) are the office's
            # finding: none this year. The year's 特别重大 incident is in the incidents register (pulled above).
            special = [
                i
                for i in cycle_scheme.inputs
                if i.indicator is None
                and not getattr(i, "target", False)
                and not (i.source or "").startswith("register.")
            ]
            findings = [
                {"unit_id": u.code, **{i.id: False if i.kind == "boolean" else None for i in special}} for u in units
            ]
            actions.do_import_monitoring_values(
                cycle=cycle, rows=findings, source="考核办认定（事件台账）", acting_user=office
            )
            for n, assessment in enumerate(cycle.assessments.select_related("unit").order_by("unit__code")):
                unit = assessment.unit
                quality = min(1.0, max(0.0, talent[unit.pk] + rng.uniform(-0.15, 0.15)))
                share = n / len(units)
                target_stage = (
                    stage
                    if stage != "mixed"
                    else (
                        "draft"
                        if share < 0.12
                        else "returned"
                        if share < 0.2
                        else "submitted"
                        if share < 0.45
                        else "verifying"
                        if share < 0.6
                        else "verified"
                    )
                )
                items = list(assessment.items.all())
                to_fill = items if target_stage != "draft" else items[: len(items) // 2]
                registers = counted[unit.pk]
                reported = dict(registers)
                if "rect_done" in reported and rng.random() < 0.15:
                    reported["rect_done"] += 1  # a unit that counts one task more than its register does
                for item in to_fill:
                    _fill(item, synth, cycle_scheme, letters[unit.pk], quality, fillers[unit.pk], reported)
                if target_stage == "draft":
                    continue
                actions.check_submit(assessment=assessment, acting_user=heads[unit.pk])
                assessment.refresh_from_db()  # the action moved the state on a locked copy
                items = list(assessment.items.all())
                if target_stage == "submitted":
                    continue
                done = items if target_stage in ("verified", "evaluated", "published") else items[: len(items) // 2]
                for i, item in enumerate(done):
                    verifier = verifier_for.get(item.lead_unit) or office
                    values = dict(item.values)
                    reason = ""
                    if i == 0 and rng.random() < 0.3:
                        key = next(iter(values))
                        if isinstance(values[key], float):
                            values[key] = round(values[key] * 0.97, 1)
                            reason = "与省级监测数据核对后核减"
                    kept = {k: registers[k] for k in values if k in registers}
                    if any(values[k] != v for k, v in kept.items()):
                        values.update(kept)  # the verifier keeps the registers' count (the item page's link)
                        reason = "以台账数据为准"
                    actions.check_verify_item(
                        item=item,
                        raw_values=values,
                        score=None,
                        reason=reason,
                        version=item.version,
                        acting_user=verifier,
                    )
                if target_stage == "returned":
                    pending = assessment.items.exclude(status__in=["accepted", "changed"]).first()
                    if pending is not None:
                        verifier = verifier_for.get(pending.lead_unit) or office
                        actions.check_return_item(
                            item=pending,
                            comment="佐证材料不全，请补充监测报告原件。",
                            version=pending.version,
                            acting_user=verifier,
                        )
            if stage in ("evaluated", "published"):
                actions.check_evaluate_cycle(cycle=cycle, acting_user=office)
            if stage == "published":
                actions.check_approve_cycle(cycle=cycle, acting_user=leader)
                actions.check_publish_cycle(cycle=cycle, acting_user=office)
            return cycle

        run_cycle(2021, "published")
        run_cycle(2022, "evaluated")
        run_cycle(2023, "mixed")

    return demo_logins()


def demo_logins() -> list[DemoLogin]:
    """One login per role (and a city's and a county's unit people), read from the database."""
    out: list[DemoLogin] = []
    memberships = Membership.objects.select_related("user", "unit").order_by("role", "unit__code", "user__username")
    labels = {
        Membership.Role.OFFICE: "考核办 (office; Django admin for units and unit accounts)",
        Membership.Role.APPROVER: "领导 (approver)",
        Membership.Role.VERIFIER: "牵头单位核实人 (verifier)",
        Membership.Role.FILLER: "单位填报人 (filler)",
        Membership.Role.HEAD: "单位负责人 (head)",
    }
    shown_units: set[tuple[str, str]] = set()
    for m in memberships:
        if m.unit is not None:
            # one city and one county are enough to show the pattern (u<code> / h<code>)
            key = (m.role, m.unit.type if m.unit.type in ("city", "county") else "other")
            if key in shown_units or key[1] == "other":
                continue
            shown_units.add(key)
        where = m.unit.name if m.unit else (m.lead_unit or "全省")
        out.append(DemoLogin(m.user.get_username(), labels[Membership.Role(m.role)], where))
    order = [
        Membership.Role.OFFICE,
        Membership.Role.APPROVER,
        Membership.Role.VERIFIER,
        Membership.Role.FILLER,
        Membership.Role.HEAD,
    ]
    labels_order = {labels[r]: i for i, r in enumerate(order)}
    people = sorted(out, key=lambda login: labels_order[login.role])
    admins = [
        DemoLogin(u.get_username(), ADMIN_LABEL, "Django admin")
        for u in User.objects.filter(is_superuser=True, memberships__isnull=True).order_by("username")
    ]
    return people + admins
