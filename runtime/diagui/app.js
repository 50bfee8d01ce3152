// genaitrace diagnostics: draws the trace waterfall and wires the buttons.
// The tables work without this script.
(function () {
  "use strict";
  var intent = { "X-Genaitrace-Diagnostics": "1" };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function fmtMs(v) { return v >= 1000 ? (v / 1000).toFixed(2) + " s" : v.toFixed(1) + " ms"; }
  function fmtUsd(v) { return "$" + v.toFixed(6); }

  function drawWaterfall(box, analysis) {
    var total = Math.max(analysis.summary.duration_ms, 0.001);
    box.textContent = "";
    var axis = el("div", "wf-axis");
    axis.appendChild(el("span", "", "span"));
    var ticks = el("div", "wf-ticks");
    [0, 0.25, 0.5, 0.75, 1].forEach(function (f) {
      var t = el("span", "", fmtMs(total * f));
      t.style.left = (f * 100) + "%";
      ticks.appendChild(t);
    });
    axis.appendChild(ticks);
    axis.appendChild(el("span", "", "model · tokens · cost · duration"));
    box.appendChild(axis);
    (function walk(nodes, depth) {
      nodes.forEach(function (n) {
        var row = el("div", "wf-row");
        row.dataset.spanId = n.span_id;
        var label = el("span", "wf-label", n.name);
        label.style.paddingLeft = (depth * 14) + "px";
        label.title = n.name;
        row.appendChild(label);
        var track = el("div", "wf-track");
        var bar = el("div", "bar" + (n.status === "error" ? " error" : "") + (n.critical ? " critical" : ""));
        bar.style.left = (100 * n.offset_ms / total) + "%";
        bar.style.width = Math.max(100 * n.duration_ms / total, 0.2) + "%";
        bar.title = n.name + " · " + fmtMs(n.duration_ms) + " (self " + fmtMs(n.self_time_ms) + ")";
        track.appendChild(bar);
        row.appendChild(track);
        var meta = [];
        if (n.model) meta.push(n.model);
        if (n.input_tokens || n.output_tokens) meta.push((n.input_tokens || 0) + "/" + (n.output_tokens || 0) + " tok");
        if (n.cost_usd) meta.push(fmtUsd(n.cost_usd));
        meta.push(fmtMs(n.duration_ms));
        if (n.status === "error") meta.push("✗ error");
        row.appendChild(el("span", "wf-meta", meta.join(" · ")));
        box.appendChild(row);
        walk(n.children || [], depth + 1);
      });
    })(analysis.tree || [], 0);
  }

  var trace = document.getElementById("trace");
  var box = document.getElementById("waterfall");
  if (trace && box && trace.dataset.traceId) {
    fetch("trace_analyzer/" + trace.dataset.traceId, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (a) { drawWaterfall(box, a); })
      .catch(function (e) { box.textContent = "waterfall unavailable: " + e.message; });
  }

  function post(path, done) {
    var out = document.getElementById("action-result");
    fetch(path, { method: "POST", headers: intent, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (j) { out.textContent = done(j); })
      .catch(function (e) { out.textContent = "failed: " + e.message; });
  }
  document.querySelectorAll("button.reset").forEach(function (b) {
    b.addEventListener("click", function () {
      post("breakers/" + encodeURIComponent(b.dataset.destination) + "/reset", function (j) {
        return j.error ? j.error : b.dataset.destination + " breaker reset";
      });
    });
  });
  var flush = document.getElementById("flush");
  if (flush) flush.addEventListener("click", function () {
    post("flush", function (j) { return j.flushed ? "flushed" : "flush incomplete: " + (j.error || ""); });
  });
})();
