from django import forms


class SheetUploadForm(forms.Form):
    file = forms.FileField(label="填好的自评表（.xlsx）")

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传从本系统下载的 .xlsx 自评表")
        return upload


class ApplyForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
