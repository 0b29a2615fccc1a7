"""A round's introductions and "no match" notes written the fast way (bodies filled in from
stencils, calendar files from forms, places read once per batch) are, byte for byte, the
emails a full rendering of every one writes: for people with and without a job title, an
organisation, interests, a location, in different languages and zones, in pairs and trios,
and for those left unmatched."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from icalendar import Calendar

from bridgework.directory.models import Organisation, Person
from bridgework.mail import services as mail_services
from bridgework.mail.models import OutboxMessage
from bridgework.mail.stencils import Stencil
from bridgework.programmes import ics, mailing, services
from bridgework.programmes.models import (
    Enrolment,
    EnrolmentToken,
    Match,
    Programme,
    Round,
    RoundPlace,
)
from bridgework.programmes.services import rounds
from bridgework.tokens import IssuedToken, token_digest
from tests.factories import add_people

pytestmark = pytest.mark.django_db

STAMP = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
FIELDS = ("subject", "text_body", "html_body", "attachments", "pending_text_body")
FIELDS += ("pending_html_body", "pending_attachments", "to", "kind", "links_redacted")


def _varied_people(network, count: int) -> None:
    """People who differ in everything an introduction shows."""
    housing = Organisation.objects.create(network=network, name="Housing & Care")
    titles = ["", "Case worker", "Nurse <night shift>"]
    zones = ["", "Europe/Madrid", "America/New_York", "Asia/Kolkata"]
    languages = ["", "es", "en"]
    for i in range(count):
        Person.objects.create(
            network=network,
            name=["Ana", "O'Brien", "Zoë Ng", f"Person {i}"][i % 4],
            email=f"v{i}@{network.slug}.example",
            organisation=housing if i % 3 else None,
            job_title=titles[i % 3],
            location=["", "Leeds"][i % 2],
            time_zone=zones[i % 4],
            language=languages[i % 3],
        )


def _varied_enrolments(programme: Programme) -> None:
    modes = [Enrolment.Mode.EITHER, Enrolment.Mode.IN_PERSON, Enrolment.Mode.VIDEO]
    for i, enrolment in enumerate(programme.enrolments.order_by("pk")):
        enrolment.works_on = ["", "Discharge planning"][i % 2]
        enrolment.interests = ["", "", "Rota design, mentoring"][i % 3]
        enrolment.meeting_mode = modes[i % 3]
        enrolment.location = ["", "", "", "Bristol"][i % 4]
        enrolment.time_zone = ["", "", "", "", "Australia/Sydney"][i % 5]
        enrolment.save()


@pytest.fixture
def round_(network_a) -> Round:
    _varied_people(network_a, 22)  # with the fixture's two: 24 people, a trio among them
    programme = services.programme_create(
        network=network_a,
        name="Coffee; & more",
        audience="network",
        holdout_share=0.2,
        time_zone="Europe/London",
    )
    services.enrol_audience(programme=programme)
    _varied_enrolments(programme)
    # The draw depends on the database's ids as well as the seed: take the first seed whose
    # draw has a trio and someone held out, on whichever database the suite runs.
    for seed in range(5, 60):
        drawn = services.round_create(programme=programme, seed=seed)
        sizes = {len(m.places.all()) for m in drawn.matches.prefetch_related("places")}
        if 3 in sizes and drawn.places.filter(match__isnull=True).exists():
            break
        drawn.delete()
    else:
        raise AssertionError("no seed drew a trio and someone held out")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rounds, "_enqueue_send", lambda round_id: None)
        return services.round_publish(round_=drawn)


def _same_links_and_stamp(patch: pytest.MonkeyPatch) -> None:
    """Personal links and calendar stamps that are the same from one run to the next."""
    counter = itertools.count()

    def token() -> IssuedToken:
        plain = f"link-token-{next(counter):04d}-abcdefghijklmnopqrstuvwxyz"
        return IssuedToken(plain=plain, digest=token_digest(plain))

    patch.setattr(mailing, "issue_token", token)
    patch.setattr(ics.timezone, "now", lambda: STAMP)


def _in_full(patch: pytest.MonkeyPatch) -> None:
    """Every body rendered from its templates, every calendar file made in full."""
    queue = mail_services.email_queue_batch

    def in_full(**kwargs):  # type: ignore[no-untyped-def]
        return queue(**{**kwargs, "stencil": False})

    class Full(ics.Invitations):
        def make(self, **kwargs):  # type: ignore[no-untyped-def]
            return ics.match_invitation(**kwargs, stamp=self.stamp)

    patch.setattr(mailing, "email_queue_batch", in_full)
    patch.setattr(mailing, "Invitations", Full)


def _written() -> dict[str, tuple]:
    return {
        m.idempotency_key: tuple(getattr(m, f) for f in FIELDS)
        for m in OutboxMessage.objects.filter(kind__startswith="programme-")
    }


def _send(round_: Round, *, fast: bool, limit: int = 7) -> dict[str, tuple]:
    """Send the round in batches of ``limit``; without ``fast``, every body rendered from its
    templates and every calendar file made in full. Returns the emails by key."""
    OutboxMessage.objects.all().delete()
    EnrolmentToken.objects.all().delete()
    with pytest.MonkeyPatch.context() as patch:
        _same_links_and_stamp(patch)
        if not fast:
            _in_full(patch)
        cursor = mailing.SendCursor()
        while mailing.round_send(round_=round_, limit=limit, cursor=cursor):
            pass
    return _written()


def _counted(round_: Round, batch: int) -> tuple[dict[str, tuple], dict[str, int]]:
    """The round sent the fast way, with how many bodies were filled in from stencils and
    how many calendar files made from forms."""
    counts = {"bodies": 0, "forms": 0, "full calendars": 0}
    fill, make = Stencil.fill, ics.match_invitation

    def counted_fill(self, own):  # type: ignore[no-untyped-def]
        body = fill(self, own)
        counts["bodies"] += body is not None
        return body

    def counted_make(**kwargs):  # type: ignore[no-untyped-def]
        counts["forms" if "Qz" in kwargs["members"][0]["name"] else "full calendars"] += 1
        return make(**kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Stencil, "fill", counted_fill)
        patch.setattr(ics, "match_invitation", counted_make)
        return _send(round_, fast=True, limit=batch), counts


@pytest.mark.parametrize("batch", [7, 100])
def test_the_fast_introductions_are_the_fully_rendered_ones(round_, settings, batch):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # redacted copies
    fast, _ = _counted(round_, batch)
    full = _send(round_, fast=False, limit=batch)
    places = RoundPlace.objects.filter(round=round_)
    assert len(fast) == len(full) == places.count() > 20
    kinds = {key.split(":")[0] for key in full}
    assert kinds == {"programme-intro", "programme-unmatched"}
    sizes = {p.match.places.count() for p in places.filter(match__isnull=False)}
    assert sizes == {2, 3}, sizes
    for key, email in full.items():
        assert fast[key] == email, key
    # What the people were told is what they are: Spanish for those who read it, etc.
    texts = " ".join(email[1] for email in full.values())
    for said in ("Hola", "Hello", "Australia/Sydney", "Brien", "Rota design", "Bristol"):
        assert said in texts


@pytest.fixture
def alike_round(network_a) -> Round:
    """A published round of forty people alike in language, zone and blanks."""
    add_people(network_a, count=38)
    programme = services.programme_create(
        network=network_a, name="Coffee", audience="network", holdout_share=0.1
    )
    services.enrol_audience(programme=programme)
    drawn = services.round_create(programme=programme, seed=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rounds, "_enqueue_send", lambda round_id: None)
        return services.round_publish(round_=drawn)


@pytest.mark.parametrize("people", ["varied", "alike"])
@pytest.mark.parametrize("kind", ["reminder", "feedback"])
def test_the_fast_reminders_and_feedback_requests_are_the_fully_rendered_ones(
    request, settings, kind, people
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    round_ = request.getfixturevalue("round_" if people == "varied" else "alike_round")
    filled = []
    fill = Stencil.fill

    def counted_fill(self, own):  # type: ignore[no-untyped-def]
        body = fill(self, own)
        filled.append(body is not None)
        return body

    def follow_up(*, fast: bool) -> dict[str, tuple]:
        OutboxMessage.objects.all().delete()
        EnrolmentToken.objects.all().delete()
        with pytest.MonkeyPatch.context() as patch:
            _same_links_and_stamp(patch)
            patch.setattr(Stencil, "fill", counted_fill)
            if not fast:
                _in_full(patch)
            assert mailing.round_follow_up(round_=round_, kind=kind) > 0
        return _written()

    fast = follow_up(fast=True)
    if people == "alike":  # most bodies were filled in from stencils
        assert sum(filled) > len(fast)
    full = follow_up(fast=False)
    matched = RoundPlace.objects.filter(round=round_, match__isnull=False).count()
    assert len(fast) == len(full) == matched
    assert {key.split(":")[0] for key in full} == {f"programme-{kind}"}
    for key, email in full.items():
        assert fast[key] == email, key


def test_the_fast_cancellations_and_updates_are_the_fully_rendered_ones(round_, settings):
    """A trio that goes on as a pair: the cancellation to the one who left and the updated
    invitations to the two who stay, the fast way and in full."""
    from bridgework.programmes.services.matches import _members

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _send(round_, fast=True, limit=100)  # only people already introduced are told
    trio = next(m for m in Match.objects.filter(round=round_) if m.places.count() == 3)
    Match.objects.filter(pk=trio.pk).update(calendar_sequence=1)
    trio.refresh_from_db()
    members = _members(trio)

    def changes(*, fast: bool) -> dict[str, tuple]:
        OutboxMessage.objects.filter(kind__in=["programme-cancel", "programme-update"]).delete()
        EnrolmentToken.objects.all().delete()
        with pytest.MonkeyPatch.context() as patch:
            _same_links_and_stamp(patch)
            if not fast:
                _in_full(patch)
            told = mailing.match_changes_send(
                match=trio, cancel_for=members[:1], update_for=members[1:]
            )
        assert told == 3
        return {
            key: email
            for key, email in _written().items()
            if key.startswith(("programme-cancel:", "programme-update:"))
        }

    fast, full = changes(fast=True), changes(fast=False)
    assert sorted(key.split(":")[0] for key in full) == [
        "programme-cancel",
        "programme-update",
        "programme-update",
    ]
    assert fast == full


def test_a_round_of_alike_people_is_filled_in_from_stencils_and_forms(alike_round, settings):
    """Where people are alike (the same language, zone and blanks), most bodies are filled
    in and most calendar files made from forms, and they are the full ones still."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    round_ = alike_round
    fast, counts = _counted(round_, 100)
    full = _send(round_, fast=False, limit=100)
    assert fast == full
    assert len(full) == 40
    assert counts["bodies"] > 2 * 30  # text and HTML of most of the 40
    matches = Match.objects.filter(round=round_).count()
    assert counts["forms"] > 0
    assert counts["full calendars"] < matches / 2


