"""The area map: a single row, replaced by each upload (``actions.do_upload_area_map``, audited)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaMap(models.Model):
    """The office's GeoJSON, as validated by ``kaohe.maps.geojson``: a FeatureCollection whose features keep their
    geometry and, as properties, only ``code`` (the unit code read from the property the office named)."""

    file_name = models.CharField(_("文件名"), max_length=255)
    code_property = models.CharField(_("单位代码属性"), max_length=64)
    sha256 = models.CharField(max_length=64)
    feature_count = models.PositiveIntegerField(_("要素数"))
    geojson = models.JSONField(_("地图数据"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("单位地图")
        verbose_name_plural = _("单位地图")

    def __str__(self) -> str:
        return self.file_name

    @classmethod
    def current(cls) -> AreaMap | None:
        """The map in use (the newest upload), or None before the office uploads one."""
        return cls.objects.order_by("-pk").first()
