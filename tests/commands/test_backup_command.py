"""``bridgework backup`` / ``restore``: a network round-trips through a file, on SQLite and
PostgreSQL, into a database holding other networks."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter

import pytest
from django.core import serializers
from django.utils import timezone

from bridgework.accounts.models import CoordinatorInvitation, User
from bridgework.audit.models import Action, AuditEvent
from bridgework.audit.services import audit_record
from bridgework.cli import main
from bridgework.directory.models import Membership, Network, PeopleImport, Person, Workgroup
from bridgework.governance.backup import BackupError, backup_models, network_restore
from bridgework.governance.deletion import network_delete
from bridgework.surveys.models import InvitationToken, Response, Wave
from bridgework.surveys.results import wave_analysis

SLUG = "riverbend-county"


@pytest.fixture
def demo(db: None, client) -> Network:
    from bridgework.demo import demo_load
    from bridgework.directory.demo import DEMO_COORDINATOR_EMAIL

    demo_load()
    network = Network.objects.get(slug=SLUG)
    owner = User.objects.get(email=DEMO_COORDINATOR_EMAIL)
    audit_record(network=network, actor=owner, action=Action.EXPORT_DOWNLOADED, details={"x": 1})
    PeopleImport.objects.create(network=network, filename="p.csv", content=b"\x00name,email\n")
    CoordinatorInvitation.objects.create(
        network=network,
        email="new@riverbend.example",
        role="analyst",
        token_digest="c" * 64,
        invited_by=owner,
        expires_at=network.created_at,
    )
    client.force_login(owner)
    return network


def _rows(network: Network) -> dict[str, int]:
    return {
        model._meta.label_lower: model._base_manager.filter(**{path: network.pk}).count()
        for model, path in backup_models()
    }


def _serialized(network: Network) -> dict[str, str]:
    return {
        model._meta.label_lower: serializers.serialize(
            "json", model._base_manager.filter(**{path: network.pk}).order_by("pk")
        )
        for model, path in backup_models()
    }


def _facts(network: Network) -> dict[str, object]:
    """Id-free facts about the network, equal in any database it is restored into."""
    names = {w.pk: w.name for w in Workgroup.objects.filter(network=network)}
    answers = Counter(
        (
            r.invitation.person.email,
            r.invitation.wave.name,
            names.get(int(r.target[3:])) if r.target.startswith("wg:") else r.target[:3],
            *r.scores().values(),
        )
        for r in Response.objects.filter(invitation__network=network).select_related(
            "invitation__person", "invitation__wave"
        )
    )
    people = sorted(
        (
            p.email,
            p.name,
            p.organisation.name if p.organisation else "",
            p.team.name if p.team else "",
            p.workgroup.name if p.workgroup else "",
            p.manager.email if p.manager else "",
            p.updated_at.isoformat(),
        )
        for p in Person.objects.filter(network=network).select_related(
            "organisation", "team", "workgroup", "manager"
        )
    )
    return {
        "answers": answers,
        "people": people,
        "digests": sorted(
            InvitationToken.objects.filter(invitation__network=network).values_list(
                "digest", flat=True
            )
        ),
        "members": sorted(
            Membership.objects.filter(network=network).values_list("user__email", "role")
        ),
        "audit": sorted(
            AuditEvent.objects.filter(network=network).values_list("action", "actor_email")
        ),
    }


def _figures(network: Network) -> dict[str, object]:
    return {
        wave.name: wave_analysis(wave).to_dict()
        for wave in Wave.objects.filter(network=network, closes_at__lt=timezone.now())
    }


def _results_page(client, wave: Wave) -> str:
    page = client.get(f"/n/{SLUG}/surveys/waves/{wave.pk}/results/").content.decode()
    assert "Where to start" in page or "figure" in page.lower()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_backup_delete_restore_gives_back_every_row_and_figure(demo, tmp_path, capsys, client):
    other = Network.objects.get(slug="coastal-collaborative")
    other_rows = _rows(other)
    wave = Wave.objects.filter(network=demo, name="Spring follow-up").get()
    # Reading results publishes their snapshots: part of the network's data, backed up too.
    page = _results_page(client, wave)
    rows, serialized, facts, figures = _rows(demo), _serialized(demo), _facts(demo), _figures(demo)
    assert rows["surveys.response"] > 1000
    assert rows["surveys.resultssnapshot"] >= 1
    assert rows["audit.auditevent"] == 1
    assert figures
    path = tmp_path / "riverbend.json.gz"

    assert main(["backup", str(path), "--network", SLUG]) == 0
    assert "backed up riverbend-county" in capsys.readouterr().out
    document = json.loads(gzip.decompress(path.read_bytes()))
    assert document["format"] == "bridgework-network-backup"
    assert document["version"] == 1
    assert "0002_append_only_triggers" in document["migrations"]["audit"]

    network_delete(network=demo)
    assert not Network.objects.filter(slug=SLUG).exists()
    assert not Response.objects.filter(invitation__network_id=demo.pk).exists()

    assert main(["restore", str(path)]) == 0
    assert "restored riverbend-county" in capsys.readouterr().out
    restored = Network.objects.get(slug=SLUG)
    # Every row back, with the same ids and values (the restore event is one more).
    after = _rows(restored)
    assert after.pop("audit.auditevent") == rows.pop("audit.auditevent") + 1
    assert after == rows
    again = _serialized(restored)
    assert again.pop("audit.auditevent") != serialized.pop("audit.auditevent")
    assert again == serialized
    assert _facts(restored)["people"] == facts["people"]
    assert _figures(restored) == figures
    # The results page shows the same figures; the other network was never touched.
    client.force_login(User.objects.get(email="coordinator@riverbend.example"))
    assert _results_page(client, wave) == page
    assert _rows(other) == other_rows


def test_restore_remaps_ids_taken_by_other_networks_rows(demo, tmp_path):
    facts = _facts(demo)
    path = tmp_path / "riverbend.json.gz"
    assert main(["backup", str(path), "--network", SLUG]) == 0
    people_ids = list(Person.objects.filter(network=demo).values_list("pk", flat=True)[:3])
    workgroup_ids = list(Workgroup.objects.filter(network=demo).values_list("pk", flat=True)[:2])
    network_delete(network=demo)
    # Another network's rows now hold some of the backed-up ids.
    squatter = Network.objects.create(name="Squatter", slug="squatter")
    for pk in workgroup_ids:
        Workgroup.objects.create(pk=pk, network=squatter, name=f"Group {pk}")
    for pk in people_ids:
        Person.objects.create(pk=pk, network=squatter, name=f"P{pk}", email=f"{pk}@sq.example")

    restored, _ = network_restore(path=path)
    assert _facts(restored) == facts
    assert not Person.objects.filter(network=restored, pk__in=people_ids).exists()
    assert Person.objects.filter(network=squatter).count() == 3
    # Every answer's target is a workgroup of the restored network.
    targets = {
        int(t[3:])
        for t in Response.objects.filter(invitation__network=restored).values_list(
            "target", flat=True
        )
        if t.startswith("wg:")
    }
    assert targets <= set(Workgroup.objects.filter(network=restored).values_list("pk", flat=True))


@pytest.fixture
def small(db: None) -> Network:
    """A small network with a little of everything (the tenancy test's records)."""
    from tests.factories import make_network, record_ids

    network = make_network("small")
    record_ids(network)
    return network


def test_restore_refuses_an_existing_slug_a_newer_file_and_junk(small, tmp_path, capsys):
    demo = small
    path = tmp_path / "small.json.gz"
    assert main(["backup", str(path), "--network", "small"]) == 0
    before = Person.objects.count()
    assert main(["restore", str(path)]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err
    assert "Nothing was restored" in err

    document = json.loads(gzip.decompress(path.read_bytes()))
    document["migrations"]["surveys"].append("9999_from_the_future")
    newer = tmp_path / "newer.json.gz"
    newer.write_bytes(gzip.compress(json.dumps(document).encode()))
    network_delete(network=demo)
    with pytest.raises(BackupError, match="newer version"):
        network_restore(path=newer)
    junk = tmp_path / "junk.json.gz"
    junk.write_bytes(b"not gzip")
    assert main(["restore", str(junk)]) == 2
    assert "not a Bridgework backup" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "missing.gz")]) == 2
    assert main(["backup", str(path), "--network", "nope"]) == 2
    assert not Network.objects.filter(slug="small").exists()
    assert Person.objects.count() < before


