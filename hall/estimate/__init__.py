"""Wait estimates: the call policy played forward over learned service times, corrected by what the
centre's own log teaches.

`ticket_wait`, `queue_wait` (and their `_range` p10–p90) are what the views show; the app's `Estimator`
(estimator.py, owned by the gateway) keeps a Learner per centre fed with its events, so that the
estimates learn from the centre's log.

The method, in three layers (each falls back to the one before):

1. Projection (projection.py, times.py). The real call policy (`hall.core.policy`: classes, window
   modes, shared and paused windows, tickets in service) played forward over robust lognormal
   service times learned by queue, window and hour. Exact when service times are deterministic.
2. Calibration (calibrate.py). The projection's past misses by kind of ticket and size of
   projection give a median and a p10–p90 range. This is all there is while the log is short.
3. Learned correction (order.py, features.py, model.py). What the projection cannot see is learned
   from the centre's own tickets:
   - the call order the centre really follows — a head start in seconds per kind of ticket
     (class and service item), fitted to the calls: Hall's strict priority comes out as a head start
     longer than any wait, a call centre's time-shifted priority (the Anonymous Bank serves a
     priority-2 call before a regular one that has waited up to ~90 s longer) as its true size —
     and which queues each window really takes calls from (skills);
   - a row of numbers per waiting ticket (features.NAMES): its place in that order among the
     tickets that share windows with it, the projection, its kind's and line's usual and recent
     waits, idle and skilled windows and how long they have been free, when the window that would
     take it frees up, the pace of calls, arrivals and hang-ups, the hour;
   - gradient-boosted trees (scikit-learn, absolute-error loss, so the point is a median) from the
     row to the real wait, trained on each ticket's row as it joined and the wait it then had. The
     days are cut into blocks and every ticket is also estimated by trees that never saw its day;
     those cross-fitted estimates choose the blend with the projection, a monotone recalibration
     (kept only when it helps on days it was not fitted on) and the range (p10–p90 of real waits
     around a point of that size and class, at a width that holds 80% of all tickets). The range
     then steers its width as tickets are called (adaptive conformal inference), so that 80% of
     real waits stay inside as the centre changes.
   The trees are kept as flat numpy arrays: every waiting ticket and queue of a state is answered
   in one vectorised pass (features.Context builds the rows by blocks shared between tickets).

Training is the one costly step (seconds): `Learner.train()` (bench) or `Trainer` (the app: at
start-up, then once a day and, while a centre has no model, every few hundred tickets, in a process
of its own (training.py), so that the serving process never holds scikit-learn or a fit's peak;
never on a request). Until a model exists, or when the cross-fitted estimates say the
trees do not help, or numpy/scikit-learn are missing, the estimate is layers 1–2.

The tickets a model is trained on are those of the log it has read (in the bench: the training
days only; the model is then frozen). What follows the log as it goes — recent waits and pace,
service-time fits, the calibration cells, the range's width — is state, updated as events come.
"""
from .waits import (ahead, queue_wait, queue_range, ticket_wait, ticket_range, service_time, seconds_of,
                    serving_windows, estimates, raw_wait, ticket_row, following)
from .learner import Learner
from .estimator import Estimator, Trainer, Waits, replay

__all__ = ["ahead", "queue_wait", "queue_range", "ticket_wait", "ticket_range", "service_time", "seconds_of",
           "serving_windows", "estimates", "raw_wait", "ticket_row", "following", "Learner", "Estimator",
           "Trainer", "Waits", "replay"]
