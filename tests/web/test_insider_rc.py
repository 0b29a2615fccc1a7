"""A determined insider against RC results: no sequence of looks pins down one answer.

Random small RC waves (2–4 workgroups of 1–9 people; answers with "no answer" and "I don't work
with this group"; live results on or off; a closed previous wave to compare with) are answered
one person at a time. Before and after every answer a coordinator and an analyst read every
figure the app offers — the results page, the print page, the results and change CSV and XLSX
downloads, every cell page, the progress page — and remember all of it.

The adversary is given more than a real insider has: it knows who answered when, which
workgroup everyone is in and which pairs qualify for an index, i.e. exactly which answers stand
behind each figure at the moment it was published. Each figure it has ever seen is a linear
equation over the unknown answers (a cell's index is a sum over its respondents' indices, a
dimension mean a sum over the answers to that item, RC received or given a sum over pairs, the
role-balanced overall a weighted sum of cell means, the respondent-weighted overall a sum over
people). An answer is pinned down exactly when its unit vector lies in the row space of every
equation seen so far; the test fails if any does, and if any shown figure rests on fewer than
the minimum group size. It also checks that every shown cell and dimension value is the mean
over the answers the adversary believes are behind it, so the model of what is published is
the real one.

Not modelled: non-linear inference (reliability coefficients; combining an index with its own
dimension means through each person's number of answered items) and homogeneity (a mean of 5.0
tells that everyone behind it answered 5) — a mean over k people always allows the latter.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from scipy.linalg import null_space

from bridgework.analysis.rc_instrument import DIMENSIONS
from bridgework.datasets.sheets import unguard_cell
from bridgework.directory.models import Network, Organisation, Person, Workgroup
from bridgework.surveys import results as survey_results
from bridgework.surveys import services
from bridgework.surveys.models import Invitation, Response, Wave
from tests.chart_svg import page_svgs
from tests.factories import login_with
from tests.web.api_client import Api
from tests.web.insider import between, table_rows
from tests.web.pdf_text import pdf_text

K = 3  # the smallest minimum group size allowed: the most figures shown, the most to attack
MIN_ITEMS = 5
COMM = 4  # frequent, timely, accurate, problem solving


# --- generated waves ----------------------------------------------------------------------

answer_value = st.one_of(st.none(), st.integers(1, 5))
# A respondent's view of one target: None = "I don't work with this group", else 7 answers.
view_of_target = st.one_of(st.none(), st.lists(answer_value, min_size=7, max_size=7))


@st.composite
def waves(draw):
    n_groups = draw(st.integers(2, 4))
    sizes = [draw(st.integers(1, 9)) for _ in range(n_groups)]
    people = [(g, i) for g in range(n_groups) for i in range(sizes[g])]
    answers = {p: [draw(view_of_target) for _ in range(n_groups)] for p in people}
    order = draw(st.permutations(people))
    before = {p: [draw(view_of_target) for _ in range(n_groups)] for p in people}
    return {
        "sizes": sizes,
        "answers": answers,
        "order": list(order),
        "live": draw(st.booleans()),
        "compare": draw(st.booleans()),
        "before": before,
    }


def qualifies(view) -> bool:
    return view is not None and sum(a is not None for a in view) >= MIN_ITEMS


# --- what the insider sees ----------------------------------------------------------------


def _num(text):
    if text in (None, ""):
        return None
    return float(unguard_cell(str(text)))


@dataclass
class Look:
    """Every figure of one look: key → (n, value)."""

    figures: dict[tuple, tuple[int, float]] = field(default_factory=dict)
    #: Figures another surface shows that the downloads do not (or differently): leaks.
    extra: list = field(default_factory=list)

    def expect(self, where: str, key: tuple, value, n: int | None = None) -> None:
        """``where`` shows ``value`` (on ``n``) for ``key``: the downloads must show the same."""
        if value is None:
            return
        seen = self.figures.get(key)
        if seen is None or (n is not None and seen[0] != n) or abs(seen[1] - float(value)) > 1e-3:
            self.extra.append((where, key, n, value, seen))


DECIMAL = re.compile(r"-?\d+\.\d+")


def read_results(
    client, slug: str, wave: Wave, groups: list[str], memo: dict, api: Api | None = None
) -> Look:
    """One look at everything. The pages are re-read only when a download changed: they show
    the same snapshot's figures, so unchanged downloads mean unchanged pages."""
    base = f"/n/{slug}/surveys/waves/{wave.pk}"
    look = Look()
    response = client.get(f"{base}/results.csv")
    if response.status_code == 302:
        for page in ("results/", "results/print/", "progress/"):
            assert client.get(f"{base}/{page}").status_code == 200
        return look
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    for row in rows:
        rater, target = unguard_cell(row["rater"]), unguard_cell(row["target"])
        if _num(row["rc"]) is not None:
            look.figures[("cell", rater, target)] = (int(row["n"]), _num(row["rc"]))
            for d in DIMENSIONS:
                if _num(row[d]) is not None:
                    look.figures[("dim", rater, target, d)] = (
                        int(row[f"{d}_answers"]),
                        _num(row[d]),
                    )
            for name in ("communication", "relationship"):
                if _num(row[name]) is not None:
                    look.figures[(name, rater, target)] = (int(row["n"]), _num(row[name]))
    workbook = load_workbook(io.BytesIO(client.get(f"{base}/results.xlsx").content))
    for line in workbook["Workgroups"].iter_rows(min_row=2, values_only=True):
        name, _, received, n_received, given_, n_given = line[:6]
        if received is not None:
            look.figures[("received", unguard_cell(name))] = (int(n_received), float(received))
        if given_ is not None:
            look.figures[("given", unguard_cell(name))] = (int(n_given), float(given_))
    for name, value, _, n in workbook["Overall"].iter_rows(min_row=2, values_only=True):
        if name in ("respondent_weighted", "role_balanced", "within", "between") and value:
            look.figures[("overall", name)] = (int(n), float(value))
    for line in workbook["Workgroups"].iter_rows(min_row=2, values_only=True):
        name = unguard_cell(line[0])
        look.expect("xlsx within", ("cell", name, name), line[6])
    for a, b, a_to_b, b_to_a, _, _ in workbook["Reciprocity"].iter_rows(
        min_row=2, values_only=True
    ):
        look.expect("xlsx reciprocity", ("cell", unguard_cell(a), unguard_cell(b)), a_to_b)
        look.expect("xlsx reciprocity", ("cell", unguard_cell(b), unguard_cell(a)), b_to_a)
    change = client.get(f"{base}/change.csv")
    if change.status_code == 200:
        for row in csv.DictReader(io.StringIO(change.content.decode("utf-8-sig"))):
            if _num(row["after"]) is not None:
                key = (unguard_cell(row["rater"]), unguard_cell(row["target"]))
                look.figures[("after", *key)] = (int(row["n_after"]), _num(row["after"]))
                look.figures[("before", *key)] = (int(row["n_before"]), _num(row["before"]))
    fingerprint = (response.content, change.content, sorted(look.figures.items()))
    if memo.get(id(client)) == fingerprint:
        return look
    memo[id(client)] = fingerprint
    if change.status_code == 200:
        load_workbook(io.BytesIO(client.get(f"{base}/change.xlsx").content))
    assert client.get(f"{base}/progress/").status_code == 200
    for page in ("results/", "results/print/"):
        read_results_page(client.get(f"{base}/{page}").content.decode(), look)
    if api is not None:
        read_api(api.json(f"rc/waves/{wave.pk}/results"), look)
    for rater in groups:
        for target in groups:
            page = client.get(f"{base}/results/cell/", {"rater": rater, "target": target})
            assert page.status_code == 200
            read_cell_page(page.content.decode(), look, rater, target)
    return look


