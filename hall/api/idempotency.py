"""Idempotency keys: a retry with the same key returns the same ticket (API and kiosk alike).

The key is scoped to the caller, so one client's key can never fetch another's ticket; the
fingerprint of what was asked tells a retry from a different request under the same key (409).
"""
import hashlib
import json


def idempotency(scope, key, queue, item, priority, person=None):
    """The `issue` command's `idem` and `fingerprint` arguments; {} without a key. `person`: the
    hashed ID card the ticket is taken with, so the same key with another card is a different request."""
    if key is None:
        return {}
    asked = [queue, item, priority] + ([person] if person else [])
    fingerprint = hashlib.sha256(json.dumps(asked, ensure_ascii=False).encode()).hexdigest()[:16]
    return {"idem": f"{scope}:{key}", "fingerprint": fingerprint}
