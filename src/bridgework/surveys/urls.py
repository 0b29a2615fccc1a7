"""Survey pages of a network: every pattern here is under /n/<network>/surveys/."""

from django.urls import path

from bridgework.surveys.views import processes, progress, results, waves

app_name = "surveys"
urlpatterns = [
    path("", processes.home, name="home"),
    path("processes/new/", processes.create, name="processes_new"),
    path("processes/<int:pk>/", processes.show, name="processes_show"),
    path("processes/<int:pk>/edit/", processes.edit, name="processes_edit"),
    path("processes/<int:pk>/waves/new/", processes.wave_new, name="processes_wave_new"),
    path("waves/<int:pk>/", waves.show, name="waves_show"),
    path("waves/<int:pk>/edit/", waves.edit, name="waves_edit"),
    path("waves/<int:pk>/questions/", waves.questions, name="waves_questions"),
    path("waves/<int:pk>/invite/", waves.invite, name="waves_invite"),
    path("waves/<int:pk>/remind/", waves.remind, name="waves_remind"),
    path("waves/<int:pk>/copy/", waves.copy, name="waves_copy"),
    path("waves/<int:pk>/close/", waves.close, name="waves_close"),
    path("waves/<int:pk>/progress/", progress.progress, name="waves_progress"),
    path("waves/<int:pk>/results/", results.results, name="waves_results"),
    path("waves/<int:pk>/results/cell/", results.cell, name="waves_results_cell"),
    path("waves/<int:pk>/results/print/", results.print_page, name="waves_results_print"),
    path("waves/<int:pk>/results.pdf", results.report, name="waves_results_pdf"),
]
for _what in ("results", "change"):
    for _fmt in ("xlsx", "csv"):
        urlpatterns.append(
            path(
                f"waves/<int:pk>/{_what}.{_fmt}",
                results.download_view(_what, _fmt),
                name=f"waves_{_what}_{_fmt}",
            )
        )
