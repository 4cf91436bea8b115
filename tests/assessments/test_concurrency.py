"""Two verifiers saving the same item: one wins, the other is told and loses nothing (optimistic version check)."""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction

from kaohe.assessments import actions
from kaohe.assessments.models import Membership, SelfEvaluation
from tests.world import World, build_world


def second_water_verifier(world: World) -> User:
    """Another person of 水利局, so two people may verify the same item."""
    xena = User.objects.create_user("xena", password="pw")
    actions.do_add_membership(
        user=xena, role=Membership.Role.VERIFIER, lead_unit="水利局", acting_user=world.people["alice"]
    )
    return xena


def submitted_item(world: World) -> SelfEvaluation:
    world.fill("A")
    world.submit("A")
    return world.item("A", "1")


def verify(item: SelfEvaluation, months: int, user: Any) -> SelfEvaluation:
    return actions.check_verify_item(
        item=item,
        raw_values={"water_months": months},
        score=None,
        reason=f"核定为 {months} 个月",
        version=item.version,
        acting_user=user,
    )


def test_it_refuses_a_save_based_on_an_old_version(world: World) -> None:
    xena = second_water_verifier(world)
    item = submitted_item(world)
    stale = world.item("A", "1")
    verify(item, 2, world.people["walt"])
    with pytest.raises(actions.ConflictError, match="已被他人修改") as info:
        verify(stale, 5, xena)
    assert info.value.current.verification.values == {"water_months": 2}
    assert world.item("A", "1").verification.values == {"water_months": 2}


