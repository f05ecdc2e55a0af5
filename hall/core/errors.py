"""The one way the core says no: a refusal with a code a client can act on."""


CLIENT_FACTS = ("number",)


class Refused(Exception):
    """A command the centre's current state does not allow.

    `status` is the HTTP status the edge answers with; the core names it so that every
    surface (API, CLI, keypads) refuses the same thing the same way. The core speaks no
    language: `message` is plain words for developers; where citizens read the refusal, the
    edge takes its words from the text catalogue by `code` (hall.text), filled with `params`
    (named for the facts they are: never `code`, `message` or `status`).
    """

    def __init__(self, code, message, status=409, **params):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.params = params
        self.events = []        # events time made due before the refused command (see decide)

    def details(self):
        """The facts a client acts on, sent in the error body: the `number` of the ticket a person
        already holds (the kiosk offers to print it again). Other params only fill the words."""
        return {k: self.params[k] for k in CLIENT_FACTS if k in self.params}


def bad_input(message, code="bad_input", **params):
    return Refused(code, message, 400, **params)


def not_found(message, code="not_found", **params):
    return Refused(code, message, 404, **params)


def conflict(message, code="conflict", **params):
    return Refused(code, message, 409, **params)


def unavailable(message, code, **params):
    return Refused(code, message, 503, **params)
