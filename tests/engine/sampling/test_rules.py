"""The label-stream rules of the reference §4, one scenario per rule, several annotators each.

A scenario is a project setting plus steps; tasks are named by their 1-based position in the
project and annotators by letter. `("next", "a", 2, "Sequence queue")` asserts that annotator a
is served task 2 from that queue (None: nothing left).
"""

from __future__ import annotations

import random
from typing import Any

import pytest

import lsx.engine.annotations as annotations
from lsx.engine import sampling
from lsx.engine.access.actor import Actor
from lsx.engine.sampling import ManualClock
from tests.engine.sampling.helpers import RESULT, add_tasks, annotators, make_project

SEQ, LOCK, GT, BFS, UNI = "Sequence queue", "Task lock", "Onboarding ground truth queue", "Breadth first queue", \
    "Uniform random queue"
AL, POST, SKIPQ, DM = "Active learning or random queue", "Postponed draft queue", "Skipped queue", "Data manager queue"

# (rule, project settings, number of tasks, overlap per task, scores, steps)
CASES: list[tuple[str, dict[str, Any], int, int, list[float] | None, list[tuple[Any, ...]]]] = [
    ("sequential_serves_lowest_id_and_locks_it", {}, 3, 1, None, [
        ("next", "a", 1, SEQ), ("next", "b", 2, SEQ), ("next", "c", 3, SEQ), ("next", "d", None, None)]),
    ("held_lock_is_served_again", {}, 3, 1, None, [
        ("next", "a", 1, SEQ), ("next", "a", 1, LOCK), ("next", "b", 2, SEQ)]),
    ("annotated_task_is_excluded_for_its_annotator", {"maximum_annotations": 2}, 2, 2, None, [
        ("next", "a", 1, SEQ), ("submit", "a", 1), ("next", "a", 2, SEQ)]),
    ("labeled_task_is_excluded_for_everyone", {}, 2, 1, None, [
        ("next", "a", 1, SEQ), ("submit", "a", 1), ("next", "b", 2, SEQ), ("submit", "b", 2),
        ("next", "c", None, None)]),
    ("skipped_task_is_excluded_for_the_skipper_and_requeued_for_others", {}, 2, 1, None, [
        ("next", "a", 1, SEQ), ("skip", "a", 1), ("next", "a", 2, SEQ), ("next", "b", 1, SEQ)]),
    ("requeue_for_me_brings_skips_back_last_and_only_to_the_skipper", {"skip_queue": "REQUEUE_FOR_ME"}, 2, 1,
     None, [("next", "a", 1, SEQ), ("skip", "a", 1), ("next", "b", 2, SEQ), ("next", "c", None, None),
            ("next", "a", 1, SKIPQ), ("submit", "a", 1), ("next", "a", None, None)]),
    ("ignore_skipped_counts_a_skip_as_done", {"skip_queue": "IGNORE_SKIPPED"}, 2, 1, None, [
        ("next", "a", 1, SEQ), ("skip", "a", 1), ("next", "b", 2, SEQ), ("next", "c", None, None),
        ("next", "a", None, None)]),
    ("postponed_task_comes_back_after_the_rest", {}, 2, 1, None, [
        ("next", "a", 1, SEQ), ("postpone", "a", 1), ("next", "a", 2, SEQ), ("submit", "a", 2),
        ("next", "a", 1, POST), ("submit", "a", 1), ("next", "a", None, None)]),
    ("overlap_allows_as_many_holders_as_annotators_needed", {"maximum_annotations": 2}, 2, 2, None, [
        ("next", "a", 1, SEQ), ("next", "b", 1, SEQ), ("next", "c", 2, SEQ)]),
    ("breadth_first_finishes_tasks_others_started", {"maximum_annotations": 2}, 3, 2, None, [
        ("next", "a", 1, SEQ), ("next", "b", 1, SEQ), ("next", "c", 2, SEQ), ("submit", "a", 1),
        ("release", "b", 1), ("release", "c", 2), ("next", "d", 1, BFS)]),
    ("overlap_cohort_served_first_with_show_overlap_first",
     {"maximum_annotations": 2, "show_overlap_first": True}, 3, 1, None, [
         ("set_overlap", 3, 2), ("next", "a", 3, "Show overlap first & " + SEQ),
         ("next", "b", 3, "Show overlap first & " + SEQ), ("next", "c", 1, "Show overlap first & " + SEQ)]),
    ("ground_truth_first_when_annotator_evaluation_is_on",
     {"annotator_evaluation_enabled": True, "maximum_annotations": 3}, 3, 3, None, [
         ("ground_truth", 2), ("next", "a", 2, GT), ("next", "b", 2, GT), ("submit", "a", 2),
         ("next", "a", 1, SEQ)]),
    ("uniform_serves_every_task_eventually", {"sampling": "Uniform sampling"}, 4, 1, None, [
        ("next", "a", "any", UNI), ("next", "b", "any", UNI), ("next", "c", "any", UNI), ("next", "d", "any", UNI),
        ("next", "e", None, None)]),
    ("uncertainty_serves_lowest_score_first", {"sampling": "uncertainty", "model_version": "v1"}, 4, 1,
     [0.9, 0.2, 0.5, 0.7], [("next", "a", 2, AL), ("submit", "a", 2), ("next", "a", 3, AL)]),
    ("uncertainty_ignores_other_model_versions", {"sampling": "uncertainty", "model_version": "v2"}, 3, 1,
     [0.9, 0.2, 0.5], [("next", "a", "any", AL)]),
    ("confidence_serves_highest_score_first", {"sampling": "confidence", "model_version": "v1"}, 3, 1,
     [0.1, 0.8, 0.5], [("next", "a", 2, "Confidence queue"), ("next", "b", 3, "Confidence queue")]),
    ("label_as_displayed_follows_the_callers_list", {}, 4, 1, None, [
        ("view", "a", [4, 2, 3], 4, DM), ("view", "b", [4, 2, 3], 2, DM), ("submit", "a", 4),
        ("view", "a", [4, 2], None, None)]),
    ("expired_lock_goes_to_another_annotator", {"task_lock_ttl": 2}, 1, 1, None, [
        ("next", "a", 1, SEQ), ("next", "b", None, None), ("advance", 3), ("next", "b", 1, SEQ)]),
    ("heartbeat_keeps_the_lock", {"task_lock_ttl": 2}, 1, 1, None, [
        ("next", "a", 1, SEQ), ("advance", 1.5), ("heartbeat", "a", 1), ("advance", 1.5), ("next", "b", None, None),
        ("heartbeat", "a", 1), ("advance", 1.5), ("next", "b", None, None), ("advance", 1), ("next", "b", 1, SEQ)]),
    ("submit_releases_the_lock", {"maximum_annotations": 2}, 1, 2, None, [
        ("next", "a", 1, SEQ), ("next", "b", 1, SEQ), ("next", "c", None, None), ("submit", "a", 1),
        ("next", "c", None, None), ("release", "b", 1), ("next", "c", 1, BFS)]),
]


