"""No file holds a reader hostage or ends in a traceback.

Every reader and every command that reads files is fed generated malformed CSV/XLSX
(hypothesis) and the fixed corpus of hostile files in :mod:`tests.nasty_files`. Each must
return or raise :class:`DatasetError` (a command: exit status 0 or 2, no traceback), within a
bounded time and memory.
"""

from __future__ import annotations

import io
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridgework.cli import main
from bridgework.datasets import network_io, pairing_io, people, rc_responses
from bridgework.datasets.limits import upload_limits
from bridgework.datasets.tabular import DatasetError, read_frame, read_table
from tests import nasty_files

#: Seconds any one file may take through any one reader (generous: a loaded 2-core machine).
PER_FILE_SECONDS = 15

#: Bytes of Python memory one read may peak at (the files are all under a few MB packed).
PEAK_BYTES = 400 * 1024 * 1024

FUZZ = settings(
    max_examples=30,
    deadline=5_000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _readers(path: Path):
    """Every file reader, each called on ``path`` as the commands call them."""
    roster = pairing_io.read_participants(b"id,organisation,team,workgroup\na,o,t,w\nb,o2,t2,w2\n")
    return {
        "read_table": lambda: read_table(path),
        "read_frame": lambda: read_frame(path),
        "read_table upload": lambda: read_table(path.read_bytes(), limits=upload_limits()),
        "people.read_people": lambda: people.read_people(path),
        "network_io.read_network_people": lambda: network_io.read_network_people(path),
        "network_io.read_nominations": lambda: network_io.read_nominations(path, ["1", "2"]),
        "pairing_io.read_participants": lambda: pairing_io.read_participants(path),
        "pairing_io.read_history": lambda: pairing_io.read_history(path, participants=roster),
        "pairing_io.read_exclusions": lambda: pairing_io.read_exclusions(path, participants=roster),
        "pairing_io.read_ties": lambda: pairing_io.read_ties(path, participants=roster),
        "rc_responses.read_rc_responses": lambda: rc_responses.read_rc_responses(path),
    }


def _every_reader_holds(path: Path, *, measure_memory: bool = False) -> None:
    for name, read in _readers(path).items():
        if measure_memory:
            tracemalloc.start()
        started = time.perf_counter()
        problems = None
        try:
            read()
        except DatasetError as error:
            problems = error.problems
        finally:
            elapsed = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1] if measure_memory else 0
            if measure_memory:
                tracemalloc.stop()
        assert problems is None or all(str(problem) for problem in problems), name
        assert elapsed < PER_FILE_SECONDS, f"{name} took {elapsed:.1f}s on {path.name}"
        assert peak < PEAK_BYTES, f"{name} peaked at {peak / 2**20:.0f} MB on {path.name}"


def _commands(path: Path, good_participants: Path) -> list[list[str]]:
    p = str(path)
    return [
        ["rc", "analyze", p, "--bootstrap", "0"],
        ["rc", "compare", p, "--before", "1", "--after", "2", "--bootstrap", "0"],
        ["network", "analyze", "--people", p, "--nominations", p],
        ["pair", "--participants", p],
        ["pair", "--participants", str(good_participants), "--history", p, "--exclusions", p],
        ["pair", "--participants", str(good_participants), "--ties", p, "--rc", p],
    ]


@pytest.fixture
def good_participants(tmp_path: Path) -> Path:
    path = tmp_path / "participants.csv"
    path.write_text("id,organisation,team,workgroup\na,o1,t1,w1\nb,o2,t2,w2\n")
    return path


def _every_command_holds(path: Path, good_participants: Path, capsys) -> None:
    for argv in _commands(path, good_participants):
        started = time.perf_counter()
        status = main(argv)
        elapsed = time.perf_counter() - started
        out, err = capsys.readouterr()
        assert status in (0, 2), f"{argv}: status {status}\n{err}"
        assert "Traceback" not in err + out, argv
        if status == 2:
            assert err.strip(), f"{argv}: refused without saying why"
        assert elapsed < PER_FILE_SECONDS, f"{argv} took {elapsed:.1f}s"


# -- generated files ----------------------------------------------------------------------