def test_a_stencil_fills_lists_of_people_with_their_blanks_as_a_full_rendering(settings):
    from django.template import engines

    template = engines["django"].from_string(
        "{% for o in others %}<li>{{ o.name }}{% if o.job %}, {{ o.job }}{% endif %}"
        "{% if o.tags %} [{% for t in o.tags %}{{ t }};{% endfor %}]{% endif %}</li>"
        "{% empty %}nobody{% endfor %} {{ zone }} {{ person.name }}"
    )
    rng = random.Random(3)
    names = ["Ana", "O'Brien & <Sons>", "", "Zoë\nNg", "x" * 80]
    for _ in range(40):
        own = {
            "person": SimpleNamespace(name=rng.choice(names)),
            "others": [
                {
                    "name": rng.choice(names),
                    "job": rng.choice(["", "Nurse", "A&E <lead>"]),
                    "tags": rng.choice([[], ["a"], ["b & c", "d"]]),
                }
                for _ in range(rng.randrange(0, 4))
            ],
        }
        shared = {"zone": "Europe/Madrid"}
        stencil = Stencil.render(template, shared, list(own), own)
        assert stencil.fill(own) == template.render({**shared, **own})


def test_a_batch_keeps_a_stencil_per_shape_and_per_fixed_value(network_a, tmp_path, settings):
    """Emails whose people have other blanks, or another number of people, or another
    value the template formats, get stencils of their own: every body is the full one."""
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "shapes.txt").write_text(
        "{% for o in others %}{{ o.name }}{% if o.job %} ({{ o.job }}){% endif %}, "
        "{% endfor %}{{ when|date:'j F' }} {{ path }}"
    )
    (tmp_path / "t" / "shapes.html").write_text(
        "<ul>{% for o in others %}<li>{{ o.name }}{% if o.job %}: {{ o.job }}{% endif %}"
        "</li>{% empty %}<li>nobody</li>{% endfor %}</ul>"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0].get("DIRS", [])]}
    ]
    rng = random.Random(8)
    names, jobs = ["Ana", "Bo & Co", "<Cy>"], ["", "Nurse", "A&E"]
    days = [datetime(2027, 3, d, tzinfo=UTC) for d in (15, 16)]

    def emails(prefix: str) -> list[mail_services.BatchEmail]:
        rng.seed(8)
        return [
            mail_services.BatchEmail(
                to=f"s{i}@alpha.example",
                context={
                    "others": [
                        {"name": rng.choice(names), "job": rng.choice(jobs)}
                        for _ in range(rng.randrange(0, 3))
                    ],
                    "when": rng.choice(days),
                    "path": f"/x/{i}/",
                },
                idempotency_key=f"{prefix}:{i}",
                stencil_fixed=("when",),
            )
            for i in range(60)
        ]

    kwargs = {"network": network_a, "subject": "S", "template": "t/shapes"}
    filled = []
    fill = Stencil.fill
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            Stencil, "fill", lambda self, own: filled.append(fill(self, own)) or filled[-1]
        )
        fast = mail_services.email_queue_batch(emails=emails("fast"), stencil=True, **kwargs)
    assert sum(body is not None for body in filled) > 40  # most were filled in
    full = mail_services.email_queue_batch(emails=emails("full"), **kwargs)
    rows = OutboxMessage.objects.in_bulk([*fast, *full])
    for a, b in zip(fast, full, strict=True):
        assert (rows[a].text_body, rows[a].html_body) == (rows[b].text_body, rows[b].html_body)
    assert len({rows[a].html_body for a in fast}) > 10


