/* M: what every phone page shares — its words (the catalogue's "phone" namespace, hall/static/text.js),
 * the language switch, times. Simplified Chinese first; English by the header's switch or ?lang=en. */
(function (g) {
  "use strict";
  var text = Hall.text, phone = text.scope("phone");

  /* "HH:MM" of an epoch-ms instant in the UTC offset of an ISO time the server gave ("…+08:00"),
   * so a phone set to another zone still reads the centre's clock. */
  function clock(ms, isoWithOffset) {
    var m = /([+-])(\d\d):(\d\d)$/.exec(isoWithOffset || "");
    var offsetMin = m ? (m[1] === "-" ? -1 : 1) * (parseInt(m[2], 10) * 60 + parseInt(m[3], 10)) : -new Date(ms).getTimezoneOffset();
    var d = new Date(ms + offsetMin * 60000);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(d.getUTCHours()) + ":" + two(d.getUTCMinutes());
  }

  function minutes(seconds) { return seconds > 0 ? Math.max(1, Math.round(seconds / 60)) : 0; }

  /* {status, body}: the answer's JSON ({} when it has none); `send` turns a network failure into status 0 */
  function getJSON(url, opts) {
    return Hall.request("GET", url, {cache: opts && opts.cache}).then(answer);
  }

  function send(method, url, body) {
    return Hall.request(method, url, {body: body}).then(answer, function () { return {status: 0, body: {}}; });
  }

  function answer(r) { return {status: r.status, body: r.data || {}}; }

  // the hall's time: the page carries it, and a phone's own clock may be minutes (or days) off
  var skew = 0;
  function now() { return Date.now() + skew; }

  document.addEventListener("DOMContentLoaded", function () {
    var served = Date.parse(document.body.dataset.now || "");
    if (served) skew = served - Date.now();
    text.apply();
    var b = document.getElementById("lang");
    if (b) b.addEventListener("click", text.toggle);
  });

  g.M = {t: phone.t, apply: text.apply, lang: text.lang, onLang: text.onChange, clock: clock, minutes: minutes,
         name: text.name, getJSON: getJSON, send: send, el: Hall.el, now: now,
         status: function (s) { return text.t("status." + s); }};
})(window);
