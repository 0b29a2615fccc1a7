"""PDF reports for board papers, read back as text and compared with the pages they print:
RC wave results, a network survey's organisation summary, a programme's evaluation. Every
figure the page shows is in the PDF; nothing the page hides is; the same logins may download
them as may open the pages, and another network's records answer 404."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from bridgework.ona.models import Nomination
from bridgework.surveys.models import Wave
from bridgework.surveys.results import wave_figures, wave_frame
from tests.factories import (
    answer_survey,
    close_wave,
    give_feedback,
    make_organisation_wave,
    make_survey,
    run_round,
)
from tests.web.pdf_text import pdf_text

DECIMAL = re.compile(r"-?\d+\.\d+")


def page_text(response) -> str:
    """The words of a page's main content, as a reader sees them."""
    body = response.content.decode()
    main = body[body.index("<main") : body.index("</main>")]
    main = re.sub(r"<script.*?</script>", " ", main, flags=re.S)
    main = re.sub(r'<span class="govuk-visually-hidden">.*?</span>', " ", main, flags=re.S)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", main)))


def download(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    return response, pdf_text(response.content)


def assert_same_decimals(page: str, pdf: str, *, method_only: set[str] = frozenset()) -> None:
    """Every decimal figure of the page is in the PDF, and the PDF has no other (except the
    constants its method note quotes)."""
    on_page, in_pdf = set(DECIMAL.findall(page)), set(DECIMAL.findall(pdf))
    assert on_page, "the page shows no figure: the comparison would prove nothing"
    assert on_page <= in_pdf, sorted(on_page - in_pdf)
    assert in_pdf <= on_page | method_only, sorted(in_pdf - on_page - method_only)


# --- RC wave results ----------------------------------------------------------------------


@pytest.fixture
def rc_wave(network_a) -> Wave:
    survey = make_survey(network_a, sizes=(6, 2, 7))  # Group 1: 2 respondents, below 5
    answer_survey(survey)
    close_wave(survey.wave)
    return survey.wave


def rc_url(wave: Wave) -> str:
    return f"/n/{wave.network.slug}/surveys/waves/{wave.pk}/results.pdf"


@pytest.mark.django_db
def test_rc_report_shows_every_figure_of_the_results_page(analyst, rc_wave):
    page = page_text(analyst.get(f"/n/alpha/surveys/waves/{rc_wave.pk}/results/"))
    response, pdf = download(analyst, rc_url(rc_wave))
    assert response["Content-Disposition"].endswith(
        re.search(r"rc-results-wave-1-\d{4}-\d{2}-\d{2}\.pdf", response["Content-Disposition"])[0]
        + '"'
    )
    figures = wave_figures(rc_wave)
    shown = [c for c in figures.analysis.cells if not c.suppressed]
    assert shown
    for cell in shown:
        # Value, band in words, n and range, in the cell as on the page.
        expected = f"{cell.rc:.2f} {cell.band} n {cell.n}, {cell.ci[0]:.2f}–{cell.ci[1]:.2f}"
        assert expected in pdf
        assert f"{cell.rc:.2f} {cell.band} n {cell.n}" in page
    overall = figures.analysis.overall
    assert f"Overall RC (each respondent counts once) {overall.respondent_weighted:.2f}" in pdf
    assert f"{overall.n_respondents} respondents." in pdf
    assert_same_decimals(page, pdf)
    # The bands legend and the method note.
    assert "weak RC below 3.5 moderate RC 3.5 to 4.0 strong RC above 4.0" in pdf
    assert "How these figures are made" in pdf
    assert "No figure rests on fewer than 5 respondents" in pdf
    assert "Cronbach" in pdf
    # A4 header and page numbers.
    assert "Alpha · Discharge: Wave 1" in pdf
    assert re.search(r"Page 1 of \d", pdf)
    # Written to the audit log like every download.
    from bridgework.audit.models import AuditEvent

    event = AuditEvent.objects.filter(network=rc_wave.network, action="export_downloaded").last()
    assert event.details == {"export": "RC results PDF"}
    assert event.actor_email == "analyst@alpha.example"


@pytest.mark.django_db
def test_rc_report_keeps_a_suppressed_cell_suppressed(coordinator, rc_wave):
    _, pdf = download(coordinator, rc_url(rc_wave))
    figures = wave_figures(rc_wave)
    hidden = [c for c in figures.analysis.cells if c.suppressed]
    assert hidden
    assert pdf.count("suppressed fewer than 5 respondents, or could reveal such a cell") == len(
        hidden
    )
    # The attacker's check: the small group's true means, formatted as the page formats
    # them, are nowhere in the PDF (nor on the page, or this test would prove nothing).
    frame = wave_frame(rc_wave)
    indices = frame.groupby(["respondent_id", "respondent_workgroup", "target_workgroup"])[
        "score"
    ].mean()
    true_means = indices.groupby(["respondent_workgroup", "target_workgroup"]).mean()
    small = {f"{value:.2f}" for (rater, _), value in true_means.items() if rater == "Group 1"}
    assert small
    assert all(float(v) < 2.2 for v in small)
    page = page_text(coordinator.get(f"/n/alpha/surveys/waves/{rc_wave.pk}/results/"))
    for value in small:
        assert value not in page
        assert value not in pdf, value
    for value in DECIMAL.findall(pdf):
        assert not 1 <= float(value) < 2.2 or value in page, value


@pytest.mark.django_db
def test_rc_report_needs_a_member_and_a_wave_of_that_network(
    client, analyst, coordinator, rc_wave, network_b
):
    from tests.factories import login_with

    assert analyst.get(rc_url(rc_wave)).status_code == 200
    assert coordinator.get(rc_url(rc_wave)).status_code == 200
    assert client.get(rc_url(rc_wave)).status_code == 302  # to sign in
    outsider = login_with(network_b, "coordinator", "coord@beta.example")
    assert outsider.get(rc_url(rc_wave)).status_code == 404
    other = make_survey(network_b, sizes=(6,))
    answer_survey(other)
    close_wave(other.wave)
    assert coordinator.get(f"/n/alpha/surveys/waves/{other.wave.pk}/results.pdf").status_code == (
        404
    )


@pytest.mark.django_db
def test_rc_report_waits_for_results_like_the_page(coordinator, network_a):
    survey = make_survey(network_a, sizes=(6,))
    answer_survey(survey)  # still open, no live results
    response = coordinator.get(rc_url(survey.wave))
    assert response.status_code == 302
    assert response["Location"].endswith(f"/waves/{survey.wave.pk}/results/")


@pytest.mark.django_db
def test_results_page_links_to_the_pdf(analyst, rc_wave):
    html = analyst.get(f"/n/alpha/surveys/waves/{rc_wave.pk}/results/").content.decode()
    assert f'href="/n/alpha/surveys/waves/{rc_wave.pk}/results.pdf"' in html
    assert "Download PDF" in html


@pytest.mark.django_db
def test_a_wave_name_that_looks_like_markup_is_printed_not_fetched(coordinator, rc_wave):
    Wave.objects.filter(pk=rc_wave.pk).update(name='<img src="http://192.0.2.1/x.png"> Spring')
    _, pdf = download(coordinator, rc_url(rc_wave))
    assert '<img src="http://192.0.2.1/x.png"> Spring' in pdf


# --- network survey: organisation summary -------------------------------------------------


@pytest.fixture
def org_wave(network_a):
    """Three organisations where everyone answered, and Tiny Trust, where two did (below 5)."""
    sizes = {"North Agency": 7, "South Agency": 6, "East Agency": 6, "Tiny Trust": 2}
    wave, people = make_organisation_wave(network_a, sizes)
    # One Tiny Trust person also names three more North colleagues: Tiny → North becomes
    # 5 ties of 2 × 7 possible, a density no shown figure has.
    for alter in people["North Agency"][2:5]:
        Nomination.objects.create(
            network=network_a,
            wave=wave,
            ego=people["Tiny Trust"][1],
            alter=alter,
            relation="works_with",
            weight=4,
        )
    return network_a, wave, people


def org_url(wave) -> str:
    return f"/n/{wave.network.slug}/networks/waves/{wave.pk}/map.pdf"


@pytest.mark.django_db
def test_network_report_shows_the_organisation_figures_of_the_map_page(analyst, org_wave):
    network, wave, _ = org_wave
    page = page_text(analyst.get(f"/n/{network.slug}/networks/waves/{wave.pk}/map/"))
    response, pdf = download(analyst, org_url(wave))
    assert "network-summary-map-" in response["Content-Disposition"]
    assert "21 of 21 people asked answered (100%)" in page
    assert "21 of 21 people asked answered (100%)" in pdf
    from bridgework.ona.results import organisation_figures

    org = organisation_figures(wave)["org"]
    for row in org["summary"]:
        if row["visible"]:
            share = round(row["share_no_outside_tie"] * 100)
            expected = (
                f"{row['name']} {row['size']} {row['respondents']} {row['ties_within']} "
                f"{row['ties_out']} {row['ei_index']:.2f} {share}% {row['isolates']}"
            )
            assert expected in page
            assert expected in pdf
    for link in org["links"]:
        assert f"{link['source']} {link['target']} {link['ties']}" in pdf
    assert_same_decimals(page, pdf, method_only={"0.01", "0.05", "0.2"})
    assert "Density shading" in pdf
    assert "How these figures are made" in pdf


@pytest.mark.django_db
def test_network_report_keeps_a_small_organisation_suppressed_and_names_nobody(
    coordinator, org_wave
):
    _, wave, people = org_wave
    _, pdf = download(coordinator, org_url(wave))
    assert "Tiny Trust 2 – Too few answers to show" in pdf
    # Tiny Trust's own row of the density matrix: every cell suppressed, and its true density
    # to North (5 ties of 2 × 7 possible) nowhere.
    assert "Tiny Trust suppressed" in pdf
    from bridgework.ona.results import analyse

    groups = analyse(wave)[0].group_level()["groups"]
    tiny, north = groups["names"].index("Tiny Trust"), groups["names"].index("North Agency")
    assert groups["density"][tiny][north] == pytest.approx(5 / 14)  # before suppression
    page = page_text(coordinator.get(f"/n/{wave.network.slug}/networks/waves/{wave.pk}/map/"))
    assert f"{5 / 14:.3f}" not in page
    assert f"{5 / 14:.3f}" not in pdf
    # Never the named map, even for a coordinator who may open it.
    names = [person.name for members in people.values() for person in members]
    assert len(names) == 21
    for name in names:
        assert name not in pdf, name


@pytest.mark.django_db
def test_network_report_needs_a_member_and_a_wave_of_that_network(
    client, analyst, org_wave, network_b
):
    from tests.factories import login_with

    _, wave, _ = org_wave
    assert analyst.get(org_url(wave)).status_code == 200
    assert client.get(org_url(wave)).status_code == 302
    outsider = login_with(network_b, "coordinator", "coord@beta.example")
    assert outsider.get(org_url(wave)).status_code == 404
    assert outsider.get(f"/n/beta/networks/waves/{wave.pk}/map.pdf").status_code == 404


# --- programme evaluation -----------------------------------------------------------------


def programme_url(round_) -> str:
    return f"/n/{round_.network.slug}/coffee/{round_.programme_id}/evaluation.pdf"


@pytest.mark.django_db
def test_programme_report_shows_the_dashboard_figures_without_comments(
    coordinator, analyst, network_a
):
    round_ = run_round(network_a)
    give_feedback(round_, 12, "Private thought number {i}.")
    dashboard = f"/n/alpha/coffee/{round_.programme_id}/dashboard/"
    page = page_text(analyst.get(dashboard))
    response, pdf = download(coordinator, programme_url(round_))
    assert "programme-evaluation-coffee-" in response["Content-Disposition"]
    for figure in ("100% of 12", "4.0 on average; 6 will work together"):
        assert figure in page
        assert figure in pdf
    from bridgework.programmes.dashboard import programme_dashboard

    d = programme_dashboard(round_.programme, respondent_level=False)
    for r in d.rounds:
        row = f"{r['participants']} {r['matched']} {r['sit_out']} {r['holdout']} {r['met']}"
        assert row in page
        assert row in pdf
    for name, counts in zip(d.organisations, d.matrix, strict=True):
        assert f"{name} {' '.join(str(n) for n in counts)}" in pdf
    assert_same_decimals(page, pdf)
    # Comments stay on the dashboard, for coordinators only.
    assert "Private thought" in coordinator.get(dashboard).content.decode()
    assert "Private thought" not in pdf
    assert "Why the comparison is fair" in pdf


@pytest.mark.django_db
def test_programme_report_hides_feedback_about_too_few_people(coordinator, network_a):
    round_ = run_round(network_a)
    give_feedback(round_, 4)
    _, pdf = download(coordinator, programme_url(round_))
    assert "Fewer than 5 people have given feedback on any one round" in pdf
    assert "Hidden: too few answers" in pdf
    assert "100% of 4" not in pdf
    assert "on average" not in pdf


@pytest.mark.django_db
def test_programme_report_needs_a_member_and_a_programme_of_that_network(
    client, analyst, network_a, network_b
):
    from tests.factories import login_with

    round_ = run_round(network_a)
    assert analyst.get(programme_url(round_)).status_code == 200
    assert client.get(programme_url(round_)).status_code == 302
    outsider = login_with(network_b, "coordinator", "coord@beta.example")
    assert outsider.get(programme_url(round_)).status_code == 404
    other = f"/n/beta/coffee/{round_.programme_id}/evaluation.pdf"
    assert outsider.get(other).status_code == 404


# --- the demo network: all three reports, as an analyst --------------------------------------


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_reports_match_their_pages_and_render_in_seconds():
    import time

    from bridgework.demo import demo_load
    from bridgework.directory.models import Network, Role
    from bridgework.ona.models import NetworkWave
    from bridgework.programmes.dashboard import programme_dashboard
    from bridgework.programmes.models import Programme
    from tests.factories import login_with

    demo_load()
    network = Network.objects.get(slug="riverbend-county")
    client = login_with(network, Role.ANALYST, "analyst@riverbend.example")
    base = f"/n/{network.slug}"
    wave = Wave.objects.get(network=network, name="Spring follow-up")
    network_wave = NetworkWave.objects.get(network=network)
    programme = Programme.objects.get(network=network)
    reports = [
        (f"{base}/surveys/waves/{wave.pk}/results/", f"{base}/surveys/waves/{wave.pk}/results.pdf"),
        (
            f"{base}/networks/waves/{network_wave.pk}/map/",
            f"{base}/networks/waves/{network_wave.pk}/map.pdf",
        ),
        (
            f"{base}/coffee/{programme.pk}/dashboard/",
            f"{base}/coffee/{programme.pk}/evaluation.pdf",
        ),
    ]
    texts = []
    for page_url, pdf_url in reports:
        page = page_text(client.get(page_url))
        started = time.perf_counter()
        _, pdf = download(client, pdf_url)
        # About 2–4 s each on a shared 2-core machine (docs/reports.md); far above means a
        # report grew a slow path.
        assert time.perf_counter() - started < 30, pdf_url
        assert_same_decimals(page, pdf, method_only={"0.01", "0.05", "0.2"})
        texts.append(pdf)
    rc_pdf, _, programme_pdf = texts
    # The RC comparison with the previous wave, as the page shows it.
    figures = wave_figures(wave)
    assert figures.comparison is not None
    assert "Change since Autumn baseline" in rc_pdf
    assert "suppressed fewer than 5 respondents" in rc_pdf
    # The evaluation estimates, with their intervals and cautions.
    d = programme_dashboard(programme, respondent_level=False)
    assert f"Difference {d.rc.difference:.2f} (95% interval {d.rc.ci[0]:.2f}" in programme_pdf
    assert f"p = {d.rc.p_value:.3f}" in programme_pdf
    assert f"of those matched ({d.ties.treated_n})" in programme_pdf
    assert "Read it as a hint, not a finding." in programme_pdf


def test_density_and_match_shades_follow_their_legends():
    from bridgework.ona.views.results import density_shade
    from bridgework.programmes.views.dashboard import match_shade

    densities = (None, 0, 0.005, 0.01, 0.049, 0.05, 0.2, 0.9)
    assert [density_shade(v) for v in densities] == [None, None, 0, 1, 1, 2, 3, 3]
    # Quarters of the largest count, 30: up to 7.5, 15, 22.5, then more.
    counts = (0, 1, 7, 8, 15, 16, 22, 23, 30)
    assert [match_shade(n, 30) for n in counts] == [None, 0, 0, 1, 1, 2, 2, 3, 3]


def test_each_report_carries_the_pictures_of_its_page(monkeypatch, analyst, rc_wave, org_wave):
    """The SVG pictures go into the HTML WeasyPrint lays out, beside the tables they draw."""
    from bridgework.web import pdf as pdf_module

    laid_out: list[str] = []
    real = pdf_module.html_to_pdf

    def keep(html: str, **kwargs) -> bytes:
        laid_out.append(html)
        return real(html, **kwargs)

    monkeypatch.setattr(pdf_module, "html_to_pdf", keep)
    round_ = run_round(rc_wave.network)
    give_feedback(round_, 12)
    _, wave, _ = org_wave
    expected = {
        rc_url(rc_wave): ["chart-rc-tie-map"],
        org_url(wave): ["chart-ona-ei-index", "chart-ona-ties"],
        programme_url(round_): ["chart-coffee-participation", "chart-coffee-ratings"],
    }
    for url, ids in expected.items():
        laid_out.clear()
        _, text = download(analyst, url)
        (html,) = laid_out
        for chart_id in ids:
            assert re.search(rf'<svg [^>]*id="{chart_id}"', html), (url, chart_id)
        assert "could not be drawn" not in html
        assert "could not be drawn" not in text
