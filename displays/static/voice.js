/* HallVoice: the hall's call announcements, one at a time.
 *
 * 「请 A001 号到 1号窗口办理」: the centre's template (hall catalogue `voice`), the ticket read digit
 * by digit and its letter as a letter, the window always named. Announcements queue up: a new
 * call waits for the one being spoken and never cuts it off. The Web Speech API speaks where a
 * voice for the language exists (no online service); elsewhere a chime sounds, and the screen
 * flashes either way. Speech engines fail in two ways seen on these machines (NOTES.md): `error`
 * at once (no voice) — treated like `end` — or silence with no event at all — our own timeout
 * calls speechSynthesis.cancel() and moves on. `log` keeps every announcement (tests read it).
 */
(function (global) {
  "use strict";

  var DIGITS = {
    zh: ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"],
    en: ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
  };
  var DEFAULT = {lang: "zh-CN", template: "请{ticket}号到{window}办理", repeat: 2};

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
    this.enabled = opts.enabled !== false;
    this.log = [];
    this.queue = [];
    this.busy = false;
    this.audio = null;
    this.synth = global.speechSynthesis || null;
    this.gapMs = 600;          // breath between repeats and between announcements
    this.chimeMs = 1500;
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
                lang: this.config.lang, times: this.config.repeat, state: "queued", mode: null,
                outcomes: [], queuedAt: Date.now()};
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
    if (this.busy || !this.queue.length) return;
    var self = this, item = this.queue.shift();
    var voice = this._voiceFor(item.lang);
    this.busy = true;
    item.mode = voice ? "speech" : "chime";
    item.state = "speaking";
    item.startedAt = Date.now();
    try { this.onStart(item); } catch (e) { /* a screen's flash must not stop the queue */ }
    var round = 0;
    function again() {
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
    again();
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
    return !!(this.audio && this.audio.state === "suspended");
  };

  HallVoice.prototype.unlock = function () {
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
