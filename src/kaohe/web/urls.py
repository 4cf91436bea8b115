from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from kaohe.assessments.api import api

admin.site.site_header = "考核管理后台"
admin.site.site_title = "考核"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # CSRF-exempt: the public pages are served from a cache with the first visitor's token (see web/pagecache.py)
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("kaohe.assessments.urls")),
    path("", include("kaohe.reports.urls")),
    path("", include("kaohe.notifications.urls")),
    path("", include("kaohe.maps.urls")),
    path("", include("kaohe.ledgers.urls")),
]