@pytest.mark.parametrize("zone", ["UTC", "Europe/Madrid", "America/New_York"])
@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_calendar_files_from_forms_are_those_made_in_full(zone, method):
    """Names of every length (folded lines), with spaces or not, non-ASCII letters, and
    names iCalendar escapes or quotes (made in full), in pairs and trios."""
    guide = SimpleNamespace(
        title="Talk, then act",
        body="What; why?\nÑandú — ok",
        prompts=lambda: ["What; why?", "Ñandú — ok"],
    )
    programme = SimpleNamespace(pk=1, name="Coffee, tea", guide=guide)
    rng = random.Random(zone + method)
    alphabet = "abcdefghij ÄéßŁ-._@+" + "0123456789"
    specials = ["O'Brien", "A;B", "C,D", 'E "F"', "G\\H", "I^J", "K:L", "M\nN"]
    invitations = ics.Invitations(stamp=STAMP)
    for index in range(120):
        match = SimpleNamespace(
            pk=1000 + index,
            suggested_at=datetime(2027, 3, 15, 10, tzinfo=UTC) + timedelta(days=index % 3),
            calendar_sequence=index % 2,
        )
        members = []
        for _ in range(rng.choice([2, 3])):
            if rng.random() < 0.15:
                name = rng.choice(specials)
            else:
                name = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 90)))
            members.append({"name": name, "email": f"p{rng.randrange(10**6)}@example.org"})
        kwargs = {"match": match, "programme": programme, "members": members}
        kwargs |= {"method": method, "zone": zone}
        made = invitations.make(**kwargs)
        assert made == ics.match_invitation(**kwargs, stamp=STAMP), members
        Calendar.from_ical(made)  # and it reads back


