"""The comment thread of every item (issue 10 §2): who may write, who reads it where, the return as its first entry,
the unit's answer seen by the verifier, the bound on its length, and its place in the audit chain.

Indicator 2 of 甲市 is led by 生态环境局 (vera); indicator 1 by 水利局 (walt)."""

from __future__ import annotations

import pytest

from kaohe.assessments import actions, comments
from kaohe.assessments.integrity import verify_all
from kaohe.assessments.limits import MAX_REASON_CHARS
from kaohe.assessments.models import ItemComment
from kaohe.audit.actions import verify_chain
from kaohe.audit.models import AuditLog
from tests.world import World

RETURN = "优良天数比例与监测数据不符，请核对并附监测报告"
ANSWER = "已核对：监测站 3 月数据缺失 2 天，已补充说明并上传报告"


def comment(world: World, who: str, indicator: str, text: str) -> ItemComment:
    return comments.check_add_comment(item=world.item("A", indicator), text=text, acting_user=world.people[who])


def refused(world: World, who: str, indicator: str) -> bool:
    try:
        comment(world, who, indicator, f"{who} 的留言")
    except actions.ActionError as exc:
        assert str(exc) == "没有权限执行此操作"
        return True
    return False


def test_in_a_draft_the_unit_and_the_office_may_comment_nobody_else(world: World) -> None:
    assert not refused(world, "fay", "2")
    assert not refused(world, "hank", "2")
    assert not refused(world, "alice", "2")
    # a draft is the unit's: its verifiers do not see it yet; the approver reads but never writes; bob is 乙市's
    for who in ("vera", "walt", "linda", "bob"):
        assert refused(world, who, "2"), who
    roles = [(c.author.get_username(), c.role) for c in ItemComment.objects.order_by("id") if c.author]
    assert roles == [("fay", "unit"), ("hank", "unit"), ("alice", "office")]


def test_once_submitted_the_items_own_verifier_may_comment(world: World) -> None:
    world.fill("A")
    world.submit("A")
    assert not refused(world, "vera", "2")  # 生态环境局 leads indicator 2
    assert refused(world, "walt", "2")  # 水利局 does not
    assert not refused(world, "walt", "1")
    assert refused(world, "vera", "1")
    assert [c.get_role_display() for c in ItemComment.objects.order_by("id")] == ["核实人", "核实人"]


def test_the_return_is_the_threads_first_entry_and_the_verifier_sees_the_answer(world: World) -> None:
    world.fill("A")
    world.submit("A")
    item = world.item("A", "2")
    actions.check_return_item(item=item, comment=RETURN, version=item.version, acting_user=world.people["vera"])
    fay = world.client("fay")
    response = fay.post(f"/items/{item.pk}/comments/", {"text": ANSWER, "back": "assessment"})
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/{item.assessment_id}/#thread-{item.pk}"

    thread = [(c.kind, c.role, c.author.get_username() if c.author else "", c.text) for c in item.comments.all()]
    assert thread == [("return", "verifier", "vera", RETURN), ("comment", "unit", "fay", ANSWER)]
    # the unit's page: the return heads the thread, the answer follows it
    page = fay.get(f"/assessments/{item.assessment_id}/").content.decode()
    section = page[page.index(f'id="thread-{item.pk}"') :]
    assert section.index(RETURN) < section.index(ANSWER)
    assert "退回意见" in section[: section.index(RETURN)]
    # the verifier, on the item's page (a returned item: the page that says why it cannot be verified yet)
    verify_page = world.client("vera").get(f"/items/{item.pk}/verify/")
    assert verify_page.status_code == 409
    text = verify_page.content.decode()
    values = text[text.index("优良天数比例") :]
    assert "86.5" in values and values.index("86.5") < values.index(ANSWER)  # the value, then the thread
    # vera answers there and is sent back to it
    response = world.client("vera").post(f"/items/{item.pk}/comments/", {"text": "收到", "back": "verify"})
    assert response["Location"] == f"/items/{item.pk}/verify/#thread-{item.pk}"


