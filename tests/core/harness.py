"""Drive a centre through the real gateway on an in-memory store, at the test's clock."""
from hall.centre import Hall
from hall.store.memory import MemoryStore


class Core:
    def __init__(self, config, clock, ids=None):
        self.clock = clock
        self.hall = Hall(MemoryStore(), clock=clock, snapshot_every=float("inf"))
        self.cid = config["id"]
        self._n = 0
        self.run("configure", config=config)
        self.state = self.hall.state(self.cid)

    @property
    def log(self):
        return self.hall.store.read(self.cid)

    def run(self, command, **args):
        if command == "issue" and "ticket_id" not in args:
            self._n += 1
            args["ticket_id"] = f"{self.cid}.t{self._n}"
        result, _, _ = self.hall.execute(self.cid, command, args, by="test")
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
