from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "kaohe.reports"
    label = "reports"
    verbose_name = "报表与通报"