def test_the_verifier_sees_the_thread_next_to_the_values_once_resubmitted(world: World) -> None:
    world.fill("A")
    world.submit("A")
    item = world.item("A", "2")
    actions.check_return_item(item=item, comment=RETURN, version=item.version, acting_user=world.people["vera"])
    comment(world, "fay", "2", ANSWER)
    world.submit("A")
    page = world.client("vera").get(f"/items/{item.pk}/verify/").content.decode()
    unit_card = page[page.index("单位自评") : page.index("保存核实结果")]
    assert "86.5" in unit_card and RETURN in unit_card and ANSWER in unit_card
    assert f'action="/items/{item.pk}/comments/"' in unit_card


def test_only_those_who_see_the_unit_read_its_threads(world: World) -> None:
    comment(world, "fay", "2", ANSWER)
    item = world.item("A", "2")
    url = f"/assessments/{item.assessment_id}/"
    for who in ("fay", "hank", "alice", "linda"):
        assert ANSWER in world.client(who).get(url).content.decode(), who
    for who in ("bob", "vera", "walt"):  # 乙市's filler; the verifiers before submission
        response = world.client(who).get(url)
        assert response.status_code == 403 and ANSWER not in response.content.decode(), who
    assert world.client("bob").post(f"/items/{item.pk}/comments/", {"text": "乙市看不到"}).status_code == 403
    assert not ItemComment.objects.filter(text="乙市看不到").exists()
    # the approver reads but is offered no form; the unit is
    assert f'action="/items/{item.pk}/comments/"' not in world.client("linda").get(url).content.decode()
    assert f'action="/items/{item.pk}/comments/"' in world.client("fay").get(url).content.decode()


def test_a_5_mb_comment_and_an_empty_one_are_refused_before_the_audit_log(world: World) -> None:
    item = world.item("A", "2")
    rows = AuditLog.objects.count()
    fay = world.client("fay")
    fay.post(f"/items/{item.pk}/comments/", {"text": "x" * 5_000_000})
    fay.post(f"/items/{item.pk}/comments/", {"text": "  "})
    assert not ItemComment.objects.exists() and AuditLog.objects.count() == rows
    page = fay.get(f"/assessments/{item.assessment_id}/").content.decode()
    assert "留言不能为空" in page
    with pytest.raises(actions.ActionError, match=f"留言过长：最多 {MAX_REASON_CHARS} 字，现有 5000000 字"):
        comment(world, "fay", "2", "x" * 5_000_000)
    kept = comment(world, "fay", "2", "留" * MAX_REASON_CHARS)  # a comment at the bound is kept
    assert len(kept.text) == MAX_REASON_CHARS


def test_comments_are_audited_and_replayed_by_verify(world: World) -> None:
    world.fill("A")
    world.submit("A")
    item = world.item("A", "2")
    actions.check_return_item(item=item, comment=RETURN, version=item.version, acting_user=world.people["vera"])
    answer = comment(world, "fay", "2", ANSWER)
    entry = AuditLog.objects.get(action="comment.add")
    assert (entry.object_type, entry.object_id, entry.actor_name) == ("assessments.itemcomment", str(answer.pk), "fay")
    assert entry.decoded_new() == {"item": item.pk, "role": "unit", "text": ANSWER}
    returned = AuditLog.objects.get(action="verification.return")
    assert '"assessments.itemcomment"' in returned.rows  # the return's entry snapshots its thread entry
    assert verify_chain().problems == ()
    report = verify_all()
    assert report.ok, report.problems

    # an edited or a deleted comment is reported, in words
    ItemComment.objects.filter(pk=answer.pk).update(text="改过的留言")
    problems = verify_all().problems
    assert len(problems) == 1 and "留言" in problems[0] and "记录为" in problems[0] and "改过的留言" in problems[0]
    ItemComment.objects.filter(kind="return").delete()
    problems = verify_all().problems
    assert any("已被删除，审计日志中没有删除记录" in p for p in problems), problems


def test_the_thread_speaks_english_when_chosen(world: World) -> None:
    comment(world, "fay", "2", ANSWER)
    fay = world.client("fay")
    fay.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = fay.get(f"/assessments/{world.assessment('A').pk}/").content.decode()
    assert "Comments" in page and ">Post</button>" in page and "Unit</b>" in page
    assert "发表留言" not in page and "暂无留言" not in page
