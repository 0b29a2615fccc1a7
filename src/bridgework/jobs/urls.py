"""Job pages, under /n/<network>/jobs/."""

from django.urls import path

from bridgework.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.index, name="jobs_index"),
    path("<int:pk>/", views.show, name="jobs_show"),
    path("<int:pk>/retry/", views.retry, name="jobs_retry"),
    path("downloads/<int:pk>/", views.export_download, name="exports_download"),
]
