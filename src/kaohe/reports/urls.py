from django.urls import path

from kaohe.reports import views

app_name = "reports"

urlpatterns = [
    path("assessments/<int:assessment_id>/sheet.xlsx", views.sheet_download, name="sheet_download"),
    path("assessments/<int:assessment_id>/sheet/upload/", views.sheet_upload, name="sheet_upload"),
    path("assessments/<int:assessment_id>/sheet/apply/", views.sheet_apply, name="sheet_apply"),
    path("cycles/<int:cycle_id>/results.xlsx", views.results_export, name="results_export"),
    path("cycles/<int:cycle_id>/notice.docx", views.notice_download, name="notice"),
]
