"""The user's cell library: a folder of cell files listed beside the templates."""

from __future__ import annotations

import pytest

from engine.cells import TEMPLATES
from engine.cells.library import MAX_BYTES, CellFileError, list_library, load_cell_file, save_cell_file


def test_saved_cells_are_listed_by_name_and_load_back_equal(tmp_path):
    doc = TEMPLATES["peephole_lstm"].document()
    path = save_cell_file(doc, tmp_path / "cells")
    assert path.name == "Peephole_LSTM.rscell"
    assert load_cell_file(path).to_dict() == doc.to_dict()
    save_cell_file(TEMPLATES["gru_no_reset"].document(), tmp_path / "cells", "mine")
    assert [entry.name for entry in list_library(tmp_path / "cells")] == ["Peephole LSTM", "GRU without reset gate"]


def test_a_broken_file_is_listed_with_its_problem_and_hides_nothing(tmp_path):
    save_cell_file(TEMPLATES["lstm"].document(), tmp_path)
    (tmp_path / "bad.rscell").write_text('{"format": "recurrent-studio-cell", "version": 1, "value": NaN}')
    (tmp_path / "old.rscell").write_text('{"format": "recurrent-studio-cell", "version": 9}')
    entries = {entry.path.name: entry for entry in list_library(tmp_path)}
    assert entries["LSTM.rscell"].cell is not None
    assert "NaN is not a number JSON allows" in entries["bad.rscell"].problem
    assert "update the app" in entries["old.rscell"].problem and entries["old.rscell"].cell is None


def test_oversized_files_and_missing_folders(tmp_path):
    big = tmp_path / "big.rscell"
    big.write_bytes(b" " * (MAX_BYTES + 1))
    with pytest.raises(CellFileError, match="big.rscell"):
        load_cell_file(big)
    assert list_library(tmp_path / "nowhere") == []