def read_cell_page(page: str, look: Look, rater: str, target: str) -> None:
    """A cell's profile page: its index, n, subscales and seven dimensions are the downloads'."""
    shown = look.figures.get(("cell", rater, target))
    if shown is None:
        assert "Suppressed" in page, (rater, target)
        assert "respondents;" not in page, (rater, target)
        return
    found = re.search(r'bw-stat">(\d+\.\d\d) .*?(\d+) respondents', page, re.S)
    assert found, (rater, target)
    assert found.groups() == (f"{shown[1]:.2f}", str(shown[0])), (rater, target)
    for name, label in (("communication", "Communication"), ("relationship", "relationships")):
        value = re.search(rf"{label} (not shown|\d+\.\d\d)", page).group(1)
        seen = look.figures.get((name, rater, target))
        assert value == ("not shown" if seen is None else f"{seen[1]:.2f}"), (name, value, seen)
    table = between(page, "The seven dimensions (1 to 5)</caption>", "</table>")
    rows = table_rows(table)[1:]
    assert len(rows) == len(DIMENSIONS)
    for dimension, (_, _, score) in zip(DIMENSIONS, rows, strict=True):
        seen = look.figures.get(("dim", rater, target, dimension))
        expected = "Suppressed" if seen is None else f"{seen[1]:.2f}"
        assert score.split()[0] == expected, (rater, target, dimension, score, seen)


