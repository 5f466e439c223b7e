"""The run vocabulary: every event a run emits is declared in engine.events, with the keys
its TypedDict names, and survives JSON as it does the process boundary."""

from __future__ import annotations

import json
import typing

from test_training import SMALL, small_project

from engine import events
from engine.events import EventType, RunStatus
from engine.training import train

SHAPES = {
    EventType.STATUS: events.StatusEvent,
    EventType.PHASE: events.PhaseEvent,
    EventType.STEP: events.StepEvent,
    EventType.EVAL: events.EvalEvent,
    EventType.PROBE: events.ProbeEvent,
    EventType.DONE: events.DoneEvent,
}


def test_a_run_emits_only_declared_events_with_their_declared_keys(tmp_path):
    emitted = []
    train(small_project(length=8), emitted.append, steps=6, runs_dir=tmp_path, overrides={**SMALL, "probe_every": 3})
    assert {event["type"] for event in emitted} == set(SHAPES)
    for event in emitted:
        shape = SHAPES[event["type"]]
        required = {key for key, kind in typing.get_type_hints(shape, include_extras=True).items()}
        optional = {key for key in required if key in getattr(shape, "__optional_keys__", ())}
        assert required - optional <= set(event) <= required, event["type"]
    statuses = [event["status"] for event in emitted if event["type"] == EventType.STATUS]
    assert statuses == [RunStatus.PREPARING, RunStatus.RUNNING, RunStatus.FINISHED]
    assert all(isinstance(status, RunStatus) for status in statuses)


def test_names_read_back_from_json_equal_the_declared_ones():
    event = events.status_event(RunStatus.DIVERGED, "the loss became nan")
    again = json.loads(json.dumps(event))
    assert again == event and RunStatus(again["status"]) is RunStatus.DIVERGED
    assert f"{RunStatus.STOPPED}" == "stopped" and str(EventType.VARIANT_DONE) == "variant_done"


def test_which_statuses_end_a_run_and_which_keep_its_weights():
    ended = {status for status in RunStatus if status.ended}
    assert ended == {"finished", "stopped", "diverged", "failed", "interrupted"}
    assert {status for status in RunStatus if status.succeeded} == {"finished", "stopped"}
