"""Wait estimates: pure functions of a centre's state."""
from .first import ahead, queue_wait, ticket_wait, service_time, serving_windows

__all__ = ["ahead", "queue_wait", "ticket_wait", "service_time", "serving_windows"]