def read_results_page(page: str, look: Look) -> None:
    """The results page's heatmap table and its picture show the downloads' cells, no more."""
    heatmap = table_rows(between(page, '<table class="govuk-table" id="heatmap">', "</table>"))
    targets = heatmap[0][1:]
    on_page = []
    for row in heatmap[1:]:
        for target, shown in zip(targets, row[1:], strict=True):
            key = ("cell", row[0], target)
            if shown == "Suppressed":
                if key in look.figures:
                    look.extra.append(("page", key, None, "Suppressed", look.figures[key]))
                continue
            value, n = re.match(r"(\d+\.\d\d).*?n (\d+)", shown).groups()
            on_page.append(value)
            seen = look.figures.get(key)
            if seen is None or seen[0] != int(n) or f"{seen[1]:.2f}" != value:
                look.extra.append(("page", key, int(n), value, seen))
    shown_cells = sorted(f"{v:.2f}" for k, (_, v) in look.figures.items() if k[0] == "cell")
    assert sorted(on_page) == shown_cells, ("page heatmap", on_page, shown_cells)
    heat = page_svgs(page)["chart-rc-heatmap"]
    written = [e.text.strip() for e in heat.iter() if e.text and e.text.strip()]
    pictured = sorted(t for t in written if DECIMAL.fullmatch(t))
    assert pictured == shown_cells, ("heatmap picture", pictured, shown_cells)


def read_api(body: dict, look: Look) -> None:
    """The API's results: every figure it shows is one the downloads show, with the same n."""
    if not body["available"]:
        assert not look.figures, "the API says no results while the downloads show some"
        return
    for cell in body["cells"]:
        key = (cell["rater"], cell["target"])
        if cell["suppressed"]:
            assert ("cell", *key) not in look.figures, ("API hides", key)
            assert {cell[f] for f in ("n", "rc", "ci", "communication", "dimensions")} == {None}
            continue
        look.expect("api", ("cell", *key), cell["rc"], cell["n"])
        for name in ("communication", "relationship"):
            look.expect("api", (name, *key), cell[name], cell["n"])
        for d in cell["dimensions"]:
            look.expect("api", ("dim", *key, d["dimension"]), d["value"])
    for row in body["workgroups"]:
        look.expect("api", ("received", row["workgroup"]), row["rc_received"])
        look.expect("api", ("given", row["workgroup"]), row["rc_given"])
        look.expect("api", ("cell", row["workgroup"], row["workgroup"]), row["within"])
    for figure in body["overall"]:
        look.expect("api", ("overall", figure["name"]), figure["value"])
    for gap in body["reciprocity"]:
        look.expect("api", ("cell", gap["a"], gap["b"]), gap["a_to_b"])
        look.expect("api", ("cell", gap["b"], gap["a"]), gap["b_to_a"])
    if body["comparison"]:
        for cell in body["comparison"]["cells"]:
            key = (cell["rater"], cell["target"])
            look.expect("api", ("after", *key), cell["change"]["after"])
            look.expect("api", ("before", *key), cell["change"]["before"])
        for figure in body["comparison"]["overall"]:
            look.expect("api", ("overall", figure["name"]), figure["change"]["after"])


def read_report(client, base: str, look: Look) -> None:
    """The PDF report: no decimal figure that the results page and its print page lack."""
    response = client.get(f"{base}/results.pdf")
    if response.status_code == 302:
        assert not look.figures
        return
    assert response.status_code == 200
    pages = client.get(f"{base}/results/").content.decode()
    pages += client.get(f"{base}/results/print/").content.decode()
    method = {"0.01", "0.05", "0.2"}  # the constants the method note quotes
    unexplained = set(DECIMAL.findall(pdf_text(response.content))) - set(DECIMAL.findall(pages))
    assert unexplained <= method, ("PDF shows", sorted(unexplained - method))


