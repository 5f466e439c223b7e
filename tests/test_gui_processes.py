"""The window's training settings offer 'processes' (the same schema the CLI's --nproc
overrides); with 2, a run from the window trains in two DDP processes, and Pause and Stop
reach both."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from gui_run_helpers import RUN_TIMEOUT_MS, finish_runs, open_in_window, tiny_project  # noqa: E402

from engine.runs import list_runs, load_run  # noqa: E402
from gui.testing import dialogs, small_project, window  # noqa: E402,F401


def test_processes_is_a_training_setting_in_the_window(window, qtbot):
    window.editor.set_project(small_project())
    form = window.inspector.project_form.training_form
    spin = form.widget("processes")
    assert spin.value() == 1
    spin.setValue(2)
    spin.editingFinished.emit()
    assert window.project.training["processes"] == 2
    window.editor.undo_stack.undo()
    assert window.project.training["processes"] == 1


def _parent(pid: int) -> int:
    return int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[1])


def _descends_from_this_test(pid: int) -> bool:
    while pid > 1:
        pid = _parent(pid)
        if pid == os.getpid():
            return True
    return False


def _worker_processes() -> list[int]:
    """This test's processes started by torchrun's agent for a run (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            environment = (entry / "environ").read_bytes().split(b"\0")
            if b"TORCHELASTIC_RUN_ID=recurrent-studio" in environment and _descends_from_this_test(int(entry.name)):
                found.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue  # not ours to read, or gone meanwhile
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="counts worker processes through /proc (Linux)")
def test_the_window_trains_with_two_processes_pauses_and_stops_them(window, qtbot, tmp_path):
    session = window.training.session
    project = tiny_project(tmp_path, steps=1_000_000, eval_every=50, probe_every=50, processes=2)
    open_in_window(window, project)
    try:
        window.training.controls.train.trigger()
        qtbot.waitUntil(lambda: session.data.last_step > 0, timeout=RUN_TIMEOUT_MS)
        assert len(_worker_processes()) == 2
        window.training.controls.pause.trigger()
        qtbot.waitUntil(lambda: session.state == "paused", timeout=RUN_TIMEOUT_MS)
        qtbot.wait(300)
        paused_at = session.data.last_step
        qtbot.wait(1500)  # past the ranks' heartbeat
        assert session.data.last_step == paused_at
        window.training.controls.pause.trigger()
        qtbot.waitUntil(lambda: session.data.last_step > paused_at, timeout=RUN_TIMEOUT_MS)
        window.training.controls.stop.trigger()
        qtbot.waitUntil(lambda: not session.running, timeout=RUN_TIMEOUT_MS)
    finally:
        finish_runs(window)
    assert session.data.status == "stopped"
    [run_dir] = list_runs(tmp_path / "runs")
    assert load_run(run_dir).status == "stopped"
    qtbot.waitUntil(lambda: not _worker_processes(), timeout=10_000)  # every rank has exited