class Scenario:
    def __init__(self, ws: Any, owner: Actor, settings: dict[str, Any], n: int, overlap: int,
                 scores: list[float] | None) -> None:
        self.ws, self.owner = ws, owner
        self.project = make_project(ws, owner, **settings)
        self.tasks = add_tasks(ws, self.project, n, overlap=overlap, scores=scores)
        self.people = dict(zip("abcde", annotators(ws, owner, 5), strict=True))
        self.clock = ManualClock()
        self.rng = random.Random(7)
        self.served: set[int] = set()

    def task(self, index: int) -> int:
        return self.tasks[index - 1]

    def expect(self, got: sampling.NextTask | None, index: Any, queue: str | None, step: tuple[Any, ...]) -> None:
        if index is None:
            assert got is None, f"{step}: expected nothing, got task {got and got.task_id} ({got and got.queue})"
            return
        assert got is not None, f"{step}: expected a task, got nothing"
        if index == "any":
            assert got.task_id not in self.served, f"{step}: task {got.task_id} served twice"
        else:
            assert got.task_id == self.task(index), f"{step}: got task {self.tasks.index(got.task_id) + 1}"
        self.served.add(got.task_id)
        assert got.queue == queue, step

    def run(self, step: tuple[Any, ...]) -> None:
        op, *args = step
        ws, now = self.ws, self.clock.now()
        if op == "next":
            who, index, queue = args
            self.expect(sampling.next_task(ws, self.project, self.people[who], now=now, rng=self.rng),
                        index, queue, step)
        elif op == "view":
            who, order, index, queue = args
            got = sampling.next_task(ws, self.project, self.people[who], view=[self.task(i) for i in order],
                                     now=now)
            self.expect(got, index, queue, step)
        elif op == "submit":
            sampling.submit(ws, self.people[args[0]], self.task(args[1]), RESULT)
        elif op == "skip":
            sampling.skip(ws, self.people[args[0]], self.task(args[1]))
        elif op == "postpone":
            sampling.postpone(ws, self.people[args[0]], self.task(args[1]))
        elif op == "release":
            sampling.release(ws, self.people[args[0]], self.task(args[1]))
        elif op == "heartbeat":
            sampling.heartbeat(ws, self.people[args[0]], self.task(args[1]), now=now)
        elif op == "advance":
            self.clock.advance(args[0])
        elif op == "ground_truth":
            with ws.session() as s:
                annotations.create_annotation(s, self.owner, self.task(args[0]), result=RESULT, ground_truth=True)
        elif op == "set_overlap":
            from sqlalchemy import update

            from lsx.engine.db.models import Task

            with ws.session() as s:
                s.execute(update(Task).where(Task.id == self.task(args[0])).values(overlap=args[1]))
        else:  # pragma: no cover
            raise AssertionError(op)


@pytest.mark.db
@pytest.mark.parametrize(("rule", "settings", "n", "overlap", "scores", "steps"), CASES, ids=[c[0] for c in CASES])
def test_label_stream_rule(ws: Any, owner: Actor, rule: str, settings: dict[str, Any], n: int, overlap: int,
                           scores: list[float] | None, steps: list[tuple[Any, ...]]) -> None:
    scenario = Scenario(ws, owner, settings, n, overlap, scores)
    for step in steps:
        scenario.run(step)