# --- the adversary ------------------------------------------------------------------------


class Adversary:
    """Remembers every figure seen, as linear equations over unknown answers."""

    def __init__(self, sizes, groups):
        self.sizes, self.groups = sizes, groups
        self.rows: dict[str, list[dict[tuple, float]]] = {}
        self.labels: dict[str, list[tuple]] = {}
        self.seen: set[tuple] = set()
        self.step = 0
        self.label: tuple = ()

    def add(self, family: str, weights: dict[tuple, float]) -> None:
        if weights:
            self.rows.setdefault(family, []).append(weights)
            self.labels.setdefault(family, []).append((self.step, *self.label))

    def explain(self, unknown: tuple) -> list[tuple]:
        """The figures (step, key, n) whose equations involve ``unknown``."""
        return [
            label
            for family, rows in self.rows.items()
            for row, label in zip(rows, self.labels[family], strict=True)
            if unknown in row
        ]

    def pinned(self) -> list[tuple]:
        found = []
        for _family, rows in self.rows.items():
            unknowns = sorted({u for row in rows for u in row})
            index = {u: i for i, u in enumerate(unknowns)}
            matrix = np.zeros((len(rows), len(unknowns)))
            for r, row in enumerate(rows):
                for u, w in row.items():
                    matrix[r, index[u]] = w
            free = null_space(matrix, rcond=1e-10)
            for u, i in index.items():
                if free.shape[1] == 0 or np.abs(free[i]).max() < 1e-8:
                    found.append(u)
        return found


def truth(data, answered: list, wave_tag: str):
    """Per-pair facts of the people who have answered so far."""
    source = data["answers"] if wave_tag == "now" else data["before"]
    pairs = {}
    for person in answered:
        for t, view in enumerate(source.get(person, ())):
            if qualifies(view):
                pairs[(person, t)] = view
    return pairs


def learn(adversary: Adversary, look: Look, data, answered: list, groups, k: int) -> None:
    pairs = truth(data, answered, "now")
    before_pairs = truth(data, list(data["answers"]), "before")
    name_of = {name: i for i, name in enumerate(groups)}
    for key, (n, _) in look.figures.items():
        assert n >= k, f"{key} is shown from {n} answers"
    assert not look.extra, f"shown beyond the downloads: {look.extra[:5]}"
    for key, (n, value) in look.figures.items():
        if (key, n, round(value, 4)) in adversary.seen:
            continue
        adversary.seen.add((key, n, round(value, 4)))
        adversary.label = (key, n)
        kind = key[0]
        if kind in ("cell", "after", "communication", "relationship"):
            g, t = name_of[key[1]], name_of[key[2]]
            members = [(p, t) for (p, tt) in pairs if p[0] == g and tt == t]
            assert len(members) == n, f"{key}: {n} shown, {len(members)} behind it"
            values = [pairs[m] for m in members]
            if kind in ("cell", "after"):
                mean = np.mean([np.mean([a for a in v if a is not None]) for v in values])
                family, tag = "index", "now"
            else:
                part = slice(0, COMM) if kind == "communication" else slice(COMM, 7)
                mean = np.mean([np.mean([a for a in v[part] if a is not None]) for v in values])
                family, tag = kind, "now"
            assert abs(mean - value) < 1e-3, f"{key}: shows {value}, answers give {mean}"
            adversary.add(family, {(tag, m): 1.0 for m in members})
        elif kind == "before":
            g, t = name_of[key[1]], name_of[key[2]]
            members = [(p, t) for (p, tt) in before_pairs if p[0] == g and tt == t]
            assert len(members) == n, f"{key}: {n} shown, {len(members)} behind it"
            adversary.add("index", {("before", m): 1.0 for m in members})
        elif kind == "dim":
            g, t, d = name_of[key[1]], name_of[key[2]], DIMENSIONS.index(key[3])
            members = [(p, t) for (p, tt) in pairs if p[0] == g and tt == t]
            members = [m for m in members if pairs[m][d] is not None]
            assert len(members) == n, f"{key}: {n} shown, {len(members)} behind it"
            mean = np.mean([pairs[m][d] for m in members])
            assert abs(mean - value) < 1e-3, f"{key}: shows {value}, answers give {mean}"
            adversary.add("answers", {("now", m, d): 1.0 for m in members})
        elif kind == "received":
            w = name_of[key[1]]
            members = [(p, t) for (p, t) in pairs if t == w and p[0] != w]
            assert len(members) == n, f"{key}: {n} shown, {len(members)} behind it"
            adversary.add("index", {("now", m): 1.0 for m in members})
        elif kind == "given":
            w = name_of[key[1]]
            members = [(p, t) for (p, t) in pairs if p[0] == w and t != w]
            assert len({p for p, _ in members}) == n, f"{key}: {n} people shown"
            adversary.add("index", {("now", m): 1.0 for m in members})
        elif kind == "overall" and key[1] == "respondent_weighted":
            people = sorted({p for p, _ in pairs})
            assert len(people) == n, f"{key}: {n} shown, {len(people)} behind it"
            adversary.add("people", {("now", p): 1.0 for p in people})
        elif kind == "overall":
            # Means of the shown cells only: nothing beyond the cells themselves.
            chosen = [
                v
                for other, (_, v) in look.figures.items()
                if other[0] == "cell"
                and (key[1] == "role_balanced" or (key[1] == "within") == (other[1] == other[2]))
            ]
            assert chosen, f"{key} shown without a shown cell"
            assert abs(np.mean(chosen) - value) < 1e-3, f"{key}: not the mean of shown cells"


