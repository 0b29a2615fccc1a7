"""The columnar CSV reader gives what the general reader gives, on the fast path or not."""

from __future__ import annotations

import pytest

from bridgework.datasets.columnar import read_columns
from bridgework.datasets.tabular import DatasetError, read_frame

SAMPLES = {
    "regular": b"id,name\n1, Ana\n2,Ben \n",
    "semicolons": b"id;name\n1;Ana\n2;Ben\n",
    "byte order mark": b"\xef\xbb\xbfid,name\n1,Ana\n",
    "quoted delimiter": b'id,name\n1,"Ana, Maria"\n2,Ben\n',
    "blank line": b"id,name\n1,Ana\n\n2,Ben\n",
    "quoted line break": b'id,name\n1,"Ana\nMaria"\n2,Ben\n',
    "windows-1252": "id,name\n1,Zoë\n".encode("cp1252"),
    "utf-8": "id,name\n1,Zoë\n".encode(),
    "short row": b"id,name\n1\n2,Ben\n",
    "header only": b"id,name\n",
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_columns_match_the_general_reader(tmp_path, name):
    path = tmp_path / "f.csv"
    path.write_bytes(SAMPLES[name])
    frame = read_frame(path)
    columns = read_columns(path)
    assert columns.names == [str(c).strip() for c in frame.columns]
    for column in frame.columns:
        expected = [str(value).strip() for value in frame[column].tolist()]
        assert columns.column(str(column).strip()).to_pylist() == expected
    assert columns.rows.tolist() == list(frame.index)


def test_a_row_wider_than_the_header_is_refused_as_before(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"a,b\n1,2\n3,4,5\n")
    with pytest.raises(DatasetError) as general:
        read_frame(path)
    with pytest.raises(DatasetError) as columnar:
        read_columns(path)
    assert [str(p) for p in columnar.value.problems] == [str(p) for p in general.value.problems]


def test_limits_hold_on_the_fast_path(tmp_path, monkeypatch):
    path = tmp_path / "f.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 5)
    monkeypatch.setenv("BRIDGEWORK_MAX_ROWS", "4")
    with pytest.raises(DatasetError, match="more than 4 rows"):
        read_columns(path)
    monkeypatch.setenv("BRIDGEWORK_MAX_ROWS", "100")
    monkeypatch.setenv("BRIDGEWORK_MAX_CELL_CHARS", "3")
    path.write_bytes(b"a,b\n1,2\n3,4567\n")
    with pytest.raises(DatasetError, match="row 3, column b: the cell has more than 3"):
        read_columns(path)
