"""Saving keeps what the user had: links, modes, the old file after a crash; odd targets refused."""

from __future__ import annotations

import json
import os
import random
import signal
import stat
import sys
import time

import pytest

from engine.project import Project, SaveRefusedError, load_project, save_project, write_atomic

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file semantics")


def temporaries(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_saving_through_a_symlink_writes_its_target(tmp_path):
    target = tmp_path / "real" / "model.rsproj"
    target.parent.mkdir()
    save_project(Project(name="first"), target)
    link = tmp_path / "link.rsproj"
    try:
        link.symlink_to(target)
    except OSError:
        pytest.skip("symbolic links not available")
    save_project(Project(name="second"), link)
    assert link.is_symlink() and load_project(target).name == "second"


@posix_only
def test_saving_keeps_the_files_mode(tmp_path):
    path = tmp_path / "shared.rsproj"
    save_project(Project(), path)
    os.chmod(path, 0o640)
    save_project(Project(name="again"), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@posix_only
def test_a_new_file_gets_the_umask_mode_not_0600(tmp_path):
    old = os.umask(0o022)
    try:
        save_project(Project(), tmp_path / "new.rsproj")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.rsproj").stat().st_mode) == 0o644


@posix_only
@pytest.mark.parametrize("kind", ["fifo", "folder", "device", "loop"])
def test_non_regular_targets_are_refused(tmp_path, kind):
    path = tmp_path / "odd.rsproj"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "device":
        path.symlink_to("/dev/null")
    else:
        path.symlink_to(path)
    with pytest.raises(SaveRefusedError) as caught:
        write_atomic(path, "{}")
    assert "cannot save over" in caught.value.strerror
    assert os.path.lexists(path) and temporaries(tmp_path) == []


@posix_only
def test_temporaries_of_dead_processes_are_removed_live_ones_kept(tmp_path):
    path = tmp_path / "p.rsproj"
    dead = tmp_path / f".p.rsproj.{_dead_pid()}.0badf00d.tmp"
    alive = tmp_path / f".p.rsproj.{os.getppid()}.0badf00d.tmp"  # another live process may be saving
    other = tmp_path / f".q.rsproj.{_dead_pid()}.0badf00d.tmp"  # another file's: not ours to touch
    for leftover in (dead, alive, other):
        leftover.write_text("partial")
    save_project(Project(), path)
    assert temporaries(tmp_path) == sorted([alive.name, other.name])


def _dead_pid() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


@posix_only
def test_killed_saves_leave_the_old_or_the_new_file_never_a_mix(tmp_path):
    path = tmp_path / "kill.rsproj"
    versions = [Project(name=f"version {i}", description="x" * 200_000) for i in range(2)]
    save_project(versions[0], path)
    expected = {json.dumps(v.to_dict(), indent=2) + "\n" for v in versions}
    rng = random.Random(0)
    for trial in range(30):
        pid = os.fork()
        if pid == 0:  # the child saves as fast as it can until it is killed
            try:
                while True:
                    save_project(versions[1 - trial % 2], path)
                    save_project(versions[trial % 2], path)
            finally:
                os._exit(1)
        time.sleep(rng.uniform(0.0, 0.02))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        assert path.read_text(encoding="utf-8") in expected
    save_project(versions[0], path)  # the next save clears what the killed ones left
    assert temporaries(tmp_path) == []