# --- the test -----------------------------------------------------------------------------


def build(data):
    network = Network.objects.create(name="Insider", slug="insider", min_group_size=K)
    org = Organisation.objects.create(network=network, name="Agency")
    groups = []
    for g, size in enumerate(data["sizes"]):
        group = Workgroup.objects.create(network=network, name=f"G{g}")
        groups.append(group)
        for i in range(size):
            Person.objects.create(
                network=network,
                name=f"P{g}-{i}",
                email=f"p{g}-{i}@insider.example",
                workgroup=group,
                organisation=org,
            )
    process = services.work_process_create(network=network, name="Discharge", workgroups=groups)
    now = timezone.now()
    waves = []
    specs = [("before", 40, 30)] if data["compare"] else []
    specs.append(("now", 5, -5))
    for tag, opened, closes in specs:
        wave = services.wave_create(
            process=process,
            name=f"Wave {tag}",
            opens_at=now - timedelta(days=opened),
            closes_at=now - timedelta(days=closes),
            respondent_workgroups=groups,
            min_group_size=K,
        )
        Wave.objects.filter(pk=wave.pk).update(live_results=data["live"] and tag == "now")
        wave.refresh_from_db()
        invitations = {}
        for person in Person.objects.filter(network=network).select_related("workgroup"):
            g = groups.index(person.workgroup)
            i = int(person.name.split("-")[1])
            invitations[(g, i)] = Invitation.objects.create(
                network=network, wave=wave, person=person, workgroup=person.workgroup
            )
        waves.append((tag, wave, invitations))
    return network, groups, waves


def submit(invitation, views, groups) -> None:
    for t, view in enumerate(views):
        target = f"wg:{groups[t].pk}"
        if view is None:
            Response.objects.create(invitation=invitation, target=target, works_with=False)
        else:
            Response.objects.create(
                invitation=invitation, target=target, **dict(zip(DIMENSIONS, view, strict=True))
            )
    invitation.completed_at = timezone.now()
    invitation.save()


def run_insider(data) -> None:
    network, groups, waves = build(data)
    names = [g.name for g in groups]
    insiders = [
        login_with(network, "coordinator", "c@insider.example"),
        login_with(network, "analyst", "a@insider.example"),
    ]
    adversary = Adversary(data["sizes"], names)
    api = Api(network)  # a token of the network's: the API is one more way to look
    if data["compare"]:
        before_invitations = waves[0][2]
        for person in data["order"]:
            submit(before_invitations[person], data["before"][person], groups)
    _, wave, invitations = waves[-1]
    answered: list = []
    memo: dict = {}
    turn = [0]

    def look_all(everyone: bool = False) -> None:
        # The coordinator and the analyst take turns (they collude: one adversary), and both
        # look at the end.
        wave.refresh_from_db()
        turn[0] += 1
        for client in insiders if everyone else [insiders[turn[0] % 2]]:
            look = read_results(client, network.slug, wave, names, memo, api)
            if everyone:
                read_report(client, f"/n/{network.slug}/surveys/waves/{wave.pk}", look)
            learn(adversary, look, data, answered, names, K)
        adversary.step = len(answered)
        pinned = adversary.pinned()
        assert not pinned, (
            f"pinned down exactly: {pinned[:5]} after {len(answered)} answers, from "
            f"{adversary.explain(pinned[0]) if pinned else ''}"
        )

    look_all()
    for person in data["order"]:
        submit(invitations[person], data["answers"][person], groups)
        answered.append(person)
        if data["live"]:
            look_all()
    services.wave_close(wave=wave)
    look_all(everyone=True)
    # Erasure after close: the published figures must not move.
    Response.objects.filter(invitation=invitations[data["order"][0]]).delete()
    look_all(everyone=True)


