from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "kaohe.assessments"
    label = "assessments"
    verbose_name = "考核"
