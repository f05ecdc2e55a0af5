"""Handing freed memory back to the system.

Loading a busy centre's snapshot decodes megabytes of text into many mid-sized objects and frees
them a moment later; glibc keeps such freed pages in the process (its mmap threshold grows with
the large blocks freed), so a hall's resident memory after start-up would track the size of what
it once decoded rather than what it holds: 40 MB more for a year's snapshot than for a week's,
measured with bench/history.py. `malloc_trim(0)` returns them; it takes a few milliseconds, so it
is called after the big steps only (a large learned part loaded, a training's result taken in).
"""
import ctypes
import ctypes.util


def _trim():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):       # not glibc: nothing to hand back this way
        return None


_MALLOC_TRIM = _trim()


def give_back():
    """Return the heap's free pages to the system (glibc); True when it could."""
    if _MALLOC_TRIM is None:
        return False
    _MALLOC_TRIM(0)
    return True
