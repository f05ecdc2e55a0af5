"""The app's training process: one child for every job, answers as computed here, failures told."""
import numpy as np
import pytest

from hall.estimate.order import CallOrder
from hall.estimate.training import TrainingJob, Worker
from tests.estimate.test_model import columns, synthetic


def test_jobs_run_in_one_child_and_answer_as_here():
    worker = Worker()
    try:
        job = TrainingJob(columns(synthetic()), CallOrder().snapshot(), seed=3)
        offsets, model = worker.run(job)
        child = worker._child.pid
        here_offsets, here = job()
        assert offsets.by_kind == here_offsets.by_kind
        rows = [r for _, r, _ in synthetic(days=1, seed=5)]
        assert np.array_equal(model.predict(rows)[0], here.predict(rows)[0])
        # too few tickets: no model, from the same child
        assert worker.run(TrainingJob(columns(synthetic(days=2, per_day=50)), CallOrder()))[1] is None
        assert worker._child.pid == child
    finally:
        worker.close()


def test_a_job_that_fails_is_told_and_the_next_runs():
    worker = Worker()
    try:
        with pytest.raises(RuntimeError, match="training failed in its process"):
            worker.run(TrainingJob(None, CallOrder()))
        assert worker.run(TrainingJob(columns(synthetic(days=2, per_day=50)), CallOrder()))[1] is None
    finally:
        worker.close()


def test_a_child_left_idle_ends_and_the_next_job_starts_another():
    worker = Worker(idle_s=0.5)
    try:
        job = TrainingJob(columns(synthetic(days=2, per_day=50)), CallOrder())
        worker.run(job)
        first = worker._child
        first.wait(30)                      # ended on its own, idle
        assert worker.run(job)[1] is None and worker._child.pid != first.pid
    finally:
        worker.close()


def test_a_job_too_small_for_trees_does_not_need_a_process():
    assert not TrainingJob(columns(synthetic(days=2, per_day=600)), CallOrder()).fits_trees()   # two days
    assert not TrainingJob(columns(synthetic(days=6, per_day=50)), CallOrder()).fits_trees()    # 300 tickets
    assert TrainingJob(columns(synthetic()), CallOrder()).fits_trees()
