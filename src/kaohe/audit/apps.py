from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kaohe.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from kaohe.audit import signals

        signals.connect(self)
