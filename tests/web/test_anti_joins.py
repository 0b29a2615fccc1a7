"""Who is left to invite or enrol is found with NOT EXISTS, never NOT IN.

PostgreSQL plans ``NOT EXISTS`` as an anti-join. ``NOT (id IN (SELECT …))`` it can only hash
while the subquery fits in working memory; past that (a million invitations) it checks the
subquery row by row, and the last batch of a national invitation job ran for hours. Every
such query of the bulk actions is checked here, on whichever database the suite runs. (Who
has stopped taking part since a draw is counted from two id lists, with neither: see
``round_changed_since_draw``.)
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bridgework.directory.models import Person
from bridgework.ona.services import roles_invitations_remaining
from bridgework.programmes.models import Enrolment
from bridgework.programmes.selectors import round_changed_since_draw
from bridgework.programmes.services import enrol_audience, programme_create, round_create
from bridgework.surveys.services import RC_WAVES
from bridgework.waves.services import invitations_create, invitations_remaining
from tests.factories import add_people, make_network, make_wave

NOT_IN_SUBQUERY = re.compile(r"NOT \(\S+ IN \(SELECT", re.IGNORECASE)


def _statements(call: Callable[[], object]) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        call()
    statements = [q["sql"] for q in captured.captured_queries]
    assert statements, "the call made no query"
    return statements


def _not_in(statements: list[str]) -> list[str]:
    return [s for s in statements if NOT_IN_SUBQUERY.search(s)]


@pytest.mark.django_db
def test_the_pattern_recognises_a_not_in_subquery():
    from bridgework.surveys.models import Invitation

    network = make_network("anti-pattern")
    invited = Invitation.objects.filter(network=network).values("person_id")
    statements = _statements(lambda: Person.objects.exclude(pk__in=invited).count())
    assert _not_in(statements) == statements


@pytest.mark.django_db
def test_the_people_left_to_invite_are_found_with_an_anti_join():
    network = make_network("anti-invite")
    wave = make_wave(network, 7)
    invitations_create(kind=RC_WAVES, wave=wave, batch_size=3)  # the last batch comes up short
    assert invitations_remaining(kind=RC_WAVES, wave=wave) == 0
    assert _not_in(_statements(lambda: invitations_remaining(kind=RC_WAVES, wave=wave))) == []
    assert (
        _not_in(_statements(lambda: invitations_create(kind=RC_WAVES, wave=wave, batch_size=3)))
        == []
    )


@pytest.mark.django_db
def test_roles_enrolment_and_redraw_use_anti_joins():
    network = make_network("anti-others")
    add_people(network)
    assert _not_in(_statements(lambda: roles_invitations_remaining(network=network))) == []
    programme = programme_create(network=network, name="Coffee", audience="network")
    assert _not_in(_statements(lambda: enrol_audience(programme=programme))) == []
    assert programme.enrolments.count() > 0
    round_ = round_create(programme=programme, seed=1)
    assert _not_in(_statements(lambda: round_changed_since_draw(round_))) == []
    assert round_changed_since_draw(round_) == 0
    left, inactive = list(programme.enrolments.order_by("pk")[:2])
    left.status = Enrolment.Status.LEFT
    left.save(update_fields=["status"])
    Person.objects.filter(pk=inactive.person_id).update(active=False)
    assert round_changed_since_draw(round_) == 2
