"""Accounts in the Django admin (issue 8 §2.1): an office member who is not a superuser cannot raise its own
privileges or take over an approver's account, and every account change reaches the audit chain.

alice is an office member exactly as ``do_add_membership`` makes one (staff, in the 考核办 group with
OFFICE_ADMIN_PERMS, which include auth.change_user). The rule is ``kaohe.assessments.rules.may_manage_account``.
"""

from __future__ import annotations

import json

from django.contrib.auth.models import User
from django.test import Client

from kaohe.audit.actions import verify_chain
from kaohe.audit.models import AuditLog
from tests.world import World

NEW_PASSWORD = "Ein-langes-Kennwort-2025"  # long enough for any password validator


def change_url(user: User) -> str:
    return f"/admin/auth/user/{user.pk}/change/"


def change_form(user: User, **extra: str) -> dict[str, str]:
    """What the admin's change form posts for ``user``, plus ``extra`` (e.g. a smuggled is_superuser)."""
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        **extra,
    }


def test_an_office_member_cannot_make_itself_a_superuser(world: World) -> None:
    alice = world.people["alice"]
    assert alice.is_staff and not alice.is_superuser and alice.has_perm("auth.change_user")
    office = world.client("alice")
    response = office.post(change_url(alice), change_form(alice, is_superuser="on", first_name="Alice"))
    assert response.status_code == 403
    alice.refresh_from_db()
    assert not alice.is_superuser and alice.first_name == "Alice"
    # its own account is shown read-only, without the privilege fields
    page = office.get(change_url(alice)).content.decode()
    assert 'name="is_superuser"' not in page and 'name="username"' not in page


def test_an_office_member_changes_a_unit_account_but_no_privilege_reaches_it(world: World) -> None:
    fay = world.people["fay"]
    office = world.client("alice")
    page = office.get(change_url(fay)).content.decode()
    assert 'name="first_name"' in page
    for field in ("is_superuser", "is_staff", "groups", "user_permissions"):
        assert f'name="{field}"' not in page, field
    response = office.post(
        change_url(fay),
        change_form(fay, first_name="Fay", is_superuser="on", is_staff="on", groups="1"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    fay.refresh_from_db()
    assert fay.first_name == "Fay" and not fay.is_superuser and not fay.is_staff and not fay.groups.exists()
    entry = AuditLog.objects.filter(action="user.change", object_id=str(fay.pk), actor_name="alice").get()
    assert entry.what == "first_name"
    new = json.loads(entry.new_value)
    assert (new["first_name"], new["is_superuser"], new["is_staff"]) == ("Fay", False, False)


def test_an_office_member_cannot_reset_the_approvers_password(world: World) -> None:
    linda = world.people["linda"]
    office = world.client("alice")
    url = f"/admin/auth/user/{linda.pk}/password/"
    assert office.get(url).status_code == 403
    response = office.post(url, {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 403
    linda.refresh_from_db()
    assert linda.check_password("pw") and not linda.check_password(NEW_PASSWORD)
    # nor a verifier's, nor a fellow office member's (all can act on what the office prepares)
    for who in ("walt",):
        assert office.get(f"/admin/auth/user/{world.people[who].pk}/password/").status_code == 403
    assert office.post(change_url(linda), change_form(linda, first_name="X")).status_code == 403


def test_password_resets_of_unit_accounts_are_audited_without_the_hash(world: World) -> None:
    fay = world.people["fay"]
    office = world.client("alice")
    url = f"/admin/auth/user/{fay.pk}/password/"
    response = office.post(url, {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    fay.refresh_from_db()
    assert fay.check_password(NEW_PASSWORD)
    entry = AuditLog.objects.filter(action="user.set_password", object_id=str(fay.pk), actor_name="alice").get()
    assert json.loads(entry.new_value)["password_usable"] is True
    assert fay.password not in entry.new_value and fay.password.split("$")[0] not in entry.new_value


def test_accounts_created_in_the_admin_go_through_the_action(world: World) -> None:
    office = world.client("alice")
    response = office.post(
        "/admin/auth/user/add/",
        {"username": "nora", "usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    nora = User.objects.get(username="nora")
    assert nora.check_password(NEW_PASSWORD) and not nora.is_staff and not nora.is_superuser
    entry = AuditLog.objects.filter(action="user.create", actor_name="alice").get()
    assert entry.object_id == str(nora.pk) and json.loads(entry.new_value)["username"] == "nora"


def test_a_superuser_may_grant_privileges_and_it_is_audited(world: World) -> None:
    root = User.objects.create_superuser("root", password="pw")
    client = Client()
    client.force_login(root)
    walt = world.people["walt"]
    page = client.get(change_url(walt)).content.decode()
    assert 'name="is_superuser"' in page
    response = client.post(
        change_url(walt),
        {
            **change_form(walt, is_staff="on"),
            "date_joined_0": "2025-01-01",
            "date_joined_1": "00:00:00",
            "initial-date_joined_0": "2025-01-01",
            "initial-date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    walt.refresh_from_db()
    assert walt.is_staff
    entry = AuditLog.objects.filter(action="user.change", object_id=str(walt.pk), actor_name="root").get()
    assert "is_staff" in entry.what.split(", ") and json.loads(entry.new_value)["is_staff"] is True
    assert verify_chain().problem is None