@pytest.fixture
def cheap_statistics(monkeypatch):
    # The intervals are not what is attacked; fewer replicates keep the suite quick.
    monkeypatch.setattr(survey_results, "BOOTSTRAP", 10)
    monkeypatch.setattr(survey_results, "PERMUTATIONS", 10)


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=int(__import__("os").environ.get("INSIDER_EXAMPLES", 25)),
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # a found case is reported as is
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=waves())
def test_no_sequence_of_looks_pins_down_an_answer(cheap_statistics, data):
    with transaction.atomic():
        run_insider(data)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_adversary_catches_a_naive_live_cell(cheap_statistics):
    # Without the publication rule a cell at n = 3, then n = 4, gives the fourth answers.
    adversary = Adversary([4, 1], ["G0", "G1"])
    data = {"answers": {(0, i): [None, [4, 4, 4, 4, 4, 4, 4]] for i in range(4)}}
    for n in (3, 4):
        answered = [(0, i) for i in range(n)]
        look = Look({("cell", "G0", "G1"): (n, 4.0)})
        learn(adversary, look, {**data, "before": data["answers"]}, answered, ["G0", "G1"], K)
    assert adversary.pinned() == [("now", ((0, 3), 1))]


@pytest.mark.django_db
def test_without_the_publication_rule_the_insider_wins(cheap_statistics, monkeypatch):
    # The same attack against live results republished afresh after every answer must succeed.
    from bridgework.analysis import publication, rc_publication

    def afresh(previous, fresh, totals=(), *, min_group_size, as_of, final=()):
        return publication.publish({}, fresh, (), min_group_size=min_group_size, as_of=as_of)

    monkeypatch.setattr(rc_publication, "publish", afresh)
    people = [(0, i) for i in range(4)] + [(1, 0)]
    data = {
        "sizes": [4, 1],
        "answers": {p: [None, [2 + p[1] % 3] * 7] if p[0] == 0 else [None, None] for p in people},
        "order": people,
        "live": True,
        "compare": False,
        "before": {},
    }
    with pytest.raises(AssertionError, match="pinned down exactly"):
        run_insider(data)


def test_a_surface_showing_more_than_the_downloads_is_caught():
    # The API showing a dimension and a reverse cell that the downloads hide must be reported,
    # and so must a heatmap that shows a cell the downloads hide.
    look = Look({("cell", "G0", "G1"): (3, 4.0)})
    cell = {"rater": "G0", "target": "G1", "suppressed": False, "n": 3, "rc": 4.0}
    cell |= {"communication": None, "relationship": None}
    cell["dimensions"] = [{"dimension": "timely", "value": 2.0}]
    body = {"available": True, "cells": [cell], "workgroups": [], "overall": []}
    body |= {"reciprocity": [{"a": "G0", "b": "G1", "a_to_b": 4.0, "b_to_a": 1.5}]}
    read_api(body | {"comparison": None}, look)
    assert look.extra == [
        ("api", ("dim", "G0", "G1", "timely"), None, 2.0, None),
        ("api", ("cell", "G1", "G0"), None, 1.5, None),
    ]
    row = '<tr class="govuk-table__row">{}</tr>'
    page = '<table class="govuk-table" id="heatmap">' + row.format(
        "<th></th><th>G0</th><th>G1</th>"
    )
    page += row.format("<th>G0</th><td>Suppressed</td><td>4.00 n 3</td>")
    page += row.format("<th>G1</th><td>3.50 n 4</td><td>Suppressed</td>") + "</table>"
    with pytest.raises(AssertionError, match="page heatmap"):
        read_results_page(page, Look({("cell", "G0", "G1"): (3, 4.0)}))
