"""Drive the pure core directly: decide, number the events, fold them, keep the log."""
from hall.core import decide, apply, CenterState


class Core:
    def __init__(self, config, clock, ids=None):
        self.state = CenterState(id=config["id"])
        self.clock = clock
        self.log = []
        self._n = 0
        self.run("configure", config=config)

    def run(self, command, **args):
        if command == "issue" and "ticket_id" not in args:
            self._n += 1
            args["ticket_id"] = f"{self.state.id}.t{self._n}"
        events, result = decide(self.state, command, args, self.clock(), "test")
        for e in events:
            e["seq"] = self.state.version + 1
            apply(self.state, e)
            self.log.append(e)
        return result

    def ticket(self, ref):
        return self.state.ticket_by_ref(ref)

    def issue(self, queue="general", **kw):
        return self.ticket(self.run("issue", queue=queue, **kw))

    def open(self, *windows):
        for w in windows:
            self.run("open", window=w)

    def types(self):
        return [e["type"] for e in self.log]
