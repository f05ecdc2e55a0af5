/* HallLive: one centre's (or one window's) live picture over Socket.IO, kept in sequence.
 *
 * The rule (the server's side is in hall/realtime.py):
 *   Every message carries `seq`, the centre's version after the command that caused it, and
 *   (except a requested snapshot) `prev`, the version before it. A command's messages come in one
 *   burst with the same `seq` and `prev`: its call first, then a `window` or `queue` for each
 *   window and queue it changed. A client at version v:
 *     - m.prev == v: the next command: apply, v = m.seq;
 *     - m.seq == v: more of the command just applied (or a late copy of what a snapshot
 *       holds): apply; views are whole, and a call is news only when its seq is above every
 *       call already heard, so an old call is never replayed;
 *     - m.seq < v: ignore;
 *     - otherwise a gap: ask for a snapshot {since: v} and drop messages until it comes; its
 *       `missed` list brings the calls made in the gap.
 *   A snapshot sets v = its seq. Window rooms hear only their window, and the staff room's
 *   `ticket` messages carry whole views: keep the newest per ticket.
 *
 * HallLive.connect({center, window, token, handlers: {snapshot(s, info), call(m), window(view),
 *   queue(view), ticket(view), status(state, detail)}}) → {socket, resync(), version()}
 */
(function (global) {
  "use strict";

  var IDLE_RESYNC_MS = 120000;   // a quiet screen re-reads the picture now and then (safety net)
  var SNAPSHOT_RETRY_MS = 5000;

  function connect(opts) {
    var h = opts.handlers || {};
    var windowOnly = opts.window != null;
    var v = null, awaiting = true, dropped = -1, heard = -1, snapSeq = -1, ticketSeq = {};
    var retryTimer = null, idleTimer = null;

    function call(name) {
      var fn = h[name];
      if (fn) fn.apply(null, Array.prototype.slice.call(arguments, 1));
    }

    var socket = global.io({
      auth: function (cb) {
        var a = {center: opts.center};
        if (windowOnly) a.window = opts.window;
        if (opts.token) a.token = typeof opts.token === "function" ? opts.token() : opts.token;
        if (v !== null) a.since = v;
        cb(a);
      },
      reconnectionDelayMax: 5000,
    });

    function resync() {
      awaiting = true;
      dropped = -1;
      socket.emit("snapshot", v === null ? {} : {since: v});
      clearTimeout(retryTimer);
      retryTimer = setTimeout(function () { if (awaiting && socket.connected) resync(); }, SNAPSHOT_RETRY_MS);
    }

    function touched() {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(function () { if (socket.connected) resync(); }, IDLE_RESYNC_MS);
    }

    socket.on("snapshot", function (s) {
      touched();
      if (!awaiting && v !== null && s.seq <= v) return;     // nothing newer than what is shown
      clearTimeout(retryTimer);
      v = snapSeq = s.seq;
      awaiting = false;
      var missed = (s.missed || []).filter(function (c) {
        return c.seq > heard && (!windowOnly || c.window === opts.window);
      });
      heard = Math.max(heard, s.seq);
      call("snapshot", s, {pushed: s.prev !== undefined, missed: missed});
      if (dropped > v) resync();       // news dropped while waiting that the picture does not hold
    });

    function apply(name, m) {
      if (name === "call") {
        if (m.seq <= heard) return;
        heard = m.seq;
      }
      if (name !== "seq") call(name, m);
    }

    ["call", "window", "queue", "seq"].forEach(function (name) {
      socket.on(name, function (m) {
        touched();
        if (awaiting || v === null) { dropped = Math.max(dropped, m.seq); return; }
        if (m.seq === v || m.prev === v || (windowOnly && m.seq > v)) {
          v = m.seq;
          apply(name, m);
        } else if (m.seq > v) {
          resync();
        }
      });
    });

    socket.on("ticket", function (m) {
      if (m.seq <= snapSeq || m.seq <= (ticketSeq[m.number] || -1)) return;
      ticketSeq[m.number] = m.seq;
      call("ticket", m);
    });

    socket.on("connect", function () { call("status", "live"); touched(); });
    socket.on("disconnect", function () { awaiting = true; call("status", "offline"); });
    socket.on("connect_error", function (err) {
      // a refusal (unknown centre, bad token) does not retry by itself: say why
      call("status", socket.active ? "offline" : "refused", err && err.message);
    });

    return {socket: socket, resync: resync, version: function () { return v; }};
  }

  global.HallLive = {connect: connect};
})(window);
