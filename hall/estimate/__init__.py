"""Wait estimates: the call policy played forward over learned service times, then calibrated.

`ticket_wait`, `queue_wait` (and their `_range` p10–p90) are what the views show; `attach(hall)`
feeds a Learner from the gateway's events so that the estimates learn from the centre's log.
"""
from .waits import (ahead, queue_wait, queue_range, ticket_wait, ticket_range, service_time,
                        serving_windows, estimates, raw_wait, learner_for, register, unregister)
from .learner import Learner
from .live import attach

__all__ = ["ahead", "queue_wait", "queue_range", "ticket_wait", "ticket_range", "service_time",
           "serving_windows", "estimates", "raw_wait", "learner_for", "register", "unregister",
           "Learner", "attach"]
