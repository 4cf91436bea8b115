from django.urls import path

from kaohe.reports import views

app_name = "reports"

urlpatterns = [
    path("assessments/<int:assessment_id>/sheet.xlsx", views.sheet_download, name="sheet_download"),
    path("assessments/<int:assessment_id>/sheet/upload/", views.sheet_upload, name="sheet_upload"),
    path("assessments/<int:assessment_id>/sheet/apply/", views.sheet_apply, name="sheet_apply"),
    path("cycles/<int:cycle_id>/results.xlsx", views.results_export, name="results_export"),
    path("cycles/<int:cycle_id>/notice.docx", views.notice_download, name="notice"),
    path("cycles/<int:cycle_id>/notice.pdf", views.notice_download, {"as_pdf": True}, name="notice_pdf"),
    path("cycles/<int:cycle_id>/letters.docx", views.letters_download, name="letters"),
    path("cycles/<int:cycle_id>/letters.pdf", views.letters_download, {"as_pdf": True}, name="letters_pdf"),
    path("assessments/<int:assessment_id>/letter.docx", views.letter_download, name="letter"),
    path("assessments/<int:assessment_id>/letter.pdf", views.letter_download, {"as_pdf": True}, name="letter_pdf"),
    path("letters/<int:letter_id>.docx", views.issued_letter_download, name="issued_letter"),
    path("letters/<int:letter_id>.pdf", views.issued_letter_download, {"as_pdf": True}, name="issued_letter_pdf"),
    path("cycles/<int:cycle_id>/documents/", views.document_settings, name="document_settings"),
]