_NASTY_TEXT = st.one_of(
    st.text(
        alphabet=st.one_of(
            st.characters(codec="utf-8"),
            st.sampled_from(["\x00", "\x07", "\x1b", "\r", "\n", '"', ",", ";", "\t", "\ufeff"]),
            st.sampled_from(["=", "+", "-", "@", "\ufffe", "\u202e"]),
        ),
        max_size=40,
    ),
    st.sampled_from(["=cmd|' /c calc'!A1", '=HYPERLINK("http://x")', "@SUM(1)", "NA", "1e309"]),
)

_HEADERS = st.lists(
    st.sampled_from(
        ["name", "email", "id", "ego", "alter", "a", "b", "date", "organisation", "team",
         "workgroup", "score", "dimension", "respondent_id", "", "name", " Email ", "\ufeffid"]
    ),
    max_size=8,
)  # fmt: skip


@st.composite
def csv_files(draw) -> bytes:
    """CSV-ish bytes: ragged rows, blank and duplicate headers, mixed delimiters, odd
    encodings, BOMs, control characters, huge cells."""
    header = draw(_HEADERS)
    rows = draw(st.lists(st.lists(_NASTY_TEXT, max_size=10), max_size=12))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    lines = [delimiter.join(header)]
    for row in rows:
        joiner = draw(st.sampled_from([delimiter, ",", ";"]))
        lines.append(joiner.join(row))
    if draw(st.booleans()):
        lines.append("x" * draw(st.sampled_from([10, 40_000])))
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):
        cut = draw(st.integers(0, max(len(data), 1)))
        data = data[:cut] + draw(st.binary(max_size=20)) + data[cut:]
    return data


@st.composite
def xlsx_files(draw) -> bytes:
    """Real workbooks with odd cells, then perhaps cut, flipped or with a part replaced."""
    header = draw(_HEADERS)
    rows = draw(st.lists(st.lists(_NASTY_TEXT, max_size=6), max_size=6))
    cells = [[openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("", v) for v in r] for r in rows]
    data = nasty_files.workbook([header, *cells])
    damage = draw(st.sampled_from(["none", "cut", "flip", "part"]))
    if damage == "cut":
        # Positions are drawn independently of the workbook's length, which varies with the
        # timestamps inside it: hypothesis needs the same draws to give the same example.
        data = data[: draw(st.integers(0, 10**6)) % (len(data) + 1)]
    elif damage == "flip":
        spots = [
            spot % len(data)
            for spot in draw(st.lists(st.integers(0, 10**6), min_size=1, max_size=8))
        ]
        buffer = bytearray(data)
        for spot in spots:
            buffer[spot] ^= 0xFF
        data = bytes(buffer)
    elif damage == "part":
        source = zipfile.ZipFile(io.BytesIO(data))
        out = io.BytesIO()
        victim = draw(st.sampled_from(sorted(source.namelist())))
        with zipfile.ZipFile(out, "w") as target:
            for name in source.namelist():
                target.writestr(
                    name, draw(st.binary(max_size=200)) if name == victim else source.read(name)
                )
        data = out.getvalue()
    return data


