"""Who may upload the area map (loaded by rules' autodiscovery). Seeing it needs no rule: its geometry is shown with
published results to everyone (``views.area_geojson``); the colours come with each page's own results."""

from __future__ import annotations

import rules

from kaohe.assessments.rules import is_office

rules.add_perm("maps.manage_map", is_office)  # type: ignore[no-untyped-call]  # rules is untyped
