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
    """`job()`, computed in a child process."""
    done = subprocess.run([sys.executable, "-m", __name__], input=pickle.dumps(job, pickle.HIGHEST_PROTOCOL),
                          capture_output=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the training process failed ({done.returncode}): "
                           f"{done.stderr.decode(errors='replace')[-2000:]}")
    return pickle.loads(done.stdout)


def main():
    job = pickle.load(sys.stdin.buffer)
    pickle.dump(job(), sys.stdout.buffer, pickle.HIGHEST_PROTOCOL)


if __name__ == "__main__":
    main()
