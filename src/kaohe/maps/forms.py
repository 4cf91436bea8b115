from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator

from kaohe.maps.geojson import MAX_BYTES


class AreaMapForm(forms.Form):
    file = forms.FileField(
        label="GeoJSON 文件",
        help_text=f"FeatureCollection，每单位一个 Polygon 或 MultiPolygon 要素，UTF-8，至多 {MAX_BYTES // 1048576} MB",
    )
    code_property = forms.CharField(
        label="单位代码所在的属性",
        max_length=64,
        initial="code",
        help_text="要素 properties 中存放单位代码的属性名，例如 code 或 adcode",
        validators=[RegexValidator(r"^[\w.-]+$", "属性名只能含字母、数字、下划线、点和连字符")],
    )
