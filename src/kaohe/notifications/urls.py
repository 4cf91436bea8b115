from django.urls import path

from kaohe.notifications import views

urlpatterns = [
    path("notifications/", views.inbox, name="notification_inbox"),
    path("notifications/read/", views.mark_read, name="notification_read"),
    path("notifications/read-all/", views.mark_all_read, name="notification_read_all"),
]
