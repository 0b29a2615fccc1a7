"""Governance pages of a network: every pattern here is under /n/<network>/."""

from django.urls import path

from bridgework.governance import views

app_name = "governance"
urlpatterns = [
    path("people/<int:pk>/erase/", views.person_erase_view, name="people_erase"),
]
