"""What each screen shows to whom, beyond the status codes of the permission matrix."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.core.files.base import ContentFile

from kaohe.assessments import actions
from kaohe.assessments.models import Result
from tests.world import SCHEME_YAML, World


def publish(world: World) -> None:
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    actions.check_publish_cycle(cycle=world.cycle, acting_user=world.people["alice"])


def test_the_public_sees_the_ranking_once_published(world: World) -> None:
    url = f"/public/{world.cycle.pk}/"
    assert world.client("anon").get(url).status_code == 302
    publish(world)
    page = world.client("anon").get(url).content.decode()
    for text in ("甲市", "乙市", "丙县", "优秀", "先进单位", "约谈单位"):
        assert text in page
    assert world.cycle.name in world.client("anon").get("/public/").content.decode()


def test_the_result_page_explains_every_point(world: World) -> None:
    publish(world)
    a = world.assessment("A")
    page = world.client("anon").get(f"/assessments/{a.pk}/result/").content.decode()
    assert "断面不达标" in page  # the engine's explain() line for indicator 1
    assert "97.00" in page


def test_a_unit_never_sees_another_units_draft(world: World) -> None:
    world.fill("A")
    page = world.client("bob").get("/cycles/").content.decode()
    assert "甲市" not in page
    a = world.assessment("A")
    assert world.client("bob").get(f"/assessments/{a.pk}/").status_code == 403


def test_the_form_saves_and_bumps_the_version(world: World) -> None:
    item = world.item("A", "1")
    response = world.client("fay").post(
        f"/items/{item.pk}/",
        {"version": item.version, "v_water_months": "3", "self_score": "25", "explanation": "三个月超标"},
    )
    assert response.status_code == 302
    item = world.item("A", "1")
    assert (item.values, item.version, str(item.self_score)) == ({"water_months": 3}, 2, "25.00")


def test_the_form_shows_a_bad_value_without_losing_input(world: World) -> None:
    item = world.item("A", "1")
    response = world.client("fay").post(
        f"/items/{item.pk}/", {"version": item.version, "v_water_months": "-1", "explanation": "草稿"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "-1 超出范围，应为 0–120 的整数" in page and "草稿" in page


def test_the_dashboard_marks_overdue_units(world: World) -> None:
    world.cycle.self_evaluation_deadline = dt.date(2025, 2, 28)
    world.cycle.save()
    with time_machine.travel("2025-03-05 10:00 +0800", tick=False):
        page = world.client("alice").get(f"/cycles/{world.cycle.pk}/").content.decode()
        assert page.count('<span class="overdue">') == 3
        assert world.assessment("A").is_overdue()
    with time_machine.travel("2025-02-20 10:00 +0800", tick=False):
        assert not world.assessment("A").is_overdue()


def test_the_dashboard_has_charts_after_evaluation(world: World) -> None:
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    page = world.client("linda").get(f"/cycles/{world.cycle.pk}/").content.decode()
    assert "/static/vendor/echarts.min.js" in page and 'id="chart-heatmap"' in page and '"heatmap"' in page


def test_verifiers_see_no_results_on_the_dashboard_before_publication(world: World) -> None:
    """Like the result pages and the API: before the 通报 only the office and the approver see scores."""
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    page = world.client("vera").get(f"/cycles/{world.cycle.pk}/").content.decode()
    assert '"ranking"' not in page and '"heatmap"' not in page and '"distribution"' not in page
    assert "甲市" in page  # the progress table stays
    actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    actions.check_publish_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    assert '"ranking"' in world.client("vera").get(f"/cycles/{world.cycle.pk}/").content.decode()


def test_the_verifier_screen_lists_only_led_indicators(world: World) -> None:
    world.fill("A")
    world.submit("A")
    page = world.client("walt").get(f"/cycles/{world.cycle.pk}/verify/").content.decode()
    assert "水环境质量" in page and "空气质量" not in page


def test_three_failed_years_in_a_row_start_accountability(world: World) -> None:
    """History comes from earlier cycles' results; the veto input comes from the office's import file."""
    office = world.people["alice"]
    for year in (2022, 2023):
        earlier = actions.do_open_cycle(
            name=f"{year}年度考核",
            year=year,
            scheme_id="",
            units=world.units.values(),
            acting_user=office,
            scheme_file=ContentFile(SCHEME_YAML.encode(), name="web_scheme.yaml"),
        )
        actions.do_import_monitoring_values(
            cycle=earlier, rows=[{"unit_id": "220281", "major_incident": True}], source="事件台账", acting_user=office
        )
        world.cycle, current = earlier, world.cycle
        world.through_verified()
        actions.check_evaluate_cycle(cycle=earlier, acting_user=office)
        actions.check_approve_cycle(cycle=earlier, acting_user=world.people["linda"])  # a year counts once 审定
        world.cycle = current
    actions.do_import_monitoring_values(
        cycle=world.cycle, rows=[{"unit_id": "220281", "major_incident": "是"}], source="事件台账", acting_user=office
    )
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=office)
    results = {
        r.assessment.unit.code: r for r in Result.objects.filter(cycle=world.cycle).select_related("assessment__unit")
    }
    assert results["220281"].grade == "不合格"
    assert results["220281"].accountability
    assert not results["220100"].accountability


def test_the_language_switch_offers_english(world: World) -> None:
    client = world.client("anon")
    # Chinese by default, whatever the browser asks for
    assert "考核结果通报" in client.get("/public/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/public/"})
    page = client.get("/public/").content.decode()
    assert 'lang="en"' in page and "Published assessment results" in page


def test_yes_no_values_read_as_chinese(world: World) -> None:
    world.fill("A")
    item = world.item("A", "3")
    page = world.client("fay").get(f"/assessments/{item.assessment_id}/").content.decode()
    section = page[page.index(f'id="item-{item.pk}"') :]
    assert "<td>是</td>" in section[: section.index("</table>")]


def test_the_verifier_sees_the_monitoring_value_beside_the_units(world: World) -> None:
    actions.do_import_monitoring_values(
        cycle=world.cycle,
        rows=[{"unit_id": "220100", "good_days": 79.25}],
        source="空气监测",
        acting_user=world.people["alice"],
    )
    world.fill("A")
    world.submit("A")
    page = world.client("vera").get(f"/items/{world.item('A', '2').pk}/verify/").content.decode()
    assert "监测数据" in page and "<td>86.5</td><td>79.25</td>" in page


def test_the_result_page_names_the_rules_that_fired(world: World) -> None:
    actions.do_import_monitoring_values(
        cycle=world.cycle,
        rows=[{"unit_id": "220281", "major_incident": True}],
        source="事件台账",
        acting_user=world.people["alice"],
    )
    publish(world)
    page = world.client("anon").get(f"/assessments/{world.assessment('C').pk}/result/").content.decode()
    assert "特别重大事件" in page and "不合格" in page
    assert "R2" not in re.sub(r'value="[^"]*"', "", page)  # the rule's name, never its id (not a random token's)


def test_roles_added_in_the_admin_go_through_the_action(world: World) -> None:
    from django.contrib.auth.models import User
    from django.test import Client

    from kaohe.audit.models import AuditLog

    newcomer = User.objects.create_user("nina", password="pw")
    # The office grants unit roles only; the 考核办 role is the system administrator's (a superuser) to grant.
    office = world.client("alice")
    response = office.post(
        "/admin/assessments/membership/add/", {"user": newcomer.pk, "role": "office", "lead_unit": ""}
    )
    assert response.status_code == 200 and not newcomer.memberships.exists()  # the form refuses the choice
    response = office.post(
        "/admin/assessments/membership/add/",
        {"user": newcomer.pk, "role": "filler", "unit": world.units["B"].pk, "lead_unit": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert newcomer.memberships.get().role == "filler"
    root = User.objects.create_superuser("root", password="pw")
    admin = Client()
    admin.force_login(root)
    response = admin.post(
        "/admin/assessments/membership/add/", {"user": newcomer.pk, "role": "office", "lead_unit": ""}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    newcomer.refresh_from_db()
    assert newcomer.is_staff and newcomer.groups.filter(name="考核办").exists()
    assert AuditLog.objects.filter(action="membership.add", new_value__contains='"nina"').count() == 2


def test_the_unit_sees_its_targets_beside_the_item(world: World) -> None:
    item = world.item("A", "2")
    page = world.client("fay").get(f"/assessments/{item.assessment_id}/").content.decode()
    section = page[page.index(f'id="item-{item.pk}"') :]
    assert "优良天数比例目标 85 %" in section[: section.index("</section>")]


def test_the_verifier_screen_marks_overdue_verification(world: World) -> None:
    world.cycle.verification_deadline = dt.date(2025, 3, 31)
    world.cycle.save()
    world.fill("A")
    world.submit("A")
    url = f"/cycles/{world.cycle.pk}/verify/"
    with time_machine.travel("2025-04-02 09:00 +0800", tick=False):
        assert '<span class="overdue">' in world.client("walt").get(url).content.decode()
    with time_machine.travel("2025-03-30 09:00 +0800", tick=False):
        assert '<span class="overdue">' not in world.client("walt").get(url).content.decode()


def test_the_office_sees_the_history_of_a_letter(world: World) -> None:
    letter = world.cycle.letters.get(unit=world.units["B"])
    actions.check_issue_letter(letter=letter, raw={"good_days_target": "90"}, acting_user=world.people["alice"])
    page = (
        world.client("alice")
        .get(f"/audit/?object_type=assessments.responsibilityletter&object_id={letter.pk}")
        .content.decode()
    )
    assert page.count("letter.issue") == 2 and "90.0" in page and "85.0" in page


def test_signing_in_leads_each_role_to_its_page(world: World) -> None:
    from django.test import Client

    expected = {"alice": "/todo/", "fay": "/todo/"}  # 待办 for everyone signed in (issue 10 §1)
    for who, landing in expected.items():
        client = Client()
        response = client.post("/login/", {"username": who, "password": "pw"}, follow=True)
        assert response.redirect_chain[-1][0] == landing
    bad = Client().post("/login/", {"username": "alice", "password": "wrong"})
    assert bad.status_code == 200 and "_auth_user_id" not in bad.client.session


def test_changes_and_deletions_in_the_admin_are_audited(world: World) -> None:
    import json

    from kaohe.assessments.models import Membership
    from kaohe.audit.actions import verify_chain
    from kaohe.audit.models import AuditLog

    cycle = world.cycle
    response = world.client("alice").post(
        f"/admin/assessments/cycle/{cycle.pk}/change/",
        {
            "name": cycle.name,
            "self_evaluation_deadline": "2026-03-15",
            "verification_deadline": "2026-04-10",
            "evaluation_deadline": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditLog.objects.filter(action="admin.change", object_type="assessments.cycle").get()
    assert entry.actor_name == "alice"
    assert set(entry.what.split(", ")) == {"self_evaluation_deadline", "verification_deadline"}
    assert json.loads(entry.new_value) == {
        "self_evaluation_deadline": "2026-03-15",
        "verification_deadline": "2026-04-10",
    }
    old = json.loads(entry.old_value)
    assert old["self_evaluation_deadline"] == (
        cycle.self_evaluation_deadline.isoformat() if cycle.self_evaluation_deadline else None
    )

    bob = Membership.objects.get(user__username="bob")
    response = world.client("alice").post(f"/admin/assessments/membership/{bob.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=bob.pk).exists()
    deleted = AuditLog.objects.get(action="membership.remove", object_type="assessments.membership")
    assert deleted.object_id == str(bob.pk) and json.loads(deleted.old_value)["role"] == "filler"
    # a verifier's role is not the office's to remove
    walt = Membership.objects.get(user__username="walt")
    assert (
        world.client("alice").post(f"/admin/assessments/membership/{walt.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Membership.objects.filter(pk=walt.pk).exists()
    assert verify_chain().problem is None
