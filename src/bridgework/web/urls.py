from django.urls import path

from bridgework.web.views import health, home

app_name = "web"
urlpatterns = [
    path("", home.home, name="home"),
    path("healthz/", health.health, name="health"),
    path("networks/switch/", home.switch_network, name="switch_network"),
]
