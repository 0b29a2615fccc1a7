"""Programme pages of a network: every pattern here is under /n/<network>/coffee/."""

from django.urls import path

from bridgework.programmes.views import dashboard, guides, programmes, rounds

app_name = "programmes"
urlpatterns = [
    path("", programmes.home, name="home"),
    path("new/", programmes.create, name="new"),
    path("guides/", guides.index, name="guides"),
    path("guides/new/", guides.create, name="guides_new"),
    path("guides/<int:pk>/edit/", guides.edit, name="guides_edit"),
    path("<int:pk>/", programmes.show, name="programmes_show"),
    path("<int:pk>/edit/", programmes.edit, name="programmes_edit"),
    path("<int:pk>/enrol/", programmes.enrol_everyone, name="programmes_enrol"),
    path("<int:pk>/rounds/new/", programmes.round_new, name="programmes_round_new"),
    path("<int:pk>/dashboard/", dashboard.show, name="programmes_dashboard"),
    path("<int:pk>/evaluation.pdf", dashboard.report, name="programmes_dashboard_pdf"),
    path("rounds/<int:pk>/", rounds.show, name="rounds_show"),
    path("rounds/<int:pk>/redraw/", rounds.redraw, name="rounds_redraw"),
    path("rounds/<int:pk>/publish/", rounds.publish, name="rounds_publish"),
    path("matches/<int:pk>/cancel/", rounds.match_cancel, name="matches_cancel"),
    path("matches/<int:pk>/time/", rounds.match_reschedule, name="matches_reschedule"),
]
