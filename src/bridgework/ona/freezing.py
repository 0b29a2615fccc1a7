"""Freezing what a network wave and the roles mix have shown, before answers are erased or
aged out, and taking those answers out of the release copies.

A release (:class:`~bridgework.ona.models.ResultsRelease`) holds a copy of the answers
its figures are computed from. An erasure or the retention job deletes the raw answers, so
it must delete those copies too — and yet the figures already shown must not move, for the
move itself would show the answers that went. So both first store the figures in
``ResultsRelease.figures`` (:func:`wave_freeze`, :func:`roles_freeze`: group figures and
counts only, no answer and no person id), from which the organisation-level pages and the
roles mix are served from then on (for good on a closed wave; until the next release, which
needs at least the minimum group size of new respondents, on an open one), and then take the
answers out of the copies (:func:`person_releases_scrub`, :func:`wave_release_copies_delete`,
:func:`roles_release_copies_delete`). The named map is person-level by consent, not an
aggregate: it is computed from the copies as they are left, so an erased person is not on it.
"""

from __future__ import annotations

from collections.abc import Iterable

from bridgework.directory.models import Network, Person
from bridgework.ona import results, selectors
from bridgework.ona.models import NetworkWave, ResultsRelease
from bridgework.ona.releases import released, released_roles

__all__ = [
    "person_releases_scrub",
    "roles_freeze",
    "roles_release_copies_delete",
    "wave_freeze",
    "wave_release_copies_delete",
]

_EMPTY = {"rows": [], "nominations": [], "outside": [], "consent": []}


def wave_freeze(wave: NetworkWave) -> ResultsRelease:
    """Store the wave's organisation-level figures, for every filter, in its release (making
    the release first if nothing was released yet); a no-op when already frozen."""
    released(wave)
    row = ResultsRelease.objects.get(network_id=wave.network_id, scope=f"wave:{wave.pk}")
    if not row.figures:
        row.figures = results.wave_figures(wave)
        row.save(update_fields=["figures"])
    return row


def _roles_min_group_size(network: Network) -> int:
    # The same minimum the roles page uses.
    wave = selectors.latest_network_wave(network)
    return wave.min_group_size_in_force if wave else network.min_group_size


def roles_freeze(network: Network) -> ResultsRelease:
    """Store the self-assessment mix as last released; a no-op when already frozen."""
    k = _roles_min_group_size(network)
    row = released_roles(network.pk, min_group_size=k)
    if not row.figures:
        row.figures = {"mix": results.released_mix(network.pk, min_group_size=k).to_dict()}
        row.save(update_fields=["figures"])
    return row


def _mentions(row: ResultsRelease, pid: str) -> bool:
    if row.scope == "roles":
        return pid in row.answers or pid in row.respondents
    answers = row.answers
    return (
        pid in row.respondents
        or any(r["id"] == pid for r in answers.get("rows", []))
        or any(pid in (n["ego"], n["alter"]) for n in answers.get("nominations", []))
        or any(o[0] == pid for o in answers.get("outside", []))
        or pid in answers.get("consent", [])
    )


def _without(row: ResultsRelease, pids: set[str]) -> None:
    row.respondents = [r for r in row.respondents if r not in pids]
    answers = row.answers
    if row.scope == "roles":
        row.answers = {k: v for k, v in answers.items() if k not in pids}
    else:
        row.answers = {
            "rows": [r for r in answers.get("rows", []) if r["id"] not in pids],
            "nominations": [
                n
                for n in answers.get("nominations", [])
                if n["ego"] not in pids and n["alter"] not in pids
            ],
            "outside": [o for o in answers.get("outside", []) if o[0] not in pids],
            "consent": [c for c in answers.get("consent", []) if c not in pids],
        }
    row.save(update_fields=["respondents", "answers"])


def person_releases_scrub(*, person: Person, dry_run: bool = False) -> int:
    """Freeze every release of ``person``'s network that holds any of their answers (or their
    id), then remove their answers and id from it. Returns how many releases held them."""
    pid = str(person.pk)
    rows = [
        row
        for row in ResultsRelease.objects.filter(network_id=person.network_id).select_related(
            "wave", "network"
        )
        if _mentions(row, pid)
    ]
    if dry_run:
        return len(rows)
    for row in rows:
        if row.scope == "roles":
            roles_freeze(row.network)
        elif row.wave is not None:
            wave_freeze(row.wave)
        row.refresh_from_db()
        _without(row, {pid})
    return len(rows)


def wave_release_copies_delete(*, wave: NetworkWave) -> int:
    """Freeze the wave's figures, then delete the answers copied into its release (who
    answered stays, as their invitations do). Returns 1 when there were copies to delete."""
    row = wave_freeze(wave)
    had = any(row.answers.get(key) for key in _EMPTY)
    row.answers = dict(_EMPTY)
    row.save(update_fields=["answers"])
    return int(had)


def roles_release_copies_delete(*, network: Network, person_ids: Iterable[int]) -> int:
    """Freeze the roles mix, then delete the copies of these people's self-assessments from
    its release. Returns how many copies were deleted."""
    pids = {str(pk) for pk in person_ids}
    row = ResultsRelease.objects.filter(network=network, scope="roles").first()
    if row is None or not pids & set(row.answers):
        return 0
    count = len(pids & set(row.answers))
    roles_freeze(network)
    row.refresh_from_db()
    _without(row, pids)
    return count
