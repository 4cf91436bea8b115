"""Every URL pattern (screens, API, admin) × every role and the public, with the status each must get.

The routes come from the URL conf itself: a new view without a row here fails ``test_every_route_has_a_row``,
so it cannot escape the matrix. The world is the conftest's, with 甲市 (A) still a draft: the other unit's people
and the verifiers must not see it, and nothing is published yet.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from axes.models import AccessLog
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from kaohe.assessments import actions
from kaohe.assessments.models import Membership
from kaohe.audit.models import AuditLog
from kaohe.reports import pdf
from tests.world import ROLES, World, build_world


def S(anon: int, alice: int, linda: int, fay: int, hank: int, bob: int, vera: int, walt: int) -> dict[str, int]:
    return dict(zip(ROLES, (anon, alice, linda, fay, hank, bob, vera, walt), strict=True))


def ALL(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def STAFF(office: int) -> dict[str, int]:
    """Admin pages: only 考核办 (alice) is staff; everyone else is sent to the admin login."""
    return {**ALL(302), "alice": office}


UNIT_A_READERS = S(302, 200, 200, 200, 200, 403, 403, 403)
SIGNED_IN = S(302, 200, 200, 200, 200, 200, 200, 200)
PDF = 200 if pdf.soffice() else 503  # a PDF download, or the page saying LibreOffice is missing
OFFICE_POST = S(302, 302, 403, 403, 403, 403, 403, 403)
APPROVER_POST = S(302, 403, 302, 403, 403, 403, 403, 403)
API_SIGNED_IN = S(401, 200, 200, 200, 200, 200, 200, 200)
API_UNIT_A_READERS = S(401, 200, 200, 200, 200, 403, 403, 403)
API_NOBODY = S(401, 403, 403, 403, 403, 403, 403, 403)

# route → (method, body or None, expected status per role)
MATRIX: dict[str, tuple[str, Any, dict[str, int]]] = {
    # --- sign-in and language
    "login/": ("GET", None, ALL(200)),
    "logout/": ("GET", None, ALL(405)),  # logging out is POST only
    "i18n/setlang/": ("POST", {"language": "en"}, ALL(302)),
    # --- screens
    "": ("GET", None, ALL(302)),  # home redirects to the page for the role (public index for anonymous)
    "todo/": ("GET", None, SIGNED_IN),  # 待办: each sees only its own
    "cycles/": ("GET", None, SIGNED_IN),
    "cycles/new/": ("GET", None, S(302, 200, 403, 403, 403, 403, 403, 403)),
    "cycles/<int:cycle_id>/": ("GET", None, S(302, 200, 200, 403, 403, 403, 200, 200)),
    "cycles/<int:cycle_id>/letters/": ("GET", None, S(302, 200, 403, 403, 403, 403, 403, 403)),
    # 目标值 from Excel and from last year (issue 10 §3): the office only
    "cycles/<int:cycle_id>/letters/template/": ("GET", None, S(302, 200, 403, 403, 403, 403, 403, 403)),
    "cycles/<int:cycle_id>/letters/import/": ("POST", {}, OFFICE_POST),
    "cycles/<int:cycle_id>/letters/copy/": ("POST", {}, OFFICE_POST),
    "cycles/<int:cycle_id>/findings/": ("GET", None, S(302, 200, 403, 403, 403, 403, 403, 403)),
    # the whole scheme in words: whoever sees the dashboard; a unit reads its own indicators' rules on its page
    "cycles/<int:cycle_id>/scheme/": ("GET", None, S(302, 200, 200, 403, 403, 403, 200, 200)),
    "cycles/<int:cycle_id>/verify/": ("GET", None, S(302, 200, 403, 403, 403, 403, 200, 200)),  # office: unled items
    "cycles/<int:cycle_id>/approval/": ("GET", None, S(302, 200, 200, 403, 403, 403, 403, 403)),
    # batch 核实无误 with an empty form: whoever verifies gets a redirect with an error message, nothing changes
    "cycles/<int:cycle_id>/verify/batch/": ("POST", {}, S(302, 302, 403, 403, 403, 403, 302, 302)),
    # POSTs with empty forms: the allowed role gets a redirect with an error message, nothing changes
    "cycles/<int:cycle_id>/evaluate/": ("POST", {}, OFFICE_POST),
    "cycles/<int:cycle_id>/approve/": ("POST", {}, APPROVER_POST),
    "cycles/<int:cycle_id>/send-back/": ("POST", {}, APPROVER_POST),
    "cycles/<int:cycle_id>/publish/": ("POST", {}, OFFICE_POST),
    "cycles/<int:cycle_id>/import/": ("POST", {}, OFFICE_POST),
    # 公示 and 申诉 (issue 10 §4): nothing approved here, so no 公示稿 and no appeal (PUBLICITY below has them)
    "cycles/<int:cycle_id>/publicity-days/": ("POST", {}, OFFICE_POST),
    "cycles/<int:cycle_id>/publicity/": ("GET", None, S(302, 200, 200, 403, 403, 403, 403, 403)),
    "cycles/<int:cycle_id>/appeals/": ("GET", None, S(302, 200, 200, 403, 403, 403, 403, 403)),
    "appeals/<int:appeal_id>/decide/": ("POST", {}, S(302, 404, 404, 404, 404, 404, 404, 404)),
    "appeal-files/<int:file_id>/": ("GET", None, S(302, 404, 404, 404, 404, 404, 404, 404)),
    "assessments/<int:assessment_id>/appeal/": ("POST", {}, S(302, 403, 403, 403, 403, 403, 403, 403)),
    "letters/<int:letter_id>/": ("POST", {}, OFFICE_POST),
    "assessments/<int:assessment_id>/": ("GET", None, UNIT_A_READERS),
    "assessments/<int:assessment_id>/submit/": ("POST", {}, S(302, 403, 403, 403, 302, 403, 403, 403)),
    "assessments/<int:assessment_id>/reopen/": ("POST", {}, S(302, 403, 403, 403, 403, 403, 403, 403)),  # a draft
    "assessments/<int:assessment_id>/result/": ("GET", None, S(302, 403, 403, 403, 403, 403, 403, 403)),
    "items/<int:item_id>/": ("POST", {}, S(302, 403, 403, 400, 400, 403, 403, 403)),
    "items/<int:item_id>/evidence/": ("POST", {}, S(302, 403, 403, 302, 302, 403, 403, 403)),
    "items/<int:item_id>/verify/": ("GET", None, S(302, 403, 403, 403, 403, 403, 403, 403)),  # a draft
    "items/<int:item_id>/return/": ("POST", {}, S(302, 403, 403, 403, 403, 403, 403, 403)),
    "items/<int:item_id>/history/": ("GET", None, UNIT_A_READERS),
    # the item's thread, an empty comment: the unit and the office get a redirect with the error message; the
    # verifiers do not see a draft; the approver reads threads but does not write in them
    "items/<int:item_id>/comments/": ("POST", {}, S(302, 302, 403, 302, 302, 403, 403, 403)),
    "evidence/<int:evidence_id>/": ("GET", None, UNIT_A_READERS),
    # the preview (a PDF here) for the same people as the download; replace and delete with an empty form: whoever
    # may change the item gets a redirect with the error message, nothing changes
    "evidence/<int:evidence_id>/preview/": ("GET", None, UNIT_A_READERS),
    "evidence/<int:evidence_id>/replace/": ("POST", {}, S(302, 403, 403, 302, 302, 403, 403, 403)),
    "evidence/<int:evidence_id>/delete/": ("POST", {}, S(302, 403, 403, 302, 302, 403, 403, 403)),
    "public/": ("GET", None, ALL(200)),
    "public/<int:cycle_id>/": ("GET", None, S(302, 403, 403, 403, 403, 403, 403, 403)),  # not published
    "audit/": ("GET", None, S(302, 200, 200, 403, 403, 403, 403, 403)),
    # --- notifications (kaohe.notifications): each person's own inbox; marking read answers with a redirect (an
    # empty form is an error message, someone else's notification the refusal), the public is sent to the login
    "notifications/": ("GET", None, SIGNED_IN),
    "notifications/read/": ("POST", {}, ALL(302)),
    "notifications/read-all/": ("POST", {}, ALL(302)),
    # --- files (kaohe.reports): A's sheet for whoever sees A, its upload for whoever edits A; nothing evaluated yet
    "assessments/<int:assessment_id>/sheet.xlsx": ("GET", None, UNIT_A_READERS),
    "assessments/<int:assessment_id>/sheet/upload/": ("GET", None, S(302, 403, 403, 200, 200, 403, 403, 403)),
    "assessments/<int:assessment_id>/sheet/apply/": ("POST", {}, S(302, 403, 403, 400, 400, 403, 403, 403)),
    # --- the unit map (kaohe.maps): the office uploads it; its geometry is public (the public results page draws
    # it) and answers 404 until one is uploaded, as in this world
    "maps/": ("GET", None, S(302, 200, 403, 403, 403, 403, 403, 403)),
    "maps/area.geojson": ("GET", None, ALL(404)),
    "cycles/<int:cycle_id>/results.xlsx": ("GET", None, S(302, 404, 404, 403, 403, 403, 403, 403)),
    "cycles/<int:cycle_id>/notice.docx": ("GET", None, S(302, 404, 404, 403, 403, 403, 403, 403)),
    "cycles/<int:cycle_id>/notice.pdf": ("GET", None, S(302, 404, 404, 403, 403, 403, 403, 403)),
    # 目标责任书 (issue 10 §5): all units and each letter for the office, A's letter for whoever sees A; the PDF is
    # 503 with a Chinese sentence where LibreOffice is missing (kaohe.reports.pdf)
    "cycles/<int:cycle_id>/letters.docx": ("GET", None, S(302, 200, 403, 403, 403, 403, 403, 403)),
    "cycles/<int:cycle_id>/letters.pdf": ("GET", None, S(302, PDF, 403, 403, 403, 403, 403, 403)),
    "letters/<int:letter_id>.docx": ("GET", None, S(302, 200, 403, 403, 403, 403, 403, 403)),
    "letters/<int:letter_id>.pdf": ("GET", None, S(302, PDF, 403, 403, 403, 403, 403, 403)),
    "assessments/<int:assessment_id>/letter.docx": ("GET", None, UNIT_A_READERS),
    "assessments/<int:assessment_id>/letter.pdf": (
        "GET",
        None,
        {who: PDF if code == 200 else code for who, code in UNIT_A_READERS.items()},
    ),
    "cycles/<int:cycle_id>/documents/": ("GET", None, S(302, 200, 403, 403, 403, 403, 403, 403)),
    # --- the registers (kaohe.ledgers, issue 12 §1): units see and report on their own rows (the row here is 甲市's
    # problem or case), the office manages all, the approver and verifiers read, the public sees disclosed rows
    "ledgers/": ("GET", None, SIGNED_IN),
    "ledgers/public/": ("GET", None, ALL(200)),
    "ledgers/<ledger:kind>/": ("GET", None, SIGNED_IN),  # filtered to what each may see
    "ledgers/<ledger:kind>/export.xlsx": ("GET", None, SIGNED_IN),
    "ledgers/<ledger:kind>/template.xlsx": ("GET", None, S(302, 200, 403, 403, 403, 403, 403, 403)),
    "ledgers/<ledger:kind>/import/": ("GET", None, S(302, 200, 403, 403, 403, 403, 403, 403)),
    "ledgers/<ledger:kind>/import/apply/": ("POST", {}, OFFICE_POST),  # no preview: back to the form
    "ledgers/<ledger:kind>/<int:row_id>/": ("GET", None, S(302, 200, 200, 200, 200, 403, 200, 200)),
    # 新增一行 / 修改: the office's row form
    "ledgers/<ledger:kind>/new/": ("GET", None, S(302, 200, 403, 403, 403, 403, 403, 403)),
    "ledgers/<ledger:kind>/<int:row_id>/edit/": ("GET", None, S(302, 200, 403, 403, 403, 403, 403, 403)),
    # 进展报告 with an empty form: 甲市's people get the form back with its errors
    "ledgers/rectification/<int:row_id>/<str:step>/": ("POST", {}, S(302, 403, 403, 400, 400, 403, 403, 403)),
    "ledgers/complaints/<int:row_id>/handle/": ("POST", {}, S(302, 403, 403, 400, 400, 403, 403, 403)),
    # a 调度记录 entry's file: whoever sees the problem
    "ledgers/rectification/files/<int:file_id>/": ("GET", None, S(302, 200, 200, 200, 200, 403, 200, 200)),
    # 台账数据 into a cycle (issue 12 §2): the office previews and confirms; an empty form (no preview) is sent back
    # to the preview with an error message, nothing changes
    "cycles/<int:cycle_id>/registers/": ("GET", None, S(302, 200, 403, 403, 403, 403, 403, 403)),
    "cycles/<int:cycle_id>/registers/apply/": ("POST", {}, OFFICE_POST),
    # --- API
    "api/": ("GET", None, ALL(404)),  # ninja's root names no operation
    "api/openapi.json": ("GET", None, ALL(200)),
    "api/docs": ("GET", None, ALL(200)),
    "api/units": ("GET", None, API_SIGNED_IN),
    "api/cycles": ("GET", None, API_SIGNED_IN),
    "api/cycles/<cycle_id>/assessments": ("GET", None, API_SIGNED_IN),  # filtered to what each may see
    "api/assessments/<assessment_id>/items": ("GET", None, API_UNIT_A_READERS),
    # a stale version: the unit's people get the conflict, everyone else is refused before that
    "api/items/<item_id>": ("PUT", {"values": {}, "version": 999}, S(401, 403, 403, 409, 409, 403, 403, 403)),
    "api/items/<item_id>/verification": ("POST", {"values": {}, "version": 999}, API_NOBODY),
    "api/items/<item_id>/return": ("POST", {"comment": "x", "version": 999}, API_NOBODY),
    "api/cycles/<cycle_id>/results": ("GET", None, S(401, 200, 200, 403, 403, 403, 403, 403)),
    "api/ledgers/<kind>": ("GET", None, API_SIGNED_IN),
    "api/ledgers/<kind>/<row_id>": ("GET", None, S(401, 200, 200, 200, 200, 403, 200, 200)),
    # --- Django admin (master data): office only, with the model permissions its group grants
    "admin/": ("GET", None, STAFF(200)),
    "admin/login/": ("GET", None, {**ALL(200), "alice": 302}),  # staff are sent on to the index
    "admin/logout/": ("GET", None, STAFF(405)),
    "admin/password_change/": ("GET", None, STAFF(200)),
    "admin/password_change/done/": ("GET", None, STAFF(200)),
    "admin/autocomplete/": ("GET", None, STAFF(403)),  # needs app/model/field parameters
    "admin/jsi18n/": ("GET", None, STAFF(200)),
    "admin/r/<path:content_type_id>/<path:object_id>/": ("GET", None, STAFF(404)),  # units have no site URL
    "admin/^(?P<app_label>auth|axes|audit|assessments)/$": ("GET", None, STAFF(200)),
    "admin/(?P<url>.*)$": ("GET", None, STAFF(404)),
    # the office resets unit accounts' passwords only (test_admin_accounts.py); this is its own office account
    "admin/auth/user/<id>/password/": ("GET", None, STAFF(403)),
}


def _admin_model_rows() -> None:
    """Rows for the ModelAdmin routes: what the office may do per model (see actions.OFFICE_ADMIN_PERMS)."""
    office_status = {
        # model: (changelist, add, history, delete, change, bare object URL)
        # The user and membership objects are alice's own (an office account, an office role): the office sees
        # them (change = a read-only page) but may neither change nor delete them (rules.may_manage_account).
        "auth/group": (403, 403, 403, 403, 403, 302),
        "auth/user": (200, 200, 200, 403, 200, 302),
        "audit/auditlog": (200, 403, 200, 403, 200, 302),
        "assessments/unit": (200, 200, 200, 200, 200, 302),
        "assessments/membership": (200, 200, 200, 403, 200, 302),
        "assessments/cycle": (200, 403, 200, 403, 200, 302),
        "assessments/responsibilityletter": (200, 403, 200, 403, 200, 302),
        # django-axes' login records: the office holds no permission on them (the superuser's). An object exists only
        # for accesslog (made by _object_for_admin); for a missing object Django's history view redirects before it
        # checks permissions.
        "axes/accessattempt": (403, 403, 302, 403, 403, 302),
        "axes/accesslog": (403, 403, 403, 403, 403, 302),
        "axes/accessfailurelog": (403, 403, 302, 403, 403, 302),
    }
    for model, codes in office_status.items():
        suffixes = [
            "",
            "add/",
            "<path:object_id>/history/",
            "<path:object_id>/delete/",
            "<path:object_id>/change/",
            "<path:object_id>/",
        ]
        for suffix, code in zip(suffixes, codes, strict=True):
            MATRIX[f"admin/{model}/{suffix}"] = ("GET", None, STAFF(code))


_admin_model_rows()


def routes() -> list[str]:
    def walk(patterns: list[Any], prefix: str) -> list[str]:
        out = []
        for p in patterns:
            if isinstance(p, URLResolver):
                out += walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                out.append(prefix + str(p.pattern))
        return out

    return walk(get_resolver().url_patterns, "")


def test_every_route_has_a_row() -> None:
    found = set(routes())
    assert found - set(MATRIX) == set(), "a route without an expected status per role"
    assert set(MATRIX) - found == set(), "a row for a route that no longer exists"


def test_every_api_operation_has_a_row() -> None:
    """ninja serves every method of an API path from one URL pattern: a method added to an existing path
    (a DELETE beside a PUT) must show up here too."""
    from kaohe.assessments.api import api

    operations = {
        (re.sub(r"\{(\w+)\}", r"<\1>", path.removeprefix("/")), method.upper())
        for path, methods in api.get_openapi_schema()["paths"].items()
        for method in methods
    }
    rows = {(route, method) for route, (method, _, _) in MATRIX.items()}
    assert operations - rows == set(), "an API operation without an expected status per role"


def _object_for_admin(world: World, route: str) -> str:
    model = route.split("/")[1:3]
    pks: dict[tuple[str, str], Callable[[], int]] = {
        ("auth", "group"): lambda: Group.objects.get(name="考核办").pk,
        ("auth", "user"): lambda: world.people["alice"].pk,
        ("audit", "auditlog"): lambda: AuditLog.objects.order_by("seq").first().pk,  # type: ignore[union-attr]
        ("assessments", "unit"): lambda: world.units["A"].pk,
        ("assessments", "membership"): lambda: Membership.objects.order_by("pk").first().pk,  # type: ignore[union-attr]
        ("assessments", "cycle"): lambda: world.cycle.pk,
        ("assessments", "responsibilityletter"): lambda: world.cycle.letters.order_by("pk").first().pk,  # type: ignore[union-attr]
        # a sign-in record that exists on every database (PostgreSQL's sequences do not restart at 1 per test)
        ("axes", "accesslog"): lambda: AccessLog.objects.create(username="alice", ip_address="127.0.0.1").pk,
    }
    pk = pks.get((model[0], model[1]) if len(model) == 2 else ("", ""))
    return str(pk()) if pk else "1"


def url_for(route: str, world: World, evidence_id: int, appeal_id: int = 999_999, file_id: int = 999_999) -> str:
    a = world.assessment("A")
    item = world.item("A", "2")
    values = {
        "cycle_id": world.cycle.pk,
        "assessment_id": a.pk,
        "item_id": item.pk,
        "evidence_id": evidence_id,
        "letter_id": world.cycle.letters.get(unit=world.units["A"]).pk,
        "id": world.people["alice"].pk,
        "content_type_id": ContentType.objects.get(app_label="assessments", model="unit").pk,
        "appeal_id": appeal_id,
        "file_id": file_id,
    }
    if route.startswith(("ledgers/", "api/ledgers/")):
        return _ledger_url(route, world)
    special = {
        "admin/^(?P<app_label>auth|axes|audit|assessments)/$": "/admin/assessments/",
        "admin/(?P<url>.*)$": "/admin/no-such-page/",
    }
    if route in special:
        return special[route]
    path = route
    for key, value in values.items():
        path = (
            path.replace(f"<int:{key}>", str(value))
            .replace(f"<path:{key}>", str(value))
            .replace(f"<{key}>", str(value))
        )
    if "<path:object_id>" in path:
        path = path.replace("<path:object_id>", _object_for_admin(world, route))
    if path.startswith("admin/r/"):
        path = path.replace("<path:object_id>", str(world.units["A"].pk))
    return "/" + path


def _ledger_url(route: str, world: World) -> str:
    """A register route for 甲市's rows: a rectification problem (the step 进展报告) or, on the complaints route, a
    case, each imported by the office."""
    from kaohe.ledgers import actions as ledger_actions
    from kaohe.ledgers.imports import read_ledger_file
    from tests.ledgers.helpers import RECTIFICATION_ROWS, workbook

    office = world.people["alice"]
    table = read_ledger_file("rectification", "a.xlsx", workbook("rectification", RECTIFICATION_ROWS[:1]))
    problem = ledger_actions.check_import_register(table=table, acting_user=office)[0].row
    case = {"unit_id": "220100", "case_id": "C-1", "channel": "网络", "due_on": "2030-01-01"}
    table = read_ledger_file("complaints", "b.xlsx", workbook("complaints", [case]))
    complaint = ledger_actions.check_import_register(table=table, acting_user=office)[0].row
    kind = "complaints" if route.startswith("ledgers/complaints/") else "rectification"
    row_id = complaint.pk if kind == "complaints" else problem.pk
    if "<int:file_id>" in route:  # 甲市's progress report with one file
        from kaohe.ledgers.models import RectificationProblem

        pdf = SimpleUploadedFile("简报.pdf", b"%PDF-1.4\n%%EOF\n")
        assert isinstance(problem, RectificationProblem)
        report = ledger_actions.do_add_report(
            problem=problem, date=dt.date(2025, 1, 31), text="进展", acting_user=None, files=[(pdf, "application/pdf")]
        )
        route = route.replace("<int:file_id>", str(report.files.get().pk))
    path = (
        route.replace("<ledger:kind>", kind)
        .replace("<kind>", kind)
        .replace("<int:row_id>", str(row_id))
        .replace("<row_id>", str(row_id))
        .replace("<str:step>", "progress")
    )
    return "/" + path


def statuses(world: World, route: str, method: str, body: Any, url: str) -> dict[str, int]:
    got = {}
    for role in ROLES:
        client = world.client(role)
        if method == "GET":
            response = client.get(url)
        elif route.startswith("api/"):
            response = client.generic(method, url, json.dumps(body), content_type="application/json")
        else:
            response = client.post(url, body)
        got[role] = response.status_code
        if response.streaming:
            # A download streams an open file; the test client closes it once the stream is read to the end.
            b"".join(response.streaming_content)  # type: ignore[attr-defined]  # django-stubs: no streaming_content
    return got


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_route_answers_each_role_as_expected(db: Any, route: str) -> None:
    world = build_world()
    item = world.item("A", "2")
    pdf = SimpleUploadedFile("监测报告.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    evidence = actions.check_add_evidence(item=item, upload=pdf, acting_user=world.people["fay"])
    method, body, expected = MATRIX[route]
    url = url_for(route, world, evidence.pk)
    assert statuses(world, route, method, body, url) == expected, url


# Once 甲市 has submitted, the verifiers see it, and only the lead unit of indicator 2 (生态环境局, vera) may verify
# that item; the unit can no longer edit it.
SUBMITTED: dict[str, tuple[str, Any, dict[str, int]]] = {
    "assessments/<int:assessment_id>/": ("GET", None, S(302, 200, 200, 200, 200, 403, 200, 200)),
    "items/<int:item_id>/verify/": ("GET", None, S(302, 403, 403, 403, 403, 403, 200, 403)),
    "items/<int:item_id>/": ("POST", {}, S(302, 403, 403, 403, 403, 403, 403, 403)),
    "items/<int:item_id>/evidence/": ("POST", {}, S(302, 403, 403, 403, 403, 403, 403, 403)),
    "assessments/<int:assessment_id>/submit/": ("POST", {}, S(302, 403, 403, 403, 403, 403, 403, 403)),
    # vera may, but an emptied value needs a reason (checked before the version)
    "api/items/<item_id>/verification": (
        "POST",
        {"values": {}, "version": 999},
        S(401, 403, 403, 403, 403, 403, 400, 403),
    ),
    "evidence/<int:evidence_id>/": ("GET", None, S(302, 200, 200, 200, 200, 403, 200, 200)),
    "evidence/<int:evidence_id>/preview/": ("GET", None, S(302, 200, 200, 200, 200, 403, 200, 200)),
    # submitted: the files stay as they are (until an item is returned)
    "evidence/<int:evidence_id>/replace/": ("POST", {}, S(302, 403, 403, 403, 403, 403, 403, 403)),
    "evidence/<int:evidence_id>/delete/": ("POST", {}, S(302, 403, 403, 403, 403, 403, 403, 403)),
    # vera leads indicator 2 and now writes in its thread too; walt does not
    "items/<int:item_id>/comments/": ("POST", {}, S(302, 302, 403, 302, 302, 403, 302, 403)),
}


@pytest.mark.parametrize("route", sorted(SUBMITTED))
def test_route_answers_each_role_once_submitted(db: Any, route: str) -> None:
    world = build_world()
    item = world.item("A", "2")
    pdf = SimpleUploadedFile("监测报告.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    evidence = actions.check_add_evidence(item=item, upload=pdf, acting_user=world.people["fay"])
    world.fill("A")
    world.submit("A")
    method, body, expected = SUBMITTED[route]
    url = url_for(route, world, evidence.pk)
    assert statuses(world, route, method, body, url) == expected, url


# Once 甲市 is verified (issue 8 §1.3) its figures change only through 重新核实 (the office, with a reason) and the
# verifiers' new verification: nobody may save a self-reported value, upload evidence, submit or verify.
VERIFIED: dict[str, tuple[str, Any, dict[str, int]]] = {
    "items/<int:item_id>/": ("POST", {}, S(302, 403, 403, 403, 403, 403, 403, 403)),
    "items/<int:item_id>/evidence/": ("POST", {}, S(302, 403, 403, 403, 403, 403, 403, 403)),
    # vera leads item 2: a page that says why it cannot be verified now (409), never a bare 403 (issue 10 §1)
    "items/<int:item_id>/verify/": ("GET", None, S(302, 403, 403, 403, 403, 403, 409, 403)),
    "items/<int:item_id>/return/": ("POST", {}, S(302, 403, 403, 403, 403, 403, 409, 403)),
    "assessments/<int:assessment_id>/submit/": ("POST", {}, S(302, 403, 403, 403, 403, 403, 403, 403)),
    # the office may (an empty form: a redirect with "a reason is required"), nobody else
    "assessments/<int:assessment_id>/reopen/": ("POST", {}, S(302, 302, 403, 403, 403, 403, 403, 403)),
    "assessments/<int:assessment_id>/sheet/upload/": ("GET", None, S(302, 403, 403, 403, 403, 403, 403, 403)),
    "assessments/<int:assessment_id>/sheet/apply/": ("POST", {}, S(302, 403, 403, 403, 403, 403, 403, 403)),
    "api/items/<item_id>": (
        "PUT",
        {"values": {"good_days": 99}, "version": 999},
        S(401, 403, 403, 403, 403, 403, 403, 403),
    ),
    "api/items/<item_id>/verification": ("POST", {"values": {}, "version": 999}, API_NOBODY),
    "evidence/<int:evidence_id>/replace/": ("POST", {}, S(302, 403, 403, 403, 403, 403, 403, 403)),
    "evidence/<int:evidence_id>/delete/": ("POST", {}, S(302, 403, 403, 403, 403, 403, 403, 403)),
}


def _verified_world() -> tuple[World, int]:
    world = build_world()
    item = world.item("A", "2")
    pdf = SimpleUploadedFile("监测报告.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    evidence_row = actions.check_add_evidence(item=item, upload=pdf, acting_user=world.people["fay"])
    world.fill("A")
    world.submit("A")
    world.verify_all("A")
    assert world.assessment("A").state == "verified"
    return world, evidence_row.pk


@pytest.mark.parametrize("route", sorted(VERIFIED))
def test_route_answers_each_role_once_verified(db: Any, route: str) -> None:
    world, evidence_id = _verified_world()
    method, body, expected = VERIFIED[route]
    url = url_for(route, world, evidence_id)
    assert statuses(world, route, method, body, url) == expected, url
    assert world.item("A", "2").values == {"good_days": 86.5}


def test_a_superuser_flag_is_no_way_round_a_role_or_a_state(db: Any) -> None:
    """Django's superuser makes user.has_perm say yes to everything; the workflow asks the role rules instead, so
    a superuser (the demo's office was one) cannot rewrite a verified unit's figure, on a screen or in an action."""
    from django.contrib.auth.models import User
    from django.test import Client

    world, evidence_id = _verified_world()
    root = User.objects.create_superuser("root", password="pw")
    client = Client()
    client.force_login(root)
    for route, (method, body, _) in VERIFIED.items():
        url = url_for(route, world, evidence_id)
        if method == "GET":
            status = client.get(url).status_code
        elif route.startswith("api/"):
            status = client.generic(method, url, json.dumps(body), content_type="application/json").status_code
        else:
            status = client.post(url, body).status_code
        assert status == 403, url
    item = world.item("A", "2")
    with pytest.raises(actions.ActionError, match="没有权限"):
        actions.check_save_self_evaluation(
            item=item,
            raw_values={"good_days": "99"},
            self_score=None,
            explanation="",
            version=item.version,
            acting_user=root,
        )
    with pytest.raises(actions.ActionError, match="没有权限"):
        actions.check_submit(assessment=world.assessment("A"), acting_user=root)
    # the write itself refuses too, under the assessment's lock, whoever calls it
    with pytest.raises(actions.ActionError, match="已核实"):
        actions.do_save_self_evaluation(
            item=item,
            values={"good_days": 99.0},
            self_score=None,
            explanation="",
            version=item.version,
            acting_user=world.people["alice"],
        )
    item = world.item("A", "2")
    assert (item.values, item.status, world.assessment("A").state) == ({"good_days": 86.5}, "accepted", "verified")


def test_screens_show_only_the_steps_the_role_and_state_allow(db: Any) -> None:
    world, _ = _verified_world()
    url = f"/assessments/{world.assessment('A').pk}/"
    office = world.client("alice").get(url).content.decode()
    assert "重新核实" in office and "提交自评" not in office
    # no form that saves an item or uploads evidence (the item's thread keeps its comment form: issue 10 §2)
    item_form = re.compile(r'action="/items/\d+/(evidence/)?"')
    assert not item_form.search(office) and "上传自评表" not in office
    head = world.client("hank").get(url).content.decode()
    assert "提交自评" not in head and not item_form.search(head) and "重新核实" not in head
    assert 'action="/evidence/' not in head  # nor replaces or deletes a file
    # the dashboard offers 综合评价 only when every unit is verified, 通报 only once approved
    dashboard = world.client("alice").get(f"/cycles/{world.cycle.pk}/").content.decode()
    assert (
        f"/cycles/{world.cycle.pk}/evaluate/" not in dashboard and f"/cycles/{world.cycle.pk}/publish/" not in dashboard
    )
    for unit in ("B", "C"):
        world.fill(unit)
        world.submit(unit)
        world.verify_all(unit)
    dashboard = world.client("alice").get(f"/cycles/{world.cycle.pk}/").content.decode()
    assert f"/cycles/{world.cycle.pk}/evaluate/" in dashboard and f"/cycles/{world.cycle.pk}/publish/" not in dashboard
    # a superuser without a role sees no workflow step either (the templates' perms are the role rules)
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw"))
    assert client.get(f"/cycles/{world.cycle.pk}/").status_code == 403
    assert "审计日志" not in client.get("/public/").content.decode()


def test_a_superuser_without_a_role_cannot_download_unpublished_results(world: World) -> None:
    """The results workbook and the 通报 of an evaluated, unpublished cycle are the office's and the approver's;
    the download check asks the role rules, so Django's superuser flag does not open them."""
    from django.contrib.auth.models import User
    from django.test import Client

    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw"))
    for name in ("results.xlsx", "notice.docx"):
        assert client.get(f"/cycles/{world.cycle.pk}/{name}").status_code == 403, name
        assert world.client("alice").get(f"/cycles/{world.cycle.pk}/{name}").status_code == 200, name


# 公示 (issue 10 §4): the cycle approved with 7 days of 公示, 甲市's head has appealed with a file. Each unit sees its
# own draft result and the ranking list (公示稿), never another unit's result; the public sees nothing; only 甲市's
# head appeals for 甲市; the office decides, the approver reads.
PUBLICITY: dict[str, tuple[str, Any, dict[str, int]]] = {
    "assessments/<int:assessment_id>/result/": ("GET", None, S(302, 200, 200, 200, 200, 403, 403, 403)),
    "cycles/<int:cycle_id>/publicity/": ("GET", None, S(302, 200, 200, 200, 200, 200, 403, 403)),
    "cycles/<int:cycle_id>/appeals/": ("GET", None, S(302, 200, 200, 403, 403, 403, 403, 403)),
    "appeals/<int:appeal_id>/decide/": ("POST", {}, OFFICE_POST),  # the office's empty form: back with the error
    "appeal-files/<int:file_id>/": ("GET", None, UNIT_A_READERS),
    "assessments/<int:assessment_id>/appeal/": ("POST", {}, S(302, 403, 403, 403, 302, 403, 403, 403)),
    "cycles/<int:cycle_id>/publicity-days/": ("POST", {"publicity_days": 3}, OFFICE_POST),  # refused in words
    "public/<int:cycle_id>/": ("GET", None, S(302, 403, 403, 403, 403, 403, 403, 403)),
}


@pytest.mark.parametrize("route", sorted(PUBLICITY))
def test_publicity_routes_answer_each_role_as_expected(db: Any, route: str) -> None:
    from kaohe.assessments import appeals

    world = build_world()
    office = world.people["alice"]
    appeals.check_set_publicity_days(cycle=world.cycle, days=7, acting_user=office)
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=office)
    actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    pdf = SimpleUploadedFile("申诉材料.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    appeal = appeals.check_lodge_appeal(
        assessment=world.assessment("A"), reasons="第 2 项有误", files=[pdf], acting_user=world.people["hank"]
    )
    method, body, expected = PUBLICITY[route]
    url = url_for(route, world, 0, appeal_id=appeal.pk, file_id=appeal.evidence.get().pk)
    assert statuses(world, route, method, body, url) == expected, url