def test_a_failed_restore_writes_nothing(small, tmp_path):
    path = tmp_path / "small.json.gz"
    assert main(["backup", str(path), "--network", "small"]) == 0
    network_delete(network=small)
    document = json.loads(gzip.decompress(path.read_bytes()))
    responses = next(s for s in document["models"] if s["model"] == "surveys.response")
    responses["objects"][-1]["fields"]["target"] = "wg:999999999"
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(gzip.compress(json.dumps(document).encode()))
    people = Person.objects.count()
    with pytest.raises(BackupError, match="not in the backup"):
        network_restore(path=broken)
    assert not Network.objects.filter(slug="small").exists()
    assert Person.objects.count() == people


def test_restore_into_an_empty_database_migrates_it_first(small, tmp_path):
    import sqlite3
    import subprocess
    import sys

    path = tmp_path / "small.json.gz"
    assert main(["backup", str(path), "--network", "small"]) == 0
    people = Person.objects.filter(network=small).count()
    database = tmp_path / "empty.sqlite3"
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{database}",
        "BRIDGEWORK_DATA_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "bridgework.server.settings",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bridgework", "restore", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "restored small" in done.stdout
    with sqlite3.connect(database) as db:
        (restored,) = db.execute("SELECT count(*) FROM directory_person").fetchone()
        (slug,) = db.execute("SELECT slug FROM directory_network").fetchone()
        (answers,) = db.execute("SELECT count(*) FROM surveys_response").fetchone()
    assert (restored, slug) == (people, "small")
    assert answers == Response.objects.filter(invitation__network=small).count() == 1
