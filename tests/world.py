"""Shared fixtures of the Django tests (assessments, audit, reports, cli, web; registered by tests/conftest.py):
one small province built through actions, with named people.

    alice  考核办 (office)              sees and manages everything
    linda  领导 (approver)              sees everything, approves or sends back
    fay    filler of 甲市 (city A)       fills A's items; sees only A
    hank   head of 甲市                  fills and submits A
    bob    filler of 乙市 (city B)       "should have no access" to anything of A
    vera   verifier for 生态环境局         verifies indicators 2, B1 and D1 of every unit, once submitted
    walt   verifier for 水利局             verifies indicator 1 of every unit, once submitted
    anon   the public                   published results only
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import Client

from kaohe.assessments import actions
from kaohe.assessments.models import Assessment, Cycle, Membership, SelfEvaluation, Unit

SCHEME_YAML = (Path(__file__).parent / "data" / "web_scheme.yaml").read_text(encoding="utf-8")

# A fixed audit key for every web test (kaohe.audit.keys reads the environment first): the tests never read or
# create the developer's var/audit.key, not even when the test database is migrated. Key tests override it.
TEST_AUDIT_KEY = "kaohe-test-audit-key-0123456789abcdef0123456789abcdef"
os.environ["KAOHE_AUDIT_KEY"] = TEST_AUDIT_KEY
os.environ.pop("KAOHE_AUDIT_OLD_KEYS", None)
ROLES = ["anon", "alice", "linda", "fay", "hank", "bob", "vera", "walt"]

# Values per input that make a complete, plausible self-evaluation.
GOOD_VALUES: dict[str, Any] = {
    "water_months": 1,
    "good_days": 86.5,
    "tasks_done": True,
    "awards": 1,
    "incidents": 0,
}


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings: Any, tmp_path: Path) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    # The file caches (sessions, work pages) in the test's own folder, as files still: not ./var/cache of the checkout,
    # where every test's sessions piled up and each session saved listed the whole folder (Django's cull)
    settings.CACHES = {
        **settings.CACHES,
        **{
            alias: {**settings.CACHES[alias], "LOCATION": str(tmp_path / "cache" / alias)}
            for alias in ("pages", "sessions")
        },
    }


@dataclass
class World:
    units: dict[str, Unit]
    people: dict[str, User]
    cycle: Cycle

    def assessment(self, unit: str) -> Assessment:
        return Assessment.objects.get(cycle=self.cycle, unit=self.units[unit])

    def item(self, unit: str, indicator_id: str) -> SelfEvaluation:
        return SelfEvaluation.objects.select_related("assessment__cycle", "assessment__unit").get(
            assessment__cycle=self.cycle, assessment__unit=self.units[unit], indicator_id=indicator_id
        )

    def client(self, who: str) -> Client:
        client = Client()
        if who != "anon":
            client.force_login(self.people[who])
        return client

    def fill(self, unit: str, values: dict[str, Any] | None = None, who: str = "fay") -> None:
        person = self.people[who if unit == "A" else {"B": "bob", "C": "carl"}[unit]]
        for item in self.assessment(unit).items.all():
            raw = {k: (values or GOOD_VALUES).get(k) for k in item.values}
            actions.check_save_self_evaluation(
                item=item, raw_values=raw, self_score=None, explanation="", version=item.version, acting_user=person
            )

    def submit(self, unit: str) -> None:
        head = {"A": "hank", "B": "bert", "C": "cora"}[unit]
        actions.check_submit(assessment=self.assessment(unit), acting_user=self.people[head])

    def verify_all(self, unit: str) -> None:
        for item in self.assessment(unit).items.all():
            verifier = self.people[
                "walt" if item.lead_unit == "水利局" else "vera" if item.lead_unit == "生态环境局" else "dora"
            ]
            actions.check_verify_item(
                item=item, raw_values=item.values, score=None, reason="", version=item.version, acting_user=verifier
            )

    def through_verified(self) -> None:
        for unit in ("A", "B", "C"):
            self.fill(unit)
            self.submit(unit)
            self.verify_all(unit)


def build_world() -> World:
    office = User.objects.create_user("alice", password="pw", first_name="Alice")
    units = {
        "A": actions.do_create_unit(code="220100", name="甲市", type="city", sequence="city", acting_user=office),
        "B": actions.do_create_unit(code="220200", name="乙市", type="city", sequence="city", acting_user=office),
        "C": actions.do_create_unit(code="220281", name="丙县", type="county", sequence="county", acting_user=office),
    }
    people = {"alice": office}
    specs: list[tuple[str, str, str | None, str]] = [
        ("alice", Membership.Role.OFFICE, None, ""),
        ("linda", Membership.Role.APPROVER, None, ""),
        ("fay", Membership.Role.FILLER, "A", ""),
        ("hank", Membership.Role.HEAD, "A", ""),
        ("bob", Membership.Role.FILLER, "B", ""),
        ("bert", Membership.Role.HEAD, "B", ""),
        ("carl", Membership.Role.FILLER, "C", ""),
        ("cora", Membership.Role.HEAD, "C", ""),
        ("vera", Membership.Role.VERIFIER, None, "生态环境局"),
        ("walt", Membership.Role.VERIFIER, None, "水利局"),
        ("dora", Membership.Role.VERIFIER, None, "发展改革委"),
    ]
    for username, role, unit, lead in specs:
        user = people.get(username) or User.objects.create_user(username, password="pw")
        people[username] = user
        actions.do_add_membership(
            user=user, role=role, unit=units[unit] if unit else None, lead_unit=lead, acting_user=office
        )
    cycle = actions.do_open_cycle(
        name="2024年度考核",
        year=2024,
        scheme_id="",
        units=units.values(),
        scheme_file=ContentFile(SCHEME_YAML.encode(), name="web_scheme.yaml"),
        acting_user=office,
    )
    for letter in cycle.letters.all():
        actions.check_issue_letter(letter=letter, raw={"good_days_target": "85"}, acting_user=office)
    return World(units=units, people=people, cycle=cycle)


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


# --- browser tests (tests/web/test_browser.py) -------------------------------------------------------------------
# Playwright's sync API runs an event loop in the test thread, which makes Django refuse ORM calls there otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """The public notice and result explanations are cached by cycle and row; ids repeat between tests."""
    cache.clear()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's chromium: Playwright's own browser download cannot work offline."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }
