from django.urls import path

from kaohe.ledgers import views

app_name = "ledgers"

urlpatterns = [
    path("ledgers/", views.ledger_index, name="index"),
    path("ledgers/public/", views.ledger_public, name="public"),
    path("ledgers/<ledger:kind>/", views.ledger_list, name="list"),
    path("ledgers/<ledger:kind>/export.xlsx", views.ledger_export, name="export"),
    path("ledgers/<ledger:kind>/template.xlsx", views.ledger_template, name="template"),
    path("ledgers/<ledger:kind>/import/", views.ledger_import, name="import"),
    path("ledgers/<ledger:kind>/import/apply/", views.ledger_import_apply, name="import_apply"),
    path("ledgers/<ledger:kind>/new/", views.ledger_row_new, name="row_new"),
    path("ledgers/<ledger:kind>/<int:row_id>/", views.ledger_detail, name="detail"),
    path("ledgers/<ledger:kind>/<int:row_id>/edit/", views.ledger_row_edit, name="row_edit"),
    # the steps of a rectification problem: progress, apply (unit); accept, send_back, extend (office)
    path("ledgers/rectification/<int:row_id>/<str:step>/", views.rectification_step, name="rectification_step"),
    path("ledgers/complaints/<int:row_id>/handle/", views.complaint_handle, name="complaint_handle"),
    path("ledgers/rectification/files/<int:file_id>/", views.report_file, name="report_file"),
    # 台账数据 into a cycle (issue 12 §2): the preview, then 确认导入 (the office)
    path("cycles/<int:cycle_id>/registers/", views.cycle_pull, name="cycle_pull"),
    path("cycles/<int:cycle_id>/registers/apply/", views.cycle_pull_apply, name="cycle_pull_apply"),
]
