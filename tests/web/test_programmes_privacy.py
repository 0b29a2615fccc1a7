"""Privacy on the dashboard: comments only ever reach coordinators, never with who wrote them;
feedback figures about fewer people than the minimum group size are hidden from everyone (and
cannot be worked out by subtracting shown rounds from the total), the matched-versus-held-out
comparison is hidden from everyone when a group is that small, and nothing of another
network's programme shows."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from bridgework.ona.models import NetworkInvitation, NetworkWave, Nomination
from bridgework.programmes import services
from bridgework.programmes.dashboard import programme_dashboard
from bridgework.programmes.models import Feedback, Programme, Round
from tests.factories import give_feedback, run_round


def dashboard_url(round_: Round) -> str:
    return f"/n/{round_.network.slug}/coffee/{round_.programme_id}/dashboard/"


def test_analysts_never_see_individual_comments(coordinator, analyst, network_a):
    round_ = run_round(network_a)
    give_feedback(round_, 12, "Private thought number {i}.")
    coordinator_page = coordinator.get(dashboard_url(round_)).content.decode()
    analyst_page = analyst.get(dashboard_url(round_)).content.decode()
    for i in range(12):
        assert f"Private thought number {i}." in coordinator_page
        assert f"Private thought number {i}." not in analyst_page
    assert "Comments" not in analyst_page
    # ...while the counts and shares are theirs to see.
    assert "100% of 12" in analyst_page
    assert "4.0 on average; 6 will work together" in analyst_page
    figures = programme_dashboard(round_.programme, respondent_level=False)
    assert figures.comments == []


def test_feedback_figures_about_too_few_people_are_hidden_from_analysts(
    coordinator, analyst, network_a
):
    round_ = run_round(network_a)
    give_feedback(round_, 4)  # the network's minimum group size is 5
    analyst_page = analyst.get(dashboard_url(round_)).content.decode()
    assert "Fewer than 5 people have given feedback on any one round" in analyst_page
    assert "100% of 4" not in analyst_page
    hidden = programme_dashboard(round_.programme, respondent_level=False)
    assert (hidden.meeting_rate, hidden.mean_rating, hidden.ratings) == (None, None, [])
    assert hidden.will_work_together is None
    assert [r["met"] for r in hidden.rounds] == [None]
    # Coordinators are readers too: four answers are four people's answers.
    assert "100% of 4" not in coordinator.get(dashboard_url(round_)).content.decode()
    give_feedback(round_, 5)
    shown = programme_dashboard(round_.programme, respondent_level=False)
    assert shown.meeting_rate == 1.0
    assert [r["met"] for r in shown.rounds] == [5]


def test_a_hidden_round_cannot_be_worked_out_from_the_overall_figures(
    coordinator, analyst, network_a
):
    first = run_round(network_a)
    give_feedback(first, 6)  # shown: met 6, usefulness 4 each, 3 will work together
    second = services.round_publish(round_=services.round_create(programme=first.programme))
    place = second.places.filter(outcome="matched").first()
    services.feedback_save(
        enrolment=place.enrolment, match=place.match, met=True, usefulness=1,
        will_work_together=True,
    )  # fmt: skip
    figures = programme_dashboard(first.programme, respondent_level=False)
    assert [r["met"] for r in figures.rounds] == [6, None]
    # Overall figures over round 1 only: with round 2 in, total minus round 1 is one answer.
    assert (figures.meeting_rate, figures.feedback_count) == (1.0, 6)
    assert (figures.mean_rating, figures.will_work_together) == (4.0, 3)
    assert figures.ratings == [(1, 0), (2, 0), (3, 0), (4, 6), (5, 0)]
    assert figures.feedback_rounds_left_out == [2]
    page = analyst.get(dashboard_url(first)).content.decode()
    assert "100% of 6" in page
    assert "of 7" not in page
    assert "4.0 on average; 3 will work together" in page
    assert "The meeting rate and ratings leave out round 2: fewer than 5 people" in page
    # The same for coordinators: with round 2 in, the difference would be its one answer.
    everything = programme_dashboard(first.programme, respondent_level=True)
    assert (everything.feedback_count, everything.will_work_together) == (6, 3)
    assert everything.feedback_rounds_left_out == [2]
    assert "100% of 6" in coordinator.get(dashboard_url(first)).content.decode()


def _network_wave_after(round_: Round, answered: list[int], crossing: list[int]) -> NetworkWave:
    """A closed network wave after the round, answered by ``answered`` people (by person id),
    of whom ``crossing`` named someone in another organisation."""
    network = round_.network
    now = timezone.now()
    start = timezone.make_aware(datetime.combine(round_.starts_on + timedelta(days=1), time()))
    wave = NetworkWave.objects.create(
        network=network,
        name="Follow-up map",
        opens_at=min(start, now - timedelta(hours=2)),
        closes_at=now - timedelta(hours=1),
    )
    people = {p.pk: p for p in network.people.select_related("organisation")}
    for person_id in answered:
        NetworkInvitation.objects.create(
            network=network, wave=wave, person_id=person_id, completed_at=now - timedelta(hours=1)
        )
    for person_id in crossing:
        ego = people[person_id]
        alter = next(p for p in people.values() if p.organisation_id != ego.organisation_id)
        Nomination.objects.create(
            network=network, wave=wave, ego=ego, alter=alter, relation="works_with", weight=3
        )
    return wave


def test_tie_comparison_is_hidden_for_everyone_when_a_group_is_below_the_minimum(network_a):
    round_ = run_round(network_a, people=20, holdout=0.15)  # 22 people, 3 held out
    # Treat the round as past, so the wave opens after it.
    Round.objects.filter(pk=round_.pk).update(
        starts_on=round_.starts_on - timedelta(days=40), ends_on=round_.ends_on - timedelta(days=40)
    )
    round_.refresh_from_db()
    held = list(
        round_.places.filter(outcome="holdout").values_list("enrolment__person_id", flat=True)
    )
    matched = list(
        round_.places.filter(outcome="matched").values_list("enrolment__person_id", flat=True)
    )
    assert len(held) < network_a.min_group_size
    _network_wave_after(round_, answered=held + matched, crossing=held[:1] + matched[:4])
    for respondent_level in (True, False):
        figures = programme_dashboard(round_.programme, respondent_level=respondent_level)
        assert figures.ties is None
        assert "Fewer than 5 matched or held-out people answered Follow-up map" in (
            figures.ties_note
        )


def test_tie_comparison_is_shown_when_both_groups_are_large_enough(network_a):
    round_ = run_round(network_a, people=40, holdout=0.25)  # 42 people, 10 or 11 held out
    Round.objects.filter(pk=round_.pk).update(
        starts_on=round_.starts_on - timedelta(days=40), ends_on=round_.ends_on - timedelta(days=40)
    )
    round_.refresh_from_db()
    held = list(
        round_.places.filter(outcome="holdout").values_list("enrolment__person_id", flat=True)
    )
    matched = list(
        round_.places.filter(outcome="matched").values_list("enrolment__person_id", flat=True)
    )
    _network_wave_after(round_, answered=held + matched, crossing=held[:2] + matched[:20])
    figures = programme_dashboard(round_.programme, respondent_level=False)
    assert figures.ties is not None, figures.ties_note
    assert (figures.ties.control_n, figures.ties.control_events) == (len(held), 2)
    assert figures.ties.caution  # still small numbers: the page says so


def test_nothing_of_another_networks_programme_shows(coordinator, network_a, network_b):
    theirs = run_round(network_b)
    give_feedback(theirs, 6, "Their secret {i}.")
    ours = run_round(network_a)
    slug = network_a.slug
    assert coordinator.get(f"/n/{slug}/coffee/{theirs.programme_id}/dashboard/").status_code == 404
    assert coordinator.get(f"/n/{slug}/coffee/rounds/{theirs.pk}/").status_code == 404
    page = coordinator.get(dashboard_url(ours)).content.decode()
    assert "Their secret" not in page
    home = coordinator.get(f"/n/{slug}/coffee/").content.decode()
    assert home.count("Coffee</a>") == 1
    assert Programme.objects.count() == 2
    assert Feedback.objects.filter(match__round=theirs).count() == 6


def test_coordinators_see_comments_of_shown_rounds_without_who_wrote_them(coordinator, network_a):
    from bridgework.programmes.dashboard import COMMENTS_SHOWN

    round_ = run_round(network_a, people=60, holdout=0)
    give_feedback(round_, COMMENTS_SHOWN + 5, "Thought {i}.")
    figures = programme_dashboard(round_.programme, respondent_level=True)
    assert figures.comments_total == COMMENTS_SHOWN + 5
    assert len(figures.comments) == COMMENTS_SHOWN
    # In the order of their text, not of when (or by whom) they were written.
    texts = [c.text for c in figures.comments]
    assert texts == sorted(texts)
    assert not hasattr(figures.comments[0], "person")
    page = coordinator.get(dashboard_url(round_)).content.decode()
    assert f"The newest {COMMENTS_SHOWN} of {COMMENTS_SHOWN + 5}." in page
    comments = page.split('<h2 class="govuk-heading-m">Comments</h2>', 1)[1]
    for feedback in Feedback.objects.select_related("enrolment__person"):
        assert feedback.enrolment.person.name not in comments
    assert "usefulness" not in comments


def test_the_dashboard_obeys_a_network_minimum_larger_than_the_default(analyst, network_a):
    # A network set to 7: five people's feedback, enough under the default of 5, stays hidden.
    network_a.min_group_size = 7
    network_a.save()
    round_ = run_round(network_a)
    matched = round_.places.filter(outcome="matched").count()
    assert matched >= 7
    give_feedback(round_, 5)
    hidden = programme_dashboard(round_.programme, respondent_level=False)
    assert (hidden.meeting_rate, [r["met"] for r in hidden.rounds]) == (None, [None])
    assert (
        "Fewer than 7 people have given feedback"
        in analyst.get(dashboard_url(round_)).content.decode()
    )
    give_feedback(round_, 7)
    shown = programme_dashboard(round_.programme, respondent_level=False)
    assert [r["met"] for r in shown.rounds] == [7]
