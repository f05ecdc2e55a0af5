"""The bridge to call keypads, evaluators and LED displays on serial lines (its own issue).

It imports nothing of `hall`: it talks to the hall over HTTP and Socket.IO only.
"""
