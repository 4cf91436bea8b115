from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "kaohe.ledgers"
    label = "ledgers"
    verbose_name = "台账"
