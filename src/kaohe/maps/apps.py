from django.apps import AppConfig


class MapsConfig(AppConfig):
    name = "kaohe.maps"
    label = "maps"
    verbose_name = "单位地图"
