"""Training a centre's correction, in a process of its own when the app trains in the background.

A training job is the copies a Learner hands out (its samples' columns and a snapshot of its call
order) and what to do with them: refit the call order and fit the trees (seconds). Run by the
serving process itself, fitting would import scikit-learn and SciPy into it (some 60 MB that never
leave) and keep the peak of every fit (another 100 MB or more, which the allocator seldom hands
back), so a hall's memory would grow with its first training and with the size of what it learned.
A `Worker` is one child process running `main()` here, started at the first job and
kept: jobs go in on its stdin and (offsets, model) come back on its stdout, one at a time, each a
length-prefixed pickle (between a process and the child it started: nothing from outside is
unpickled). The child pays its imports once and ends when its stdin closes (the app gone) or
after IDLE_S without a job. A job with too few tickets for trees only refits the call order, and
runs where it is asked (`fits_trees`).
"""
import pickle
import select
import struct
import subprocess
import sys
import threading
from dataclasses import dataclass

from . import model as learned

_SIZE = struct.Struct(">Q")
IDLE_S = 120            # a training process with no job for this long ends


@dataclass
class TrainingJob:
    columns: tuple          # (day indexes, rows, real waits), as `Samples.arrays()` gives them
    order: object           # a CallOrder snapshot
    seed: int = 0

    def __call__(self):
        """(offsets, model): the call order refitted and the trees fitted (None: they do not help)."""
        return self.order.fit(), learned.train(self.columns, self.seed)

    def fits_trees(self):
        """Whether there are tickets and days enough for trees; without, the job only refits the
        call order (pure Python, a fraction of a second): no reason for a process of its own."""
        return learned.enough(self.columns)


def _send(stream, value):
    data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    stream.write(_SIZE.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream):
    head = stream.read(_SIZE.size)
    if len(head) < _SIZE.size:
        raise EOFError("the training process ended")
    size = _SIZE.unpack(head)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the training process ended mid-answer")
    return pickle.loads(data)


class Worker:
    """The app's training process: `run(job)` → `job()` computed there, one job at a time (a
    district's centres all start a new day together; the machine has the server to run too)."""

    def __init__(self, idle_s=IDLE_S):
        self.idle_s = idle_s
        self._lock = threading.Lock()
        self._child = None

    def run(self, job):
        with self._lock:
            for attempt in (1, 2):
                fresh = self._child is None or self._child.poll() is not None
                if fresh:
                    code = f"from {__name__} import main; main({self.idle_s!r})"
                    self._child = subprocess.Popen([sys.executable, "-c", code],
                                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE)
                try:
                    _send(self._child.stdin, job)
                    ok, answer = _receive(self._child.stdout)
                    break
                except (OSError, EOFError) as e:
                    self._child.kill()
                    self._child.wait()
                    self._child = None
                    # a kept child may have ended idle just as the job came: once more with a new one
                    if fresh or attempt == 2:
                        raise RuntimeError(f"the training process failed: {e}") from e
            if not ok:
                raise RuntimeError(f"training failed in its process: {answer}")
            return answer

    def close(self):
        with self._lock:
            if self._child is not None:
                self._child.stdin.close()
                self._child.wait(10)
                self._child = None


def main(idle_s=IDLE_S):
    while True:
        # a child left idle ends (its app may be long gone, holding it open); the next job starts another
        if not select.select([sys.stdin], [], [], idle_s)[0]:
            return
        try:
            job = _receive(sys.stdin.buffer)
        except EOFError:
            return
        try:
            answer = (True, job())
        except Exception as e:          # told to the app, which keeps the calibrated projection
            answer = (False, f"{type(e).__name__}: {e}")
        _send(sys.stdout.buffer, answer)


if __name__ == "__main__":
    main()
