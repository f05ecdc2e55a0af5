"""The training samples' ring: bounded, oldest first, float32 rows, the same after a round trip."""
import numpy as np
import pytest

from hall.estimate import persist
from hall.estimate.features import NAMES
from hall.estimate.learner import Learner
from hall.estimate.samples import Samples


def row(i, width=4):
    return [i + k / 10 for k in range(width)]


def test_it_keeps_the_newest_in_order_once_full():
    s = Samples(4, keep=5)
    assert not s and len(s) == 0
    for i in range(12):
        s.append(i // 3, row(i), float(i))
    days, rows, waits = s.arrays()
    assert len(s) == 5 and waits.tolist() == [7.0, 8.0, 9.0, 10.0, 11.0]
    assert days.tolist() == [2, 2, 3, 3, 3]
    assert rows.dtype == np.float32 and rows[0].tolist() == pytest.approx(row(7), rel=1e-6)
    assert [w for _, _, w in s] == waits.tolist()
    assert s.first == 7           # serial numbers of the samples pushed out


def test_it_grows_with_what_it_holds_not_with_keep():
    s = Samples(len(NAMES), keep=40_000)
    for _ in range(100):
        s.append(0, [0.0] * len(NAMES), 1.0)
    assert s._rows.nbytes < 40_000 * len(NAMES) * 4 / 10


def test_a_row_of_the_wrong_width_is_refused():
    with pytest.raises(ValueError):
        Samples(4, keep=5).append(0, [1.0, 2.0], 3.0)


def test_a_full_ring_comes_back_from_the_snapshot_alike():
    learner = Learner()
    keep = learner.samples.keep
    width = len(NAMES)
    rng = np.random.default_rng(1)
    for i in range(keep + 1234):
        learner.samples.append(i // 700, rng.uniform(0, 3000, width), float(i))
    again = persist.load(persist.dump(learner)).samples
    for a, b in zip(learner.samples.arrays(), again.arrays()):
        assert np.array_equal(a, b)
    assert len(again) == keep
    # and goes on alike
    for s in (learner.samples, again):
        s.append(999, [1.0] * width, 5.0)
    assert all(np.array_equal(a, b) for a, b in zip(learner.samples.arrays(), again.arrays()))
