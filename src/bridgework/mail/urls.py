from django.urls import path

from bridgework.mail import views

app_name = "mail"
urlpatterns = [
    path("", views.index, name="outbox"),
    path("<int:pk>/", views.show, name="outbox_show"),
]
