"""Erasing a person: their directory record and every record about them, in every app.

Each feature app erases its own records through ``services.person_data_erase(*, person,
dry_run=False) -> dict[str, int]``; this module only calls them, in order, in one
transaction. An explicit list, not a registry: the order matters (published results are
frozen before answers go, the directory record goes last) and a reader sees at one glance
everything an erasure touches. The directory stays the ground floor: it imports no feature
app, and this package sits above them all.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from bridgework.directory import services as directory_services
from bridgework.directory.models import Person
from bridgework.mail import services as mail_services
from bridgework.ona import services as networks_services
from bridgework.programmes import services as programmes_services
from bridgework.surveys import services as surveys_services
from bridgework.surveys.models import Wave

__all__ = ["person_erase", "person_erasure_counts", "published_results_freeze"]

Eraser = Callable[..., dict[str, int]]

#: Every app's eraser, in the order they run; the directory record goes last.
ERASERS: tuple[Eraser, ...] = (
    surveys_services.person_data_erase,
    networks_services.person_data_erase,
    programmes_services.person_data_erase,
    mail_services.person_data_erase,
    directory_services.person_data_erase,
)


def published_results_freeze(wave: Wave) -> None:
    """Keep the published results of the closed RC ``wave`` as they stand, before raw answers
    behind them are deleted (an erasure or the retention job).

    Results shown for a closed wave are aggregates of at least the minimum group size; once
    published, they are the record of that wave and must not shift because one respondent's
    answers were later erased or aged out (the shift itself would tell what they answered).
    Both paths call this before deleting answers of a closed wave; it stores the wave's final
    ``surveys.ResultsSnapshot``, from which every results page and download is served.
    """
    surveys_services.wave_results_freeze(wave=wave)


def person_erasure_counts(*, person: Person) -> dict[str, int]:
    """What :func:`person_erase` would delete, by kind (kinds with nothing left out)."""
    counts: dict[str, int] = {}
    for erase in ERASERS:
        counts.update(erase(person=person, dry_run=True))
    return {kind: count for kind, count in counts.items() if count}


@transaction.atomic
def person_erase(*, person: Person) -> dict[str, int]:
    """Delete ``person`` and every record about them; returns the counts by kind.

    All or nothing: one transaction. Published results of closed RC waves they answered are
    frozen first (:func:`published_results_freeze`).
    """
    person = Person.objects.select_for_update().get(pk=person.pk)
    for wave in surveys_services.person_closed_waves(person=person):
        published_results_freeze(wave)
    counts: dict[str, int] = {}
    for erase in ERASERS:
        counts.update(erase(person=person))
    return {kind: count for kind, count in counts.items() if count}
