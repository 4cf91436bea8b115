from django.urls import path

from kaohe.maps import views

app_name = "maps"

urlpatterns = [
    path("maps/", views.area_map, name="area_map"),
    path("maps/area.geojson", views.area_geojson, name="area_geojson"),
]
