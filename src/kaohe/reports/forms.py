from django import forms

from kaohe.reports import excel
from kaohe.reports.models import DocumentSettings


class SheetUploadForm(forms.Form):
    file = forms.FileField(label="填好的自评表（.xlsx）")

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传从本系统下载的 .xlsx 自评表")
        # Checked before the view reads the file into memory.
        if (upload.size or 0) > excel.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"文件过大：最大 {excel.MAX_UPLOAD_BYTES // 1024 // 1024} MB")
        return upload


class ApplyForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


class DocumentSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    """A cycle's 发文机关, 文号, 主送 and 落款 (kaohe.reports.models.DocumentSettings)."""

    class Meta:
        model = DocumentSettings
        fields = ["issuer", "number_pattern", "notice_number", "addressees", "signer", "date_style"]
        widgets = {"addressees": forms.Textarea(attrs={"rows": 4, "cols": 40})}

    def clean_number_pattern(self) -> str:
        pattern: str = self.cleaned_data["number_pattern"]
        if "{n}" not in pattern:
            raise forms.ValidationError("发文字号格式须含 {n}（序号），例如 环考〔{year}〕{n}号")
        return pattern
