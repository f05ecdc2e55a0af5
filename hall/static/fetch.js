/* Hall.request: the one way the hall's pages ask the hall something over HTTP.
 *
 *   Hall.request(method, url, {body, headers, token, timeoutMs, cache, raw})
 *     → Promise of {status, ok, data, headers}: `data` is the parsed JSON answer (null when the
 *       answer is empty or not JSON); rejects only when the network fails or the deadline passes.
 *   `body` is sent as JSON, or as it is with `raw` (a content type of your own in `headers`);
 *   `token` becomes "Authorization: Bearer …"; `timeoutMs` aborts a request the hall never answers;
 *   `as: "text"` or `as: "blob"` gives the answer's body as it is (a YAML file, a spreadsheet).
 */
(function (g) {
  "use strict";

  function request(method, url, opts) {
    opts = opts || {};
    var headers = {"Accept": "application/json"};
    if (opts.body !== undefined && !opts.raw) headers["Content-Type"] = "application/json";
    if (opts.token) headers["Authorization"] = "Bearer " + opts.token;
    Object.keys(opts.headers || {}).forEach(function (k) { headers[k] = opts.headers[k]; });
    var init = {method: method, headers: headers};
    if (opts.body !== undefined) init.body = opts.raw ? opts.body : JSON.stringify(opts.body);
    if (opts.cache) init.cache = opts.cache;
    var timer = null;
    if (opts.timeoutMs) {
      var ctrl = new AbortController();
      init.signal = ctrl.signal;
      timer = setTimeout(function () { ctrl.abort(); }, opts.timeoutMs);
    }
    return g.fetch(url, init).then(function (r) {
      var body = opts.as === "blob" && r.ok ? r.blob() : r.text();
      return body.then(function (got) {
        var data = got;
        if (opts.as !== "text" && typeof got === "string") {
          try { data = got ? JSON.parse(got) : null; } catch (e) { data = null; }
        }
        return {status: r.status, ok: r.ok, statusText: r.statusText, data: data, headers: r.headers};
      });
    }).finally(function () { clearTimeout(timer); });
  }

  g.Hall = g.Hall || {};
  g.Hall.request = request;
})(window);
