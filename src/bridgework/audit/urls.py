"""The audit log of a network: every pattern here is under /n/<network>/audit/."""

from django.urls import path

from bridgework.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.csv", views.export_csv, name="export_csv"),
]
