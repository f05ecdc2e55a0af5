"""Training a centre's correction, in a process of its own when the app trains in the background.

A training job is the copies a Learner hands out (its samples' columns and a snapshot of its call
order) and what to do with them: refit the call order and fit the trees (seconds). Run by the
serving process itself, fitting would import scikit-learn and SciPy into it (some 60 MB that never
leave) and keep the peak of every fit (another 100 MB or more, which the allocator seldom hands
back), so a hall's memory would grow with the first training and with the size of what it learned.
`in_subprocess(job)` runs the job in `python -m hall.estimate.training` instead: the job goes in
on stdin and (offsets, model) come back on stdout, both pickled (between a process and the child it
started: nothing from outside is unpickled), and the serving process never holds more than the copies.
"""
import pickle
import subprocess
import sys
from dataclasses import dataclass

from . import model as learned

TIMEOUT_S = 900


@dataclass
class TrainingJob:
    columns: tuple          # (day indexes, rows, real waits), as `Samples.arrays()` gives them
    order: object           # a CallOrder snapshot
    seed: int = 0

    def __call__(self):
        """(offsets, model): the call order refitted and the trees fitted (None: they do not help)."""
        return self.order.fit(), learned.train(self.columns, self.seed)


def in_subprocess(job, timeout=TIMEOUT_S):
    """`job()`, computed in a child process. The job is pickled straight into the pipe, not into
    one bytes object first (megabytes for a busy centre)."""
    child = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    try:
        pickle.dump(job, child.stdin, pickle.HIGHEST_PROTOCOL)
        child.stdin.flush()
    except BrokenPipeError:
        pass                # it died reading: its error is below
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise
    if child.returncode != 0:
        raise RuntimeError(f"the training process failed ({child.returncode}): "
                           f"{err.decode(errors='replace')[-2000:]}")
    return pickle.loads(out)


def main():
    job = pickle.load(sys.stdin.buffer)
    pickle.dump(job(), sys.stdout.buffer, pickle.HIGHEST_PROTOCOL)


if __name__ == "__main__":
    main()
