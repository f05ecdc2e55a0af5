/* Hall.el: the one way the hall's pages build DOM.
 *
 *   el("li")                                   an element
 *   el("span", "q-name", "综合受理")             with a class (or null) and its text
 *   el("td", {text: "A001", title: "…", class: "n", dataset: {queue: "a"}, onclick: fn})
 *   el("div", "row", [child, "text", null])    with children (null and undefined are skipped)
 * Attributes that are null, undefined or false are left out; true sets an empty attribute.
 */
(function (g) {
  "use strict";

  function el(tag, attrs, content) {
    var node = document.createElement(tag);
    if (typeof attrs === "string") node.className = attrs;
    else if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === "text") node.textContent = v;
        else if (k === "class") node.className = v;
        else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
        else if (k === "dataset") Object.keys(v).forEach(function (d) { node.dataset[d] = v[d]; });
        else node.setAttribute(k, v === true ? "" : v);
      });
    }
    if (Array.isArray(content)) {
      content.forEach(function (c) { if (c !== null && c !== undefined) node.append(c); });
    } else if (content !== undefined && content !== null) {
      node.textContent = content;
    }
    return node;
  }

  g.Hall = g.Hall || {};
  g.Hall.el = el;
})(window);
