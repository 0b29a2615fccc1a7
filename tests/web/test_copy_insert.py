"""Rows written by ``copy_insert`` (``COPY`` on PostgreSQL) are the rows ``bulk_create``
writes: ids, defaults, JSON, constraints, all-or-nothing in the caller's transaction."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from bridgework.directory.models import Person
from bridgework.mail.models import OutboxMessage
from bridgework.web.copy_insert import copy_insert


@pytest.mark.django_db
def test_copied_rows_get_their_ids_defaults_and_json_as_bulk_create_gives(network_a):
    rows = [
        OutboxMessage(
            network=network_a,
            to=f"c{i}@alpha.example",
            subject=f"S {i}",
            text_body="tab\there, new\nline, back\\slash, «quotes» \"'",
            html_body="<p>x</p>",
            attachments=[{"filename": "a.ics", "content": "BEGIN:VCALENDAR\r\nEND"}],
            idempotency_key=f"copy:{i}",
        )
        for i in range(3)
    ]
    written = copy_insert(OutboxMessage, rows)
    assert all(m.pk for m in written)
    assert len({m.pk for m in written}) == 3
    for row in written:
        stored = OutboxMessage.objects.get(pk=row.pk)
        assert stored.to == row.to
        assert stored.text_body == row.text_body
        assert stored.attachments == row.attachments
        assert stored.status == OutboxMessage.Status.QUEUED
        assert stored.created_at is not None
    people = copy_insert(Person, [Person(network=network_a, name="Ann", email="ann@alpha.example")])
    assert Person.objects.get(pk=people[0].pk).updated_at is not None  # auto_now


@pytest.mark.django_db
def test_a_duplicate_fails_the_whole_insert_and_nothing_is_written(network_a):
    Person.objects.create(network=network_a, name="Ann", email="ann@alpha.example")
    rows = [
        Person(network=network_a, name="Bob", email="bob@alpha.example"),
        Person(network=network_a, name="Ann again", email="ANN@alpha.example"),
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        copy_insert(Person, rows)
    assert not Person.objects.filter(email="bob@alpha.example").exists()