@FUZZ
@given(data=st.one_of(csv_files(), st.binary(max_size=2_000)))
def test_generated_csv_never_breaks_a_reader(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("csv") / "input.csv"
    path.write_bytes(data)
    _every_reader_holds(path)


@FUZZ
@given(data=xlsx_files(), name=st.sampled_from(["input.xlsx", "input.csv"]))
def test_generated_xlsx_never_breaks_a_reader(tmp_path_factory, data, name):
    path = tmp_path_factory.mktemp("xlsx") / name
    path.write_bytes(data)
    _every_reader_holds(path)


@settings(max_examples=10, deadline=20_000, suppress_health_check=list(HealthCheck))
@given(data=st.one_of(csv_files(), xlsx_files(), st.binary(max_size=500)))
def test_generated_files_never_break_a_command(tmp_path_factory, capsys, data):
    folder = tmp_path_factory.mktemp("cmd")
    participants = folder / "participants.csv"
    participants.write_text("id,organisation,team,workgroup\na,o1,t1,w1\nb,o2,t2,w2\n")
    path = folder / ("input.xlsx" if data[:2] == b"PK" else "input.csv")
    path.write_bytes(data)
    _every_command_holds(path, participants, capsys)


# -- the fixed corpus ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("corpus")
    paths = {}
    for key, build in nasty_files.CORPUS.items():
        name, data = build()
        path = folder / key / name
        path.parent.mkdir()
        path.write_bytes(data)
        paths[key] = path
    return paths


@pytest.mark.parametrize("key", sorted(nasty_files.CORPUS))
def test_every_reader_refuses_or_reads_the_corpus_quickly(corpus, key):
    _every_reader_holds(corpus[key], measure_memory=key != "two_million_rows")


@pytest.mark.parametrize("key", sorted(nasty_files.CORPUS))
def test_every_command_refuses_the_corpus_with_a_message(corpus, key, good_participants, capsys):
    _every_command_holds(corpus[key], good_participants, capsys)


def test_hostile_workbooks_are_refused_for_what_they_are(corpus):
    reasons = {}
    for key in ("entity_bomb", "zip_bomb", "two_million_rows", "claims_two_million_rows"):
        with pytest.raises(DatasetError) as caught:
            read_table(corpus[key])
        reasons[key] = str(caught.value)
    assert "XML entities" in reasons["entity_bomb"]
    assert "BRIDGEWORK_MAX_XLSX_RATIO" in reasons["zip_bomb"]
    assert "BRIDGEWORK_MAX_ROWS" in reasons["two_million_rows"]
    assert "BRIDGEWORK_MAX_ROWS" in reasons["claims_two_million_rows"]
    with pytest.raises(DatasetError, match="BRIDGEWORK_MAX_UPLOAD_ROWS"):
        read_table(corpus["two_million_rows"].read_bytes(), limits=upload_limits())


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_the_entity_bomb_is_refused_in_bounded_time_and_memory(corpus):
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(DatasetError, match="XML entities"):
        read_table(corpus["entity_bomb"])
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 2
    assert peak < 50 * 1024 * 1024


def test_binary_csv_is_one_line_naming_the_file(corpus, good_participants, capsys):
    path = corpus["binary_csv"]
    for argv in (
        ["pair", "--participants", str(path)],
        ["network", "analyze", "--people", str(path), "--nominations", str(path)],
        ["rc", "analyze", str(path)],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.strip().splitlines() == [
            next(line for line in err.splitlines() if "not a CSV or XLSX table" in line)
        ]
        assert f"{path}: not a CSV or XLSX table" in err


@pytest.mark.slow
@pytest.mark.parametrize("key", ["binary_csv", "zip_bomb", "two_million_rows", "entity_bomb"])
def test_commands_in_a_subprocess_exit_2_in_bounded_time_and_memory(corpus, key, tmp_path):
    path = str(corpus[key])
    script = (
        "import resource, sys\n"
        "from bridgework.cli import main\n"
        "status = main(sys.argv[1:])\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
        "raise SystemExit(status)\n"
    )
    for argv in (["pair", "--participants", path], ["rc", "analyze", path]):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", script, *argv], capture_output=True, text=True, timeout=60
        )
        elapsed = time.perf_counter() - started
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        max_rss_kb = int(done.stderr.strip().splitlines()[-1])
        assert max_rss_kb < 1_000_000, f"{argv}: {max_rss_kb} kB"
        assert elapsed < 30


def test_an_internal_error_is_one_line_and_debug_adds_the_traceback(monkeypatch, capsys, tmp_path):
    from bridgework.datasets import rc_responses as module

    def broken(*args, **kwargs):
        raise RuntimeError("something inside broke")

    monkeypatch.setattr(module, "read_rc_responses", broken)
    path = tmp_path / "answers.csv"
    path.write_text("a,b\n1,2\n")
    assert main(["rc", "analyze", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.strip() == (
        "internal error: RuntimeError: something inside broke (run with --debug for the traceback)"
    )
    assert main(["--debug", "rc", "analyze", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert err.strip().endswith("internal error: RuntimeError: something inside broke")
