from django.urls import path

from kaohe.assessments import views

urlpatterns = [
    path("", views.home, name="home"),
    path("todo/", views.todo, name="todo"),
    path("cycles/", views.cycle_list, name="cycle_list"),
    path("cycles/new/", views.cycle_new, name="cycle_new"),
    path("cycles/<int:cycle_id>/", views.cycle_dashboard, name="cycle_dashboard"),
    path("cycles/<int:cycle_id>/letters/", views.cycle_letters, name="cycle_letters"),
    path("cycles/<int:cycle_id>/findings/", views.cycle_findings, name="cycle_findings"),
    path("cycles/<int:cycle_id>/verify/", views.cycle_verification, name="cycle_verification"),
    path("cycles/<int:cycle_id>/approval/", views.cycle_approval, name="cycle_approval"),
    path("cycles/<int:cycle_id>/evaluate/", views.cycle_evaluate, name="cycle_evaluate"),
    path("cycles/<int:cycle_id>/approve/", views.cycle_approve, name="cycle_approve"),
    path("cycles/<int:cycle_id>/send-back/", views.cycle_send_back, name="cycle_send_back"),
    path("cycles/<int:cycle_id>/publish/", views.cycle_publish, name="cycle_publish"),
    path("cycles/<int:cycle_id>/import/", views.cycle_import, name="cycle_import"),
    path("letters/<int:letter_id>/", views.letter_issue, name="letter_issue"),
    path("assessments/<int:assessment_id>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:assessment_id>/submit/", views.assessment_submit, name="assessment_submit"),
    path("assessments/<int:assessment_id>/reopen/", views.assessment_reopen, name="assessment_reopen"),
    path("assessments/<int:assessment_id>/result/", views.assessment_result, name="assessment_result"),
    path("items/<int:item_id>/", views.item_save, name="item_save"),
    path("items/<int:item_id>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("items/<int:item_id>/verify/", views.item_verify, name="item_verify"),
    path("items/<int:item_id>/return/", views.item_return, name="item_return"),
    path("items/<int:item_id>/history/", views.item_history, name="item_history"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
    path("public/", views.public_index, name="public_index"),
    path("public/<int:cycle_id>/", views.public_results, name="public_results"),
    path("audit/", views.audit_log, name="audit_log"),
]