def test_the_screen_keeps_what_the_loser_typed(world: World) -> None:
    xena = second_water_verifier(world)
    item = submitted_item(world)
    verify(world.item("A", "1"), 2, world.people["walt"])
    client = world.client("walt")
    client.force_login(xena)
    response = client.post(
        f"/items/{item.pk}/verify/",
        {"version": item.version, "v_water_months": "7", "reason": "按月报核定"},
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "已被他人修改" in page
    assert 'value="7"' in page and "按月报核定" in page  # the loser's input is still in the form
    assert world.item("A", "1").verification.values == {"water_months": 2}
    assert f'name="version" value="{world.item("A", "1").version}"' in page  # a second save is deliberate


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_verifiers_saving_at_once_one_wins(settings: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks between two connections (SQLite serialises whole-database writes)")
    world = build_world()
    xena = second_water_verifier(world)
    item = submitted_item(world)
    first_saved = threading.Event()
    outcome: dict[str, Any] = {}

    def walt() -> None:
        try:
            with transaction.atomic():
                verify(SelfEvaluation.objects.get(pk=item.pk), 2, world.people["walt"])
                first_saved.set()
                # Hold the row lock while xena's save starts: her UPDATE must wait for this commit.
                threading.Event().wait(0.5)
            outcome["walt"] = "saved"
        except Exception as exc:  # reported by the assertion below
            outcome["walt"] = exc
        finally:
            first_saved.set()
            connection.close()

    def xena_saves() -> None:
        first_saved.wait(5)
        try:
            verify(stale, 5, xena)
            outcome["xena"] = "saved"
        except actions.ConflictError as exc:
            outcome["xena"] = exc
        finally:
            connection.close()

    stale = SelfEvaluation.objects.get(pk=item.pk)  # both start from the same version
    threads = [threading.Thread(target=walt), threading.Thread(target=xena_saves)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert outcome["walt"] == "saved"
    assert isinstance(outcome["xena"], actions.ConflictError)
    fresh = SelfEvaluation.objects.select_related("verification").get(pk=item.pk)
    assert fresh.verification.values == {"water_months": 2}
    assert fresh.version == item.version + 1


def test_two_people_of_a_unit_editing_the_same_item(world: World) -> None:
    item = world.item("A", "1")
    fay, hank = world.client("fay"), world.client("hank")
    assert fay.post(f"/items/{item.pk}/", {"version": item.version, "v_water_months": "2"}).status_code == 302
    response = hank.post(
        f"/items/{item.pk}/", {"version": item.version, "v_water_months": "4", "explanation": "按台账"}
    )
    page = response.content.decode()
    assert response.status_code == 409 and "已被他人修改" in page
    assert 'value="4"' in page and "按台账" in page
    assert world.item("A", "1").values == {"water_months": 2}
    # Having seen fay's value, hank saves again on purpose: the form now names the current version.
    current = world.item("A", "1").version
    assert f'name="version" value="{current}"' in page
    again = hank.post(f"/items/{item.pk}/", {"version": current, "v_water_months": "4", "explanation": "按台账"})
    assert again.status_code == 302
    assert world.item("A", "1").values == {"water_months": 4}


# --- SQLite on a real file: two requests at once (issue 8 §2.4) --------------------------------------------------
# pytest-django's SQLite database lives in memory; the race needs the file a deployment uses, so a subprocess runs
# this module as a script against a fresh file database and reports each request's outcome.
ROUNDS = 4
RACE_BOOTSTRAP = (
    "import sys, django; django.setup(); "
    "from tests.assessments.test_concurrency import _race_script; _race_script(sys.argv[1])"
)


def _race_script(out: str) -> None:  # pragma: no cover - runs in the subprocess
    import json

    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    world = build_world()
    xena = second_water_verifier(world)
    for unit in ("A", "B"):
        world.fill(unit)
        world.submit(unit)

    def post_together(posts: list[tuple[Client, str, dict[str, Any]]]) -> list[tuple[int, str]]:
        barrier = threading.Barrier(len(posts))
        answers: list[tuple[int, str]] = [(0, "")] * len(posts)

        def run(i: int) -> None:
            client, url, data = posts[i]
            barrier.wait()
            response = client.post(url, data)
            answers[i] = (response.status_code, response.content.decode(errors="replace"))
            connection.close()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(posts))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        return answers

    walt = Client(raise_request_exception=False)
    walt.force_login(world.people["walt"])
    other = Client(raise_request_exception=False)
    other.force_login(xena)
    report: dict[str, list[list[Any]]] = {"same_item": [], "different_units": []}
    for n in range(ROUNDS):
        item = world.item("A", "1")
        form = {"version": item.version, "reason": "按月报核定"}
        answers = post_together(
            [
                (walt, f"/items/{item.pk}/verify/", {**form, "v_water_months": str(n)}),
                (other, f"/items/{item.pk}/verify/", {**form, "v_water_months": str(n + 10)}),
            ]
        )
        report["same_item"].append([[status, "已被他人修改" in page, "刷新" in page] for status, page in answers])
        a, b = world.item("A", "1"), world.item("B", "1")
        answers = post_together(
            [
                (walt, f"/items/{a.pk}/verify/", {"version": a.version, "reason": "按月报核定", "v_water_months": "1"}),
                (
                    other,
                    f"/items/{b.pk}/verify/",
                    {"version": b.version, "reason": "按月报核定", "v_water_months": "2"},
                ),
            ]
        )
        report["different_units"].append([[status, False, "刷新" in page] for status, page in answers])
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(report, handle)


def test_sqlite_file_concurrent_verification_never_answers_500(tmp_path: Any) -> None:
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG")}
    env.update(
        KAOHE_VAR_DIR=str(tmp_path / "var"),
        DJANGO_SETTINGS_MODULE="kaohe.web.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
    )
    out = tmp_path / "race.json"
    done = subprocess.run(
        [sys.executable, "-c", RACE_BOOTSTRAP, str(out)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    for rounds in report.values():
        for answers in rounds:
            assert 500 not in [status for status, _, _ in answers], report
    # Same item: exactly one of the two saves wins; the other is told someone else saved it first (or, if its wait
    # ran out, to refresh and retry); nothing is half-written.
    for (first, _, _), (second, _, _) in [answers for answers in report["same_item"]]:
        assert sorted([first, second]) in ([302, 409],), report
    # Different units: both saves go through (the second waits for the first's write lock).
    for answers in report["different_units"]:
        assert [status for status, _, _ in answers] == [302, 302], report


class _SerializationFailure(Exception):
    sqlstate = "40001"  # what psycopg's SerializationFailure carries


@pytest.mark.parametrize("cause", [None, _SerializationFailure("could not serialize access")])
def test_a_lost_race_is_the_refresh_and_retry_message(
    world: World, monkeypatch: pytest.MonkeyPatch, cause: Any
) -> None:
    """Whatever the database (SQLite's busy error, PostgreSQL's serialization failure), losing a race is a 409 with
    the usual 刷新后重试 message, never a 500."""
    from django.db import OperationalError

    item = submitted_item(world)

    def locked(**kwargs: Any) -> None:
        if cause is None:
            raise OperationalError("database is locked")
        raise OperationalError(str(cause)) from cause

    monkeypatch.setattr(actions, "check_verify_item", locked)
    client = world.client("walt")
    client.raise_request_exception = False
    response = client.post(f"/items/{item.pk}/verify/", {"version": item.version, "v_water_months": "2", "reason": "x"})
    assert response.status_code == 409
    assert "请刷新页面后重试" in response.content.decode()


def test_other_database_errors_stay_errors(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import OperationalError

    item = submitted_item(world)

    def broken(**kwargs: Any) -> None:
        raise OperationalError("no such table: assessments_verification")

    monkeypatch.setattr(actions, "check_verify_item", broken)
    client = world.client("walt")
    client.raise_request_exception = False
    response = client.post(f"/items/{item.pk}/verify/", {"version": item.version, "v_water_months": "2", "reason": "x"})
    assert response.status_code == 500
