"""Issue 10 §2 "no stale or false messages", "confirmation before submit, approve and publish" and "messages where
the person is": the approval page and the re-evaluation refusal say what is true for the cycle's state; the
irreversible steps carry a data-confirm question (static/js/kaohe.js asks it, no inline script); an error about one
item comes back inside that item's card."""

from __future__ import annotations

import re

import time_machine
from django.urls import reverse

from kaohe.assessments import actions
from tests.world import World


def approve(world: World) -> None:
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    with time_machine.travel("2025-03-10 09:30 +0800", tick=False):
        actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_approval_page_of_an_approved_cycle_says_who_approved_it_and_when(world: World) -> None:
    approve(world)
    url = reverse("cycle_approval", args=[world.cycle.pk])
    for who in ("linda", "alice"):
        page = text(world.client(who).get(url).content.decode())
        assert "全部单位完成综合评价后可以审定" not in page
        # linda has no full name: her user name; 09:30 Beijing time as the page shows it (TIME_ZONE Asia/Shanghai)
        assert "已于 2025-03-10 09:30 由 linda 审定。" in page
        assert "考核办可以通报。" in page


def test_the_approval_page_before_evaluation_still_says_what_is_missing(world: World) -> None:
    page = text(world.client("linda").get(reverse("cycle_approval", args=[world.cycle.pk])).content.decode())
    assert "全部单位完成综合评价后可以审定" in page
    assert "审定。" not in page.replace("可以审定。", "")


def test_re_evaluating_an_approved_cycle_is_refused_with_the_true_reason(world: World) -> None:
    approve(world)
    response = world.client("alice").post(reverse("cycle_evaluate", args=[world.cycle.pk]), follow=True)
    page = text(response.content.decode())
    assert "还有单位未完成核实" not in page
    assert "本周期已于 2025-03-10 审定，结果已定，不能重新综合评价" in page
    actions.check_publish_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    response = world.client("alice").post(reverse("cycle_evaluate", args=[world.cycle.pk]), follow=True)
    assert "本周期已于 2025-03-10 审定并已通报，结果已定，不能重新综合评价" in text(response.content.decode())


def card(html: str, item_pk: int) -> str:
    """The item's card on the unit's page."""
    start = html.index(f'id="item-{item_pk}"')
    return html[start : html.index("</section>", start)]


def top(html: str) -> str:
    """The page's own message list (base.html), above the content."""
    return html[: html.index("<h1>")]


def test_an_evidence_error_comes_back_inside_the_items_card(world: World) -> None:
    item = world.item("A", "2")
    fay = world.client("fay")  # one browser: the message travels in its cookie
    response = fay.post(reverse("evidence_upload", args=[item.pk]), {})
    assert response["Location"].endswith(f"#item-{item.pk}")
    html = fay.get(response["Location"]).content.decode()
    assert "请选择要上传的文件" in card(html, item.pk)
    assert "请选择要上传的文件" not in top(html)
    opening = html[html.index(f'id="item-{item.pk}"') : html.index(">", html.index(f'id="item-{item.pk}"'))]
    assert "data-scroll-here" in opening
    # shown once: the next page has no trace of it
    assert "请选择要上传的文件" not in fay.get(response["Location"]).content.decode()


def test_a_bad_value_on_save_is_shown_in_that_items_card_which_the_page_scrolls_to(world: World) -> None:
    item = world.item("A", "1")
    other = world.item("A", "2")
    response = world.client("fay").post(
        reverse("item_save", args=[item.pk]),
        {"v_water_months": "-3", "version": item.version, "self_score": "", "explanation": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    opening = html[html.index(f'id="item-{item.pk}"') : html.index(">", html.index(f'id="item-{item.pk}"'))]
    assert "data-scroll-here" in opening
    assert "errorlist" in card(html, item.pk)
    assert "errorlist" not in card(html, other.pk)
    assert "data-scroll-here" not in html[html.index(f'id="item-{other.pk}"') :].split(">")[0]


def test_a_return_without_a_comment_is_told_next_to_the_return_form(world: World) -> None:
    world.fill("A")
    world.submit("A")
    item = world.item("A", "1")
    walt = world.client("walt")
    response = walt.post(reverse("item_return", args=[item.pk]), {"version": item.version})
    assert response["Location"].endswith("#return")
    html = walt.get(response["Location"]).content.decode()
    form = html[html.index('id="return"') : html.index("</form>", html.index('id="return"'))]
    assert "退回时必须填写退回意见" in form
    assert "退回时必须填写退回意见" not in top(html)


def test_submit_approve_send_back_return_and_publish_ask_first_saying_what_will_happen(world: World) -> None:
    page = world.client("hank").get(reverse("assessment_detail", args=[world.assessment("A").pk])).content.decode()
    assert 'data-confirm="提交后单位不能再修改（除非被退回），由牵头单位核实。确定提交？"' in page
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    page = world.client("linda").get(reverse("cycle_approval", args=[world.cycle.pk])).content.decode()
    assert 'data-confirm="审定后考核结果即成定局，考核办可以通报，不能再修改。确定审定？"' in page
    assert 'data-confirm="退回后考核办须重新综合评价，再报审定。确定退回考核办？"' in page
    actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    page = world.client("alice").get(reverse("cycle_dashboard", args=[world.cycle.pk])).content.decode()
    assert 'data-confirm="通报后考核结果向社会公开，不能撤回。确定通报？"' in page
    assert "<script>" not in page  # the question is asked by static/js/kaohe.js (the CSP allows no inline script)


def test_the_items_history_is_in_words(world: World) -> None:
    item = world.item("A", "3")  # 重点任务完成 (yes/no)
    world.fill("A")
    world.submit("A")
    world.verify_all("A")
    page = text(world.client("fay").get(reverse("item_history", args=[item.pk])).content.decode())
    assert "保存自评" in page and "核实" in page
    assert "重点任务完成：— " in page  # before: nothing entered
    assert "重点任务完成：是" in page  # after: true in words
    assert "核实状态：待核实" in page and "核实状态：核实无误" in page
    for code in ("tasks_done", "{", '"', "true", "self_evaluation.save", "accepted"):
        assert code not in page, code
