from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kaohe.assessments.api import api

admin.site.site_header = "考核管理后台"
admin.site.site_title = "考核"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("kaohe.assessments.urls")),
    path("", include("kaohe.reports.urls")),
]
