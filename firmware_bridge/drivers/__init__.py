"""Vendor protocols. A driver turns `messages` into bytes and bytes back into `messages`.

A driver is an object with
    name                              the `protocol:` value in the bridge's YAML
    max_reply_bytes                   the longest answer to a poll (for the master's timeouts)
    decoder()                         a fresh incremental decoder: feed(bytes) -> [frame], idle() -> [frame],
                                      stats.as_dict()
    encode_request(env) -> bytes      master side: an Envelope of Poll/Sync/ShowText/... to the wire
    decode_reply(frame) -> Envelope   master side: a device's frame, or None if it is not one
    encode_reply(env) -> bytes        device side (the simulator; a firmware author's reference)
    decode_request(frame) -> Envelope device side
"""
from .hq485 import HQ485

DRIVERS = {HQ485.name: HQ485}


def driver(name):
    try:
        return DRIVERS[name]()
    except KeyError:
        raise ValueError(f"no protocol driver {name!r} (known: {', '.join(DRIVERS)})") from None
