"""Issue 10 §2 "Words, not codes": rule ids, sequence ids, input ids, version strings and raw JSON never reach the
visible text of the main pages, in any state of the cycle, for the office, a unit and a verifier (ids inside URLs
and attributes are fine: only the text between tags is read)."""

from __future__ import annotations

import html as html_lib
import re

from django.urls import reverse

from kaohe.assessments import actions
from tests.world import World

# the web-test scheme's ids (tests/data/web_scheme.yaml): a rule, the sequences, the inputs; then "v2" and JSON
CODES = [
    r"\bR2\b",
    r"\bcity\b",
    r"\bcounty\b",
    r"\bwater_months\b",
    r"\bgood_days(_target)?\b",
    r"\btasks_done\b",
    r"\bawards\b",
    r"\bincidents\b",
    r"\bmajor_incident\b",
    r"\bv\d+\b",
    r"\{\"",
    r"\bweb-test\b",
]


def visible(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page))


def pages(world: World) -> dict[str, list[str]]:
    cycle, a = world.cycle.pk, world.assessment("A")
    item = world.item("A", "2")
    unit = [reverse("assessment_detail", args=[a.pk]), reverse("item_history", args=[item.pk])]
    office = [
        reverse("cycle_dashboard", args=[cycle]),
        reverse("cycle_scheme", args=[cycle]),
        reverse("cycle_approval", args=[cycle]),
        *unit,
    ]
    verifier = [reverse("cycle_verification", args=[cycle]), reverse("item_verify", args=[item.pk]), *unit]
    if hasattr(a, "result"):
        unit.append(reverse("assessment_result", args=[a.pk]))
    return {"alice": office, "fay": unit, "vera": verifier}


def leaks(world: World, state: str) -> list[str]:
    found = []
    for who, urls in pages(world).items():
        client = world.client(who)
        for url in urls:
            response = client.get(url)
            if response.status_code >= 500 or response.status_code in (301, 302):
                found.append(f"{state} {who} {url}: HTTP {response.status_code}")
                continue
            text = visible(response.content.decode())
            found += [f"{state} {who} {url}: {code}" for code in CODES if re.search(code, text)]
    return found


def test_no_code_reaches_the_visible_text_of_the_main_pages_in_any_state(world: World) -> None:
    found = leaks(world, "draft")
    world.fill("A")
    world.submit("A")
    found += leaks(world, "submitted")
    world.verify_all("A")
    for unit in ("B", "C"):
        world.fill(unit)
        world.submit(unit)
        world.verify_all(unit)
    found += leaks(world, "verified")
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    found += leaks(world, "evaluated")
    actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    found += leaks(world, "approved")
    actions.check_publish_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    found += leaks(world, "published")
    assert found == [], "\n".join(found)
