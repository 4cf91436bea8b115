from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kaohe.web"
    label = "web"
    verbose_name = "kaohe"

    def ready(self) -> None:
        from kaohe.web import middleware  # noqa: F401  (connects the login-time stamp for the session lifetime)
