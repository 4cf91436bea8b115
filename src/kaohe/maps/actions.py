"""Writes of ``kaohe.maps``.

check_upload_area_map ─► geojson.parse_area (all problems at once) ─► do_upload_area_map
                                                                    └─► do_append_audit("map.upload")
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from kaohe.assessments.access import REFUSED
from kaohe.assessments.actions import ActionError
from kaohe.assessments.models import Unit
from kaohe.assessments.rules import allowed
from kaohe.audit.actions import do_append_audit
from kaohe.maps.geojson import Area, parse_area
from kaohe.maps.models import AreaMap


def check_upload_area_map(*, raw: bytes, file_name: str, code_property: str, acting_user: Any) -> tuple[AreaMap, Area]:
    """Validate and store the office's map; raises ``MapFileError`` (nothing stored) or ``ActionError``."""
    if not allowed(acting_user, "maps.manage_map"):
        raise ActionError(gettext(REFUSED))
    units = dict(Unit.objects.order_by("code").values_list("code", "name"))
    area = parse_area(raw, file_name=file_name, code_property=code_property, units=units)
    sha256 = hashlib.sha256(raw).hexdigest()
    saved = do_upload_area_map(
        area=area, file_name=file_name, code_property=code_property, sha256=sha256, acting_user=acting_user
    )
    return saved, area


def _summary(area_map: AreaMap) -> dict[str, Any]:
    return {
        "file": area_map.file_name,
        "code_property": area_map.code_property,
        "features": area_map.feature_count,
        "sha256": area_map.sha256,
    }


def do_upload_area_map(*, area: Area, file_name: str, code_property: str, sha256: str, acting_user: Any) -> AreaMap:
    """Replace the map (one row) with ``area``; the entry's old and new values name the files and their SHA-256."""
    with transaction.atomic():
        area_map = AreaMap.objects.select_for_update().order_by("-pk").first()
        old = None if area_map is None else _summary(area_map)
        if area_map is None:
            area_map = AreaMap()
        area_map.file_name = file_name[:255]
        area_map.code_property = code_property
        area_map.sha256 = sha256
        area_map.feature_count = len(area.codes)
        area_map.geojson = area.geojson
        area_map.uploaded_by = acting_user
        area_map.uploaded_at = timezone.now()
        area_map.save()
        do_append_audit(
            acting_user=acting_user,
            action="map.upload",
            obj=area_map,
            what=area_map.file_name,
            old=old,
            new=_summary(area_map),
        )
    return area_map
