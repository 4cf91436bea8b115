"""The office's map upload, and the map's geometry for the charts (read by static/js/history_map.js)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from kaohe.assessments.access import require
from kaohe.assessments.actions import ActionError
from kaohe.maps.actions import check_upload_area_map
from kaohe.maps.forms import AreaMapForm
from kaohe.maps.geojson import MAX_BYTES, MapFileError
from kaohe.maps.models import AreaMap


@login_required
@require_http_methods(["GET", "POST"])
def area_map(request: HttpRequest) -> HttpResponse:
    """上传单位地图: the current map, and the form to replace it; a refused file lists every problem."""
    require(request.user, "maps.manage_map")
    form = AreaMapForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        raw = upload.read(MAX_BYTES + 1)  # parse_area refuses anything longer, naming the bound
        try:
            saved, area = check_upload_area_map(
                raw=raw,
                file_name=upload.name or "map.geojson",
                code_property=form.cleaned_data["code_property"],
                acting_user=request.user,
            )
        except MapFileError as exc:
            problems = exc.problems
        except ActionError as exc:
            problems = [str(exc)]
        else:
            messages.success(request, f"已上传单位地图：{saved.file_name}，{saved.feature_count} 个单位")
            for warning in area.warnings:
                messages.warning(request, warning)
            return redirect("maps:area_map")
    current = AreaMap.objects.defer("geojson").order_by("-pk").first()
    status = 400 if problems else 200
    return render(
        request, "maps/area_map.html", {"form": form, "problems": problems, "current": current}, status=status
    )


@require_GET
def area_geojson(request: HttpRequest) -> HttpResponse:
    """The stored FeatureCollection (properties: ``code`` only). Public: the public results page shows the map of
    published results; the colours, which are results, come with each page."""
    current = AreaMap.current()
    if current is None:
        raise Http404("尚未上传单位地图")
    response = HttpResponse(json.dumps(current.geojson, separators=(",", ":")), content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=300"
    return response
