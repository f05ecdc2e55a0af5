/* HallVoice: the hall's call announcements, one at a time.
 *
 * 「请 A001 号到 1号窗口办理」: the centre's template (hall catalogue `voice`), the ticket read digit
 * by digit and its letter as a letter, the window always named. Announcements queue up: a new
 * call waits for the one being said and never cuts it off, and a call whose turn comes more than
 * two minutes late is skipped. A call carries `audio`, the announcement made on the hall from its
 * voice pack (repeats included): it is played to its end through one media element. Only when it
 * cannot play (no file, an error, a fetch that stops moving) does the screen's own voice (Web
 * Speech API) say it, and where there is none a chime sounds; the screen flashes either way.
 * Speech engines fail in two ways seen on these machines (NOTES.md): `error` at once (no voice) —
 * treated like `end` — or silence with no event at all — our own timeout calls
 * speechSynthesis.cancel() and moves on. A browser that wants a touch before it plays sound makes
 * `onSound(true)`, and the screen says so until a touch unlocks it. `log` keeps every
 * announcement, with its media `plays` times (tests read it).
 */
(function (global) {
  "use strict";

  var DIGITS = {
    zh: ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"],
    en: ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
  };
  var DEFAULT = {lang: "zh-CN", template: "请{ticket}号到{window}办理", repeat: 2};

  // 20 ms of silence as a WAV (16 kHz, 16-bit mono): what a screen plays to learn whether it may
  var SILENCE = (function () {
    var n = 320, bytes = new Uint8Array(44 + 2 * n), v = new DataView(bytes.buffer);
    function str(at, s) { for (var i = 0; i < s.length; i++) bytes[at + i] = s.charCodeAt(i); }
    str(0, "RIFF"); v.setUint32(4, 36 + 2 * n, true); str(8, "WAVEfmt "); v.setUint32(16, 16, true);
    v.setUint16(20, 1, true); v.setUint16(22, 1, true); v.setUint32(24, 16000, true); v.setUint32(28, 32000, true);
    v.setUint16(32, 2, true); v.setUint16(34, 16, true); str(36, "data"); v.setUint32(40, 2 * n, true);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return "data:audio/wav;base64," + global.btoa(bin);
  })();

  function family(lang) { return /^en/i.test(lang) ? "en" : "zh"; }

  // "A001" → "A 零 零 一" (zh) / "A, zero, zero, one" (en): digits one by one, letters as letters
  function spell(number, lang) {
    var f = family(lang);
    var parts = String(number).split("").map(function (ch) {
      return /[0-9]/.test(ch) ? DIGITS[f][+ch] : ch.toUpperCase();
    });
    return parts.join(f === "en" ? ", " : " ");
  }

  function fill(template, ticket, call) {
    return template.replace(/\{(ticket|window|n)\}/g, function (_, k) {
      if (k === "ticket") return ticket;
      if (k === "window") return call.window_name || (call.window + "号窗口");
      return String(call.window);
    });
  }

  function HallVoice(opts) {
    opts = opts || {};
    this.config = Object.assign({}, DEFAULT);
    this.onStart = opts.onStart || function () {};
    this.onEnd = opts.onEnd || function () {};
    this.onSound = opts.onSound || function () {};   // (blocked): sound needs a touch first, or no longer
    this.enabled = opts.enabled !== false;
    this.log = [];
    this.queue = [];
    this.busy = false;
    this.audio = null;
    this.synth = global.speechSynthesis || null;
    this.gapMs = 600;          // breath between repeats and between announcements
    this.chimeMs = 1500;
    this.stallMs = 5000;       // an announcement's file that stops moving this long is given up
    this.maxAgeMs = 120000;    // a call still waiting its turn after this is not said any more
    this.blocked = false;
    this.player = null;
    this.ready = false;
    this._probe();
  }

  // how long a sentence may take before the engine is presumed stuck
  HallVoice.prototype.timeoutFor = function (speech) { return 4000 + 400 * speech.length; };

  HallVoice.prototype.configure = function (cfg) {
    if (cfg) this.config = Object.assign({}, DEFAULT, cfg);
  };

  HallVoice.prototype.texts = function (call) {
    var c = this.config;
    return {text: fill(c.template, call.ticket, call), speech: fill(c.template, spell(call.ticket, c.lang), call)};
  };

  HallVoice.prototype.announce = function (call) {
    var t = this.texts(call);
    var item = {call: call, ticket: call.ticket, window: call.window, recall: !!call.recall, text: t.text, speech: t.speech,
                lang: this.config.lang, times: this.config.repeat, state: "queued", mode: null, audio: call.audio || null,
                outcomes: [], plays: [], queuedAt: Date.now()};
    this.log.push(item);
    if (this.log.length > 200) this.log.shift();
    this.queue.push(item);
    this._next();
    return item;
  };

  HallVoice.prototype._voiceFor = function (lang) {
    if (!this.synth || !this.enabled) return undefined;
    var voices = [];
    try { voices = this.synth.getVoices() || []; } catch (e) { voices = []; }
    var want = lang.toLowerCase().replace("_", "-");
    var prefix = want.split("-")[0];
    var exact = null, near = null;
    for (var i = 0; i < voices.length; i++) {
      var vl = String(voices[i].lang || "").toLowerCase().replace("_", "-");
      if (vl === want) { exact = voices[i]; break; }
      if (!near && vl.split("-")[0] === prefix && (prefix !== "zh" || (want === "zh-hk") === /hk|yue/.test(vl))) near = voices[i];
    }
    return exact || near || undefined;
  };

  HallVoice.prototype._next = function () {
    if (this.busy || !this.ready || !this.queue.length) return;
    var self = this, item = this.queue.shift();
    if (Date.now() - item.queuedAt > this.maxAgeMs) {
      // its turn came too late (a screen asleep, a long backlog): an old call is not news
      item.state = "skipped";
      this._next();
      return;
    }
    this.busy = true;
    item.state = "speaking";
    item.startedAt = Date.now();
    try { this.onStart(item); } catch (e) { /* a screen's flash must not stop the queue */ }
    var voice, round = 0;
    function fallback() {
      voice = self._voiceFor(item.lang);
      item.mode = !self.enabled ? "silent" : voice ? "speech" : "chime";
      again();
    }
    function again() {
      if (item.mode === "silent") { setTimeout(finish, self.chimeMs); return; }
      if (round++ < item.times) {
        if (item.mode === "speech") self._speak(item, voice, again);
        else self._chime(item, again);
        return;
      }
      if (item.mode === "speech" && item.outcomes.every(function (o) { return o !== "end"; })) {
        // nothing was heard: the engine failed every time; at least sound the chime
        item.mode = "chime-after-speech";
        self._chime(item, finish);
        return;
      }
      finish();
    }
    function finish() {
      item.state = "done";
      item.endedAt = Date.now();
      try { self.onEnd(item); } catch (e) { /* ignore */ }
      self.busy = false;
      setTimeout(function () { self._next(); }, self.gapMs);
    }
    if (item.audio && this.enabled) {
      // the announcement made on the hall holds its repeats: played once, to its end
      item.mode = "audio";
      this._play(item, function (outcome) {
        item.outcomes.push("audio:" + outcome);
        if (outcome === "ended" || outcome === "blocked") finish();
        else fallback();
      });
    } else {
      fallback();
    }
  };

  // One media element for every announcement: a device unlocked by a touch stays unlocked for it.
  HallVoice.prototype._player = function () {
    if (!this.player && global.Audio) {
      this.player = new global.Audio();
      this.player.preload = "auto";
    }
    return this.player;
  };

  HallVoice.prototype._play = function (item, done) {
    var self = this, a = this._player(), settled = false, last = -1, lastMoved = performance.now(), watch = null;
    if (!a) { done("unsupported"); return; }
    var play = {src: item.audio, requested: performance.now(), playing: null, ended: null};
    item.plays.push(play);
    function settle(outcome) {
      if (settled) return;
      settled = true;
      clearInterval(watch);
      a.onplaying = a.onended = a.onerror = null;
      if (outcome !== "ended") {
        try { a.pause(); a.removeAttribute("src"); a.load(); } catch (e) { /* ignore */ }
      }
      done(outcome);
    }
    a.onplaying = function () { if (play.playing === null) play.playing = performance.now(); };
    a.onended = function () { play.ended = performance.now(); settle("ended"); };
    a.onerror = function () { settle("error"); };
    // never cut off what is playing: only a file that stops moving (a stalled fetch, a dead
    // device) is given up, and then the screen's own voice or the chime says the call instead
    watch = setInterval(function () {
      var now = performance.now();
      if (a.currentTime !== last) { last = a.currentTime; lastMoved = now; }
      else if (now - lastMoved > self.stallMs) settle("stalled");
    }, 250);
    a.src = item.audio;
    var p;
    try { p = a.play(); } catch (e) { settle("error"); return; }
    if (p && p.then) {
      p.then(function () { self._setBlocked(false); }, function (e) {
        if (e && e.name === "NotAllowedError") {
          // the browser wants a touch first: the screen says so, and this call is shown, not said
          self._setBlocked(true);
          settle("blocked");
        } else if (!settled) {
          settle("error");
        }
      });
    }
  };

  HallVoice.prototype._setBlocked = function (blocked) {
    if (this.blocked === blocked) return;
    this.blocked = blocked;
    try { this.onSound(blocked); } catch (e) { /* ignore */ }
  };

  // Whether this screen may play sound yet: a short silence, played at start and on every touch.
  HallVoice.prototype._probe = function () {
    var self = this, a = this._player(), done = false;
    function ready(blocked) {
      if (done) return;
      done = true;
      if (blocked !== null) self._setBlocked(blocked);
      self.ready = true;
      self._next();
    }
    if (!a || !this.enabled) { ready(null); return; }
    setTimeout(function () { ready(null); }, 1000);     // a browser that never answers: carry on
    try {
      a.src = SILENCE;
      var p = a.play();
      if (p && p.then) p.then(function () { ready(false); }, function (e) { ready(!!(e && e.name === "NotAllowedError")); });
      else ready(null);
    } catch (e) { ready(null); }
  };

  HallVoice.prototype._speak = function (item, voice, done) {
    var synth = this.synth, gap = this.gapMs, settled = false, timer = null;
    function settle(how) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      item.outcomes.push(how);
      setTimeout(done, gap);
    }
    var u;
    try {
      u = new global.SpeechSynthesisUtterance(item.speech);
      u.lang = item.lang;
      u.rate = family(item.lang) === "zh" ? 0.85 : 0.9;
      try { if (voice) u.voice = voice; } catch (e) { /* a voice object of another kind: go by lang */ }
      u.onend = function () { settle("end"); };
      u.onerror = function (ev) { settle("error:" + ((ev && ev.error) || "unknown")); };
    } catch (e) {
      settle("error:" + e.name);
      return;
    }
    // an engine that neither ends nor fails would hold the whole hall's calls: give up after a
    // generous time for the sentence and cancel, which is what unsticks it
    timer = setTimeout(function () {
      try { synth.cancel(); } catch (e) { /* ignore */ }
      settle("timeout");
    }, this.timeoutFor(item.speech));
    try { synth.speak(u); } catch (e) { settle("error:" + e.name); }
  };

  HallVoice.prototype._chime = function (item, done) {
    item.outcomes.push("chime");
    try {
      var Ctx = global.AudioContext || global.webkitAudioContext;
      if (Ctx && this.enabled) {
        this.audio = this.audio || new Ctx();
        var ctx = this.audio, t0 = ctx.currentTime + 0.05;
        [[659.3, 0], [523.3, 0.55]].forEach(function (note) {
          var osc = ctx.createOscillator(), gain = ctx.createGain();
          osc.type = "sine";
          osc.frequency.value = note[0];
          gain.gain.setValueAtTime(0.0001, t0 + note[1]);
          gain.gain.exponentialRampToValueAtTime(0.4, t0 + note[1] + 0.03);
          gain.gain.exponentialRampToValueAtTime(0.0001, t0 + note[1] + 0.9);
          osc.connect(gain).connect(ctx.destination);
          osc.start(t0 + note[1]);
          osc.stop(t0 + note[1] + 0.95);
        });
      }
    } catch (e) { /* no audio device: the flash still shows the call */ }
    setTimeout(done, this.chimeMs);
  };

  // Browsers keep sound off until someone touches the page; a hall screen started in kiosk mode
  // should run with --autoplay-policy=no-user-gesture-required (README), else one tap unlocks it.
  HallVoice.prototype.soundBlocked = function () {
    return this.blocked || !!(this.audio && this.audio.state === "suspended");
  };

  HallVoice.prototype.unlock = function () {
    var self = this, a = this._player();
    // inside the touch: the media element plays a short silence and is allowed from then on
    if (a && this.enabled && !this.busy) {
      try {
        a.src = SILENCE;
        var p = a.play();
        if (p && p.then) p.then(function () { self._setBlocked(false); }, function () { /* still blocked */ });
      } catch (e) { /* ignore */ }
    }
    try {
      var Ctx = global.AudioContext || global.webkitAudioContext;
      this.audio = this.audio || (Ctx ? new Ctx() : null);
      if (this.audio && this.audio.resume) this.audio.resume();
      if (this.synth && this.synth.getVoices) this.synth.getVoices();
    } catch (e) { /* ignore */ }
  };

  HallVoice.spell = spell;
  HallVoice.fill = fill;
  global.HallVoice = HallVoice;
})(window);
