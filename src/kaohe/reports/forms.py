from django import forms

from kaohe.reports import excel


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
