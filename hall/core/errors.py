"""The one way the core says no: a refusal with a code a client can act on."""


class Refused(Exception):
    """A command the centre's current state does not allow.

    `status` is the HTTP status the edge answers with; the core names it so that every
    surface (API, CLI, keypads) refuses the same thing the same way.
    """

    def __init__(self, code, message, status=409, **details):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details = details  # further facts for the client, in the error body (a ticket's number)
        self.events = []        # events time made due before the refused command (see decide)


def bad_input(message, code="bad_input"):
    return Refused(code, message, 400)


def not_found(message, code="not_found"):
    return Refused(code, message, 404)


def conflict(message, code="conflict"):
    return Refused(code, message, 409)


def unavailable(message, code):
    return Refused(code, message, 503)
