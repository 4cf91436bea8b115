"""Per-cycle settings of the official documents (GB/T 9704-2012): who issues them, the 文号, to whom, who signs."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kaohe.assessments.models import Cycle

DEFAULT_ISSUER = "生态环境保护目标责任考核办公室"
DEFAULT_NUMBER_PATTERN = "环考〔{year}〕{n}号"
DEFAULT_ADDRESSEES = "各被考核单位"


class DateStyle(models.TextChoices):
    # GB/T 9704-2012 7.3.5.4 writes the date in Arabic numerals; the 1999 edition's Chinese numerals on request.
    ARABIC = "arabic", _("阿拉伯数字（2026年12月6日，GB/T 9704-2012）")
    CHINESE = "chinese", _("汉字（二〇二六年十二月六日）")


class DocumentSettings(models.Model):
    """One cycle's 通报 and 目标责任书 settings. A cycle without a row uses the defaults (:meth:`for_cycle`)."""

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="document_settings")
    issuer = models.CharField(_("发文机关"), max_length=100, default=DEFAULT_ISSUER)
    number_pattern = models.CharField(
        _("发文字号格式"), max_length=100, default=DEFAULT_NUMBER_PATTERN, help_text=_("{year} 年份，{n} 序号")
    )
    notice_number = models.PositiveIntegerField(_("通报的序号"), default=1)
    addressees = models.TextField(_("主送机关"), default=DEFAULT_ADDRESSEES, help_text=_("每行一个"))
    signer = models.CharField(_("落款"), max_length=100, blank=True, help_text=_("留空则为发文机关"))
    date_style = models.CharField(_("成文日期"), max_length=16, choices=DateStyle.choices, default=DateStyle.ARABIC)

    class Meta:
        verbose_name = _("公文设置")
        verbose_name_plural = _("公文设置")

    def __str__(self) -> str:
        return f"{self.cycle} · {self.issuer}"

    @classmethod
    def for_cycle(cls, cycle: Cycle) -> DocumentSettings:
        """The cycle's settings, or unsaved defaults."""
        found = cls.objects.filter(cycle=cycle).first()
        return found if found is not None else cls(cycle=cycle)

    def number(self) -> str:
        """The 通报's 发文字号, e.g. 环考〔2026〕1号 (7.2.5: the year in 〔〕, no 第, no leading zeros)."""
        return self.number_pattern.replace("{year}", str(self.cycle.year)).replace("{n}", str(self.notice_number))

    def addressee_list(self) -> list[str]:
        return [line.strip() for line in self.addressees.splitlines() if line.strip()]

    def signed_by(self) -> str:
        return self.signer.strip() or self.issuer