def test_a_batch_whose_match_changed_is_sent_by_the_next_call_of_the_same_run(round_):
    """The cursor that spares each call of a publish job the places sent before it stays
    before an introduction whose match changed meanwhile, so the next call sends it."""
    send_batch = mailing._send_batch
    changed: list[int] = []

    def changed_meanwhile(places, kinds, groups):  # type: ignore[no-untyped-def]
        if not changed:  # a coordinator moves the first match just as the batch is written
            match = next(p.match for p in places if p.match_id)
            Match.objects.filter(pk=match.pk).update(calendar_sequence=1)
            changed.append(match.pk)
        return send_batch(places, kinds, groups)

    cursor = mailing.SendCursor()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(mailing, "_send_batch", changed_meanwhile)
        first = mailing.round_send(round_=round_, limit=6, cursor=cursor)
    late = RoundPlace.objects.filter(match_id=changed[0]).order_by("pk").first()
    assert not OutboxMessage.objects.filter(idempotency_key__contains=f":{changed[0]}:")
    assert cursor.after < late.pk
    sent = first
    while count := mailing.round_send(round_=round_, limit=6, cursor=cursor):
        sent += count
    assert sent == OutboxMessage.objects.count() == RoundPlace.objects.filter(round=round_).count()
    intro = OutboxMessage.objects.get(
        idempotency_key=f"programme-intro:{changed[0]}:{late.enrolment_id}"
    )
    assert "SEQUENCE:1" in intro.attachments[0]["content"]
    assert mailing.round_emails_remaining(round_=round_) == 0
