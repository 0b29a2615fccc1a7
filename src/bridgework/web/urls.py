from django.urls import path

from bridgework.web.views import home

app_name = "web"
urlpatterns = [
    path("", home.home, name="home"),
    path("networks/switch/", home.switch_network, name="switch_network"),
]
