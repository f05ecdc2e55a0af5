"""The pure core: a centre's state, the commands that change it, the fold that rebuilds it.

Nothing here does I/O or imports the rest of Hall; everything above trusts it.
"""
from .decide import decide, COMMANDS
from .errors import Refused
from .fold import apply, fold, EVENT_TYPES
from .state import CenterState

__all__ = ["decide", "COMMANDS", "Refused", "apply", "fold", "EVENT_TYPES", "CenterState"]
