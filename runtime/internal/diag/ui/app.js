// genaitrace diagnostics: every view is drawn from the JSON endpoints next
// to this page. No framework, no external resource.
(function () {
  "use strict";
  var intent = { "X-Genaitrace-Diagnostics": "1" };
  var view = document.getElementById("view");

  // --- helpers ---------------------------------------------------------
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
    return parent;
  }
  function get(path) {
    return fetch(path, { credentials: "same-origin" }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok && !(r.status === 503 && path.indexOf("health") === 0)) {
          throw new Error((j.error && j.error.message) || "HTTP " + r.status);
        }
        return j;
      });
    });
  }
  function post(path) {
    return fetch(path, { method: "POST", headers: intent, credentials: "same-origin" }).then(function (r) { return r.json(); });
  }
  function fmtMs(v) {
    if (v === null || v === undefined) return "";
    if (v >= 60000) return (v / 60000).toFixed(1) + " min";
    if (v >= 1000) return (v / 1000).toFixed(2) + " s";
    if (v >= 10) return v.toFixed(0) + " ms";
    return v.toFixed(1) + " ms";
  }
  function fmtBytes(n) {
    if (n >= 1 << 30) return (n / (1 << 30)).toFixed(1) + " GiB";
    if (n >= 1 << 20) return (n / (1 << 20)).toFixed(1) + " MiB";
    if (n >= 1 << 10) return (n / (1 << 10)).toFixed(1) + " KiB";
    return n + " B";
  }
  function fmtUsd(v) { return v >= 0.01 ? "$" + v.toFixed(4) : "$" + v.toFixed(6); }
  function fmtCost(cost, unpriced) {
    var s = el("span");
    if (cost > 0 || !unpriced) s.textContent = fmtUsd(cost || 0);
    if (unpriced) add(s, el("span", "unpriced", (cost > 0 ? " + " : "") + unpriced + " unpriced"));
    return s;
  }
  // fmtTime is the page's one time format: local time, 24 h, the date when
  // it is not today, milliseconds where they matter (a span's start).
  function pad(n, w) { n = String(n); while (n.length < (w || 2)) n = "0" + n; return n; }
  function fmtTime(t, millis) {
    if (!t) return "";
    var d = new Date(t), now = new Date();
    var s = pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
    if (millis) s += "." + pad(d.getMilliseconds(), 3);
    if (d.toDateString() !== now.toDateString()) s = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + s;
    return s;
  }
  // fmtText writes the RFC 3339 times of a server's sentence in the page's
  // format.
  function fmtText(text) {
    return String(text || "").replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/g, function (m) { return fmtTime(m); });
  }
  function tzNote() {
    var off = -new Date().getTimezoneOffset(), sign = off < 0 ? "-" : "+";
    off = Math.abs(off);
    return "times are local (UTC" + sign + pad(Math.floor(off / 60)) + ":" + pad(off % 60) + ")";
  }
  function fmtCount(n, unit) { return (n || 0).toLocaleString() + (unit ? " " + unit : ""); }
  function td(text, cls) { return el("td", cls, text); }
  function th(text, cls) { return el("th", cls, text); }
  // table draws a table; on narrow screens (style.css) each row becomes
  // a card whose cells are labelled with their column's header.
  function table(headers, rows) {
    var t = el("table", "stack"), head = el("tr"), labels = [];
    headers.forEach(function (h) {
      head.appendChild(typeof h === "string" ? th(h) : th(h[0], h[1]));
      labels.push(typeof h === "string" ? h : h[0]);
    });
    add(t, add(el("thead"), head));
    var body = el("tbody");
    rows.forEach(function (r) {
      Array.prototype.forEach.call(r.children, function (c, i) { if (labels[i] && !c.dataset.label) c.dataset.label = labels[i]; });
      body.appendChild(r);
    });
    t.appendChild(body);
    return add(el("div", "scroll"), t);
  }
  // longText shows a long text once: its start, or the whole on demand,
  // never both.
  function longText(cls, prefix, text, limit, opened, onToggle) {
    var box = el("div", cls);
    if (text.length <= limit) { box.textContent = prefix + text; return box; }
    var d = el("details"), more = el("span", "more");
    var short = el("span", "short", text.slice(0, limit).replace(/\s+\S*$/, "") + "…");
    var full = el("div", "full", text);
    var sync = function () { more.textContent = d.open ? " (hide)" : " (show all)"; };
    d.open = !!opened;
    sync();
    d.addEventListener("toggle", function () { sync(); if (onToggle) onToggle(d.open); });
    add(d, add(el("summary"), document.createTextNode(prefix), short, more), full);
    box.appendChild(d);
    return box;
  }
  function badge(state) { return el("span", "badge " + state, state); }
  function clear() { view.textContent = ""; }
  function fail(e) { clear(); add(view, el("p", "bad", "could not load: " + e.message)); }
  function params() {
    var h = location.hash.replace(/^#/, "");
    var q = h.indexOf("?");
    return { path: q >= 0 ? h.slice(0, q) : h, query: new URLSearchParams(q >= 0 ? h.slice(q + 1) : "") };
  }
  function navigate(path, query) {
    var q = query && query.toString();
    location.hash = path + (q ? "?" + q : "");
  }

  // --- header -----------------------------------------------------------
  function meta() {
    get("stats").then(function (s) {
      var m = document.getElementById("meta");
      m.textContent = "accepted " + fmtCount(s.accepted, "spans") + " · " + s.accepted_per_second.toFixed(1) + " spans/s · memory " +
        fmtBytes(s.memory.bytes) + " of " + fmtBytes(s.memory.live_max_bytes) + " live · up " + fmtMs(s.uptime_ms) +
        (s.totals.dropped ? " · " : "");
      if (s.totals.dropped) add(m, el("span", "bad", fmtCount(s.totals.dropped, "spans dropped")));
      document.getElementById("content-note").textContent = (s.content_shown ?
        " · prompts and completions are shown (TELEMETRY_DIAGNOSTICS_CONTENT=true)" :
        " · prompts and completions are not kept here (TELEMETRY_DIAGNOSTICS_CONTENT=false)") + " · " + tzNote();
    }).catch(function () {});
  }

  // --- overview ---------------------------------------------------------
  // The overview refreshes itself every refreshMs while it is shown; the
  // errors an operator opened stay open.
  var refreshMs = 5000, refreshTimer = null, autoRefresh = true, openErrors = {};

  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    if (autoRefresh) refreshTimer = setTimeout(function () { if (!document.hidden) { meta(); overview(true); } else scheduleRefresh(); }, refreshMs);
  }

  function destinationSummary(ds) {
    var ul = el("ul", "summary");
    ul.id = "summary";
    ds.forEach(function (d) {
      var li = el("li", "dest-summary");
      li.dataset.name = d.name;
      var waiting = (d.spool_pending_spans || 0) + (d.held_spans || 0);
      add(li, el("b", "", d.name), badge(d.state), el("span", "meta", fmtCount(d.exported, "sent") +
        (waiting ? " · " + fmtCount(waiting, "waiting") : "") + (d.dropped ? " · " : "")));
      if (d.dropped) add(li, el("span", "bad", fmtCount(d.dropped, "dropped")));
      li.addEventListener("click", function () {
        var row = view.querySelector('tr.destination[data-name="' + d.name + '"]');
        if (row) row.scrollIntoView();
      });
      ul.appendChild(li);
    });
    return ul;
  }

  function destinationRow(d) {
    var tr = el("tr", "destination");
    tr.dataset.name = d.name;
    var state = add(el("td", "state"), badge(d.state));
    if (d.detail) add(state, el("div", "meta detail", fmtText(d.detail)));
    var delivery = add(el("td", "delivery"), el("div", "exported", fmtCount(d.exported, "spans")));
    var more = [];
    if (d.spooled) more.push("spooled " + fmtCount(d.spooled));
    if (d.replayed) more.push("replayed " + fmtCount(d.replayed));
    if (d.possible_duplicates) more.push("possibly twice " + fmtCount(d.possible_duplicates));
    if (d.deduplicated) more.push("not sent twice " + fmtCount(d.deduplicated));
    if (more.length) add(delivery, el("div", "meta", more.join(" · ")));
    if (d.filtered) {
      var f = add(el("div", "meta filtered"), el("span", "", "filtered " + fmtCount(d.filtered)));
      if (d.filter) add(f, el("span", "explain", ": not sent, " + d.filter));
      delivery.appendChild(f);
    }
    if (d.dropped) add(delivery, el("div", "bad", "dropped " + fmtCount(d.dropped, "spans")));
    var buffers = el("td", "opt buffers");
    if (d.kind === "otlp") {
      add(buffers, el("div", "", "queue " + fmtBytes(d.queue_bytes) + " of " + fmtBytes(d.queue_max_bytes)),
        el("div", "", "spool " + fmtCount(d.spool_pending_spans, "spans") + " · " + fmtBytes(d.spool_bytes)));
    }
    var last = el("td", "last");
    if (d.last_success) add(last, el("div", "meta", "last sent " + fmtTime(d.last_success)));
    if (d.read_back) add(last, el("div", d.read_back.missing ? "bad" : "meta",
      d.read_back.missing ? "traces not appearing" : (d.read_back.last_confirmed ? "seen in it " + fmtTime(d.read_back.last_confirmed) : "not read back yet")));
    var actions = el("td", "actions");
    if (d.kind === "otlp") {
      var b = el("button", "reset", "reset breaker");
      b.addEventListener("click", function () { post("breakers/" + encodeURIComponent(d.name) + "/reset").then(function () { overview(true); }); });
      actions.appendChild(b);
    }
    if (d.set_aside_spans) {
      // Spans waiting for an operator: say how many, and offer both ways out.
      add(buffers, el("div", "set-aside", fmtCount(d.set_aside_spans, "spans") + " set aside (another endpoint or credentials, or rejected)"));
      ["replay", "discard"].forEach(function (action) {
        var ab = el("button", "set-aside-" + action, action + " set-aside");
        ab.addEventListener("click", function () {
          post("spool/" + encodeURIComponent(d.name) + "/set_aside/" + action).then(function () { overview(true); });
        });
        actions.appendChild(ab);
      });
    }
    add(tr, add(el("td", "dest"), el("b", "", d.name), el("div", "mono endpoint", d.endpoint)), state, delivery, buffers, last, actions);
    if (!d.last_error) return [tr];
    // The error's text, once, on a row of its own as wide as the table:
    // its start, the whole on demand. What to check is the state's
    // sentence, not repeated here.
    var e = d.last_error, er = el("tr", "destination-error");
    er.dataset.name = d.name;
    var cell = el("td", "last-error");
    cell.colSpan = 6;
    cell.dataset.label = "last error";
    add(cell, longText("error " + (e.cleared ? "cleared" : "bad"), "error at " + fmtTime(e.time) + (e.cleared ? " (recovered since)" : "") + ": ",
      e.message, 100, openErrors[d.name], function (open) { openErrors[d.name] = open; }));
    return [tr, add(er, cell)];
  }

  function overview(refreshing) {
    Promise.all([get("destinations"), get("stats")]).then(function (r) {
      if (params().path.split("/")[1]) return; // navigated away meanwhile
      var ds = r[0].destinations, s = r[1], y = window.scrollY;
      var page = document.createDocumentFragment();
      var head = add(el("div", "overview-head"), el("h2", "", "Destinations"));
      var auto = el("label", "meta refresh"), box = el("input");
      box.type = "checkbox";
      box.checked = autoRefresh;
      box.addEventListener("change", function () { autoRefresh = box.checked; scheduleRefresh(); });
      add(auto, box, document.createTextNode(" refresh every " + refreshMs / 1000 + " s"), el("span", "refreshed", " · " + fmtTime(new Date())));
      add(head, auto);
      add(page, head, destinationSummary(ds));
      var rows = [];
      ds.forEach(function (d) { rows = rows.concat(destinationRow(d)); });
      add(page, table(["destination", "state", "delivered", ["buffers", "opt"], "last sent", ""], rows));
      var flush = el("button", "", "flush now"), out = el("span", "meta");
      flush.addEventListener("click", function () {
        post("flush").then(function (j) { out.textContent = j.flushed ? " flushed" : " flush incomplete: " + (j.message || ""); overview(true); });
      });
      add(page, add(el("p"), flush, out));
      add(page, el("h2", "", "Pipeline"));
      var cards = el("div", "cards");
      [["accepted", fmtCount(s.accepted, "spans")], ["rate", s.accepted_per_second.toFixed(1) + " spans/s"],
       ["pending", fmtCount(s.pending, "spans")], ["memory", fmtBytes(s.memory.bytes) + " / " + fmtBytes(s.memory.live_max_bytes)],
       ["dropped", fmtCount(s.totals.dropped, "spans")], ["stored traces", fmtCount(s.diagnostics_store.traces)]
      ].forEach(function (c) { add(cards, add(el("div", "card"), el("span", "meta", c[0]), el("b", "", c[1]))); });
      add(page, cards);
      var reasons = Object.keys(s.dropped_by_reason);
      if (reasons.length) {
        add(page, el("h2", "", "Dropped, by reason"));
        add(page, table(["reason", ["spans", "num"]], reasons.map(function (k) { return add(el("tr"), td(k), td(fmtCount(s.dropped_by_reason[k]), "num")); })));
      }
      clear();
      view.appendChild(page);
      if (refreshing) window.scrollTo(0, y);
      scheduleRefresh();
    }).catch(function (e) { if (!refreshing) fail(e); else scheduleRefresh(); });
  }

  // --- traces -----------------------------------------------------------
  function tracesView(query) {
    var api = new URLSearchParams();
    ["service", "status", "model", "session", "genai", "min_duration", "before"].forEach(function (k) { if (query.get(k)) api.set(k, query.get(k)); });
    api.set("limit", query.get("limit") || "25");
    get("exported_traces?" + api.toString()).then(function (p) {
      clear();
      add(view, el("h2", "", "Recent traces"));
      add(view, filters(query));
      var rows = p.traces.map(function (t) {
        var tr = el("tr", "clickable trace-row");
        tr.dataset.traceId = t.trace_id;
        tr.addEventListener("click", function () { navigate("/trace/" + t.trace_id); });
        var name = add(el("td", "name"), el("span", "", t.name));
        if (t.genai) add(name, el("span", "tag genai", "GenAI"));
        if (t.status === "error") add(name, el("span", "bad", " · " + t.error_count + " error" + (t.error_count > 1 ? "s" : "")));
        return add(tr, td(fmtTime(t.start)), name, td(t.service, "opt"), td(fmtMs(t.duration_ms), "num"),
          td(t.span_count, "num opt"), td(t.models.join(", "), "opt"), td(fmtCount(t.tokens), "num opt"),
          add(el("td", "num"), fmtCost(t.cost_usd, t.unpriced_calls)), td(t.session_id || "", "opt"));
      });
      if (!rows.length) add(view, el("p", "meta", "No trace matches. The store keeps the most recent traces, bounded in bytes."));
      else add(view, table(["started", "trace", ["service", "opt"], ["duration", "num"], ["spans", "num opt"], ["models", "opt"],
        ["tokens", "num opt"], ["cost", "num"], ["session", "opt"]], rows));
      var pager = el("div", "pager");
      add(pager, el("span", "meta", p.matching + " matching"));
      if (query.get("before")) {
        var first = el("button", "newest", "newest");
        first.addEventListener("click", function () { var q = new URLSearchParams(query); q.delete("before"); navigate("/traces", q); });
        pager.appendChild(first);
      }
      if (p.next_before) {
        var older = el("button", "older", "older →");
        older.addEventListener("click", function () { var q = new URLSearchParams(query); q.set("before", p.next_before); navigate("/traces", q); });
        pager.appendChild(older);
      }
      add(view, pager);
    }).catch(fail);
  }

  function filters(query) {
    var f = el("form", "filters");
    var fields = [["service", "service"], ["model", "model"], ["session", "session"], ["min_duration", "min duration (250ms)"]];
    fields.forEach(function (x) {
      var i = el("input"); i.name = x[0]; i.value = query.get(x[0]) || "";
      add(f, add(el("label", "", x[1]), i));
    });
    var s = el("select"); s.name = "status";
    ["", "ok", "error"].forEach(function (v) { var o = el("option", "", v || "any"); o.value = v; if (query.get("status") === v) o.selected = true; s.appendChild(o); });
    add(f, add(el("label", "", "status"), s));
    var g = el("input"); g.type = "checkbox"; g.name = "genai"; g.value = "true"; g.checked = query.get("genai") === "true";
    add(f, add(el("label", "check"), g, document.createTextNode(" GenAI only")));
    var go = el("button", "", "filter"); go.type = "submit";
    f.appendChild(go);
    f.addEventListener("submit", function (e) {
      e.preventDefault();
      var q = new URLSearchParams();
      Array.prototype.forEach.call(f.elements, function (x) { if (x.name && x.value && (x.type !== "checkbox" || x.checked)) q.set(x.name, x.value); });
      navigate("/traces", q);
    });
    return f;
  }

  // --- one trace --------------------------------------------------------
  function traceView(id) {
    get("traces/" + encodeURIComponent(id)).then(function (d) {
      clear();
      var s = d.summary;
      var title = add(el("h2", "trace-title"), el("span", "", s.name + " "), el("span", "mono meta", d.trace_id));
      title.dataset.traceId = d.trace_id;
      add(view, title);
      var m = el("p", "meta");
      m.textContent = s.span_count + " spans · " + fmtMs(s.duration_ms) + " · " + fmtCount(s.tokens, "tokens") + " · ";
      add(m, fmtCost(s.cost_usd, s.unpriced_calls));
      if (s.error_count) add(m, el("span", "bad", " · " + s.error_count + " error" + (s.error_count > 1 ? "s" : "")));
      add(view, m);
      var facts = el("p", "meta trace-facts");
      var parts = [];
      if (s.session_id) parts.push("session " + s.session_id);
      if (s.user_id) parts.push("user " + s.user_id);
      if (s.tags.length) parts.push("tags " + s.tags.join(", "));
      facts.textContent = parts.join(" · ");
      if (s.session_id) {
        var link = el("a", "", " (traces of this session)");
        link.href = "#/traces?session=" + encodeURIComponent(s.session_id);
        facts.appendChild(link);
      }
      add(view, facts);
      add(view, deliverySection(d.delivery));
      var layout = el("div", "trace-layout");
      var left = el("div"), panel = el("aside", "panel");
      panel.id = "span-detail";
      add(panel, el("p", "meta", "Click a span to see its attributes, GenAI facts, events and what each destination received."));
      add(left, waterfall(d, panel));
      add(left, add(el("div", "legend"), el("span", "", "bars:"), el("i", "plain"), el("span", "", "span"),
        el("i", "crit"), el("span", "", "on the critical path (what the trace waited for)"), el("i", "err"), el("span", "", "error")));
      if (d.models.length) {
        add(left, el("h2", "", "Models"));
        add(left, table(["model", ["calls", "num"], ["errors", "num"], ["input tokens", "num"], ["output tokens", "num"], ["cost", "num"]],
          d.models.map(function (x) {
            return add(el("tr"), td(x.model), td(x.calls, "num"), td(x.error_count, "num"), td(fmtCount(x.input_tokens), "num"),
              td(fmtCount(x.output_tokens), "num"), add(el("td", "num"), fmtCost(x.cost_usd, x.unpriced_calls)));
          })));
      }
      add(layout, left, panel);
      add(view, layout);
      var want = params().query.get("span");
      if (want) {
        var row = view.querySelector('.wf-row[data-span-id="' + want + '"]');
        if (row) row.click();
      }
    }).catch(fail);
  }

  function waterfall(d, panel) {
    var total = Math.max(d.summary.duration_ms, 0.001);
    var box = el("div", "waterfall");
    box.id = "waterfall";
    var axis = el("div", "wf-axis"), ticks = el("div", "wf-ticks");
    [0, 0.5, 1].forEach(function (f, i) {
      var t = el("span", i === 0 ? "first" : (i === 2 ? "last" : ""), fmtMs(total * f));
      t.style.left = (f * 100) + "%";
      ticks.appendChild(t);
    });
    add(axis, el("span", "", "span"), ticks, el("span", "", "duration · tokens"));
    box.appendChild(axis);
    d.spans.forEach(function (sp) {
      var row = el("div", "wf-row");
      row.dataset.spanId = sp.span_id;
      row.setAttribute("role", "button");
      row.tabIndex = 0;
      var label = el("span", "wf-label", sp.name);
      label.style.paddingLeft = Math.min(sp.depth * 12, 120) + "px";
      label.title = sp.name;
      var track = el("div", "wf-track");
      var bar = el("div", "wf-bar" + (sp.status === "error" ? " error" : (sp.critical_ms > 0 ? " critical" : "")));
      bar.style.left = (100 * sp.offset_ms / total) + "%";
      bar.style.width = Math.max(100 * sp.duration_ms / total, 0.3) + "%";
      bar.title = sp.name + " · " + fmtMs(sp.duration_ms) + " (self " + fmtMs(sp.self_ms) + ")";
      track.appendChild(bar);
      var meta = [fmtMs(sp.duration_ms)];
      if (sp.genai && (sp.genai.input_tokens || sp.genai.output_tokens)) meta.push(sp.genai.input_tokens + "/" + sp.genai.output_tokens + " tok");
      if (sp.status === "error") meta.push("✗");
      add(row, label, track, el("span", "wf-meta", meta.join(" · ")));
      function open() {
        box.querySelectorAll(".wf-row.selected").forEach(function (r) { r.classList.remove("selected"); });
        row.classList.add("selected");
        spanDetail(panel, sp, d.content_shown, d.delivery);
      }
      row.addEventListener("click", open);
      row.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); open(); } });
      box.appendChild(row);
    });
    return box;
  }

  function kvTable(obj, cls, keepOrder) {
    var keys = keepOrder ? Object.keys(obj) : Object.keys(obj).sort();
    var t = el("table", "kv " + (cls || ""));
    keys.forEach(function (k) {
      var v = obj[k];
      add(t, add(el("tr"), td(k), td(typeof v === "object" ? JSON.stringify(v) : String(v))));
    });
    if (!keys.length) add(t, add(el("tr"), td("(none)")));
    return t;
  }

  // deliverySection is what became of the trace at each destination, as
  // far as it is known per trace.
  // deliveryWords says a trace's state at a destination as an operator
  // reads it; the badge's class keeps the code.
  var deliveryWords = {delivered: "delivered", spooled: "in the spool", set_aside: "set aside", dropped: "dropped",
    filtered: "filtered", sampled_out: "sampled out", shed: "shed", waiting: "waiting", in_memory: "in memory"};
  function deliverySection(list) {
    var sec = el("section", "delivery");
    sec.id = "delivery";
    add(sec, el("h2", "", "Delivery"));
    add(sec, table(["destination", "state", "why"], (list || []).map(function (x) {
      var tr = el("tr", "delivery-row");
      tr.dataset.name = x.name;
      tr.dataset.state = x.state;
      var b = el("span", "badge " + x.state, deliveryWords[x.state] || x.state);
      var why = x.at ? x.reason + " (" + fmtTime(x.at) + ")" : x.reason;
      return add(tr, td(x.name), add(el("td"), b), td(why, "meta wrap"));
    })));
    return sec;
  }
  function deliveryOf(list, name) {
    for (var i = 0; i < (list || []).length; i++) if (list[i].name === name) return list[i];
    return null;
  }

  function spanDetail(panel, sp, content, delivery) {
    panel.textContent = "";
    add(panel, el("h3", "", sp.name));
    var g = sp.genai;
    var basics = { kind: sp.kind, service: sp.service, duration: fmtMs(sp.duration_ms), "self time": fmtMs(sp.self_ms),
      start: fmtTime(sp.start, true), status: sp.status, "span id": sp.span_id };
    if (sp.critical_ms > 0) basics["critical path"] = fmtMs(sp.critical_ms);
    if (sp.parent_span_id) basics["parent span id"] = sp.parent_span_id + (sp.remote_parent ? " (remote)" : "");
    add(panel, kvTable(basics, "basics", true));
    if (sp.status === "error") add(panel, el("h4", "", "Error"), el("p", "bad error-message", (g && g.error_type ? g.error_type + ": " : "") + (sp.status_message || "(no message)")));
    if (g) {
      add(panel, el("h4", "", "GenAI"));
      var f = {};
      if (g.operation) f.operation = g.operation;
      if (g.provider) f.provider = g.provider;
      if (g.request_model) f["request model"] = g.request_model;
      if (g.response_model) f["response model"] = g.response_model;
      if (g.tool) f.tool = g.tool;
      if (g.agent) f.agent = g.agent;
      if (g.input_tokens || g.output_tokens) {
        f.tokens = g.input_tokens + " in · " + g.output_tokens + " out" + (g.cache_read_tokens ? " · " + g.cache_read_tokens + " cached" : "") +
          (g.reasoning_tokens ? " · " + g.reasoning_tokens + " reasoning" : "");
        f.cost = g.priced ? fmtUsd(g.cost_usd) : "unpriced (the price table does not know this model)";
      }
      if (g.finish_reasons.length) f["finish reasons"] = g.finish_reasons.join(", ");
      if (g.time_to_first_chunk_ms) f["time to first chunk"] = fmtMs(g.time_to_first_chunk_ms);
      if (g.streaming) f.streaming = "yes";
      if (sp.dialect) f["recorded in"] = sp.dialect + " (conventions' names derived: docs/dialects.md)";
      add(panel, kvTable(f, "facts", true));
      var input = sp.attributes["gen_ai.input.messages"], output = sp.attributes["gen_ai.output.messages"],
        system = sp.attributes["gen_ai.system_instructions"];
      if (input || output) {
        add(panel, el("h4", "", "Messages"));
        var chat = el("div", "chat");
        if (system) chatMessages(chat, system, "system");
        if (input) chatMessages(chat, input, "user");
        if (output) chatMessages(chat, output, "assistant");
        panel.appendChild(chat);
      } else if (g.operation && !content) {
        add(panel, el("p", "meta", "Prompts and completions are not kept by the diagnostics (TELEMETRY_DIAGNOSTICS_CONTENT=false)."));
      }
    }
    add(panel, el("h4", "", "Attributes"), kvTable(sp.attributes, "attributes"));
    if (sp.events.length) {
      add(panel, el("h4", "", "Events"));
      sp.events.forEach(function (e) {
        add(panel, el("p", "", e.name + " · " + fmtTime(e.time, true)), kvTable(e.attributes));
      });
    }
    var names = Object.keys(sp.destinations);
    if (names.length) {
      add(panel, el("h4", "", "What each destination is sent"));
      var tabs = el("div", "tabs"), shown = el("div");
      var show = function (n) {
        shown.textContent = "";
        var x = deliveryOf(delivery, n);
        if (x && x.state === "filtered") {
          // Not sent: say so, and keep what it would be sent out of sight.
          var d = el("details", "would-send");
          add(d, el("summary", "", "what it would be sent if its setting let the trace through"), kvTable(sp.destinations[n], "would"));
          add(shown, el("p", "notice not-sent", x.reason), d);
          return;
        }
        shown.appendChild(kvTable(sp.destinations[n], "sent"));
      };
      names.forEach(function (n, i) {
        var b = el("button", i === 0 ? "active" : "", n);
        b.type = "button";
        b.dataset.name = n;
        b.addEventListener("click", function () {
          tabs.querySelectorAll("button").forEach(function (x) { x.classList.remove("active"); });
          b.classList.add("active");
          show(n);
        });
        tabs.appendChild(b);
      });
      show(names[0]);
      add(panel, tabs, shown);
    }
  }

  // chatMessages renders the GenAI conventions' messages (a JSON array of
  // {role, parts: [{type, content}]}) as a conversation.
  function chatMessages(box, raw, fallbackRole) {
    var list;
    try { list = JSON.parse(raw); } catch (e) { list = null; }
    if (!Array.isArray(list)) { add(box, message(fallbackRole, String(raw))); return; }
    list.forEach(function (m) {
      if (m && m.parts === undefined && m.content !== undefined) { add(box, message(m.role || fallbackRole, String(m.content))); return; }
      if (m && m.type && !m.role) { add(box, message(fallbackRole, partText(m))); return; }
      var text = (m.parts || []).map(partText).join("\n");
      add(box, message(m.role || fallbackRole, text));
    });
  }
  function partText(p) {
    if (p.type === "text" || p.content !== undefined && typeof p.content === "string") return p.content;
    if (p.type === "tool_call") return "→ " + p.name + "(" + JSON.stringify(p.arguments) + ")";
    if (p.type === "tool_call_response") return "← " + JSON.stringify(p.response);
    return JSON.stringify(p);
  }
  function message(role, text) {
    var m = el("div", "msg " + role);
    add(m, el("span", "role", role), document.createTextNode(text));
    return m;
  }

  // --- sessions and models ------------------------------------------------
  function sessionsView() {
    get("sessions").then(function (j) {
      clear();
      add(view, el("h2", "", "Sessions"));
      if (!j.sessions.length) {
        add(view, el("p", "meta", "No recent trace has a session: attach one with genai.WithSession(ctx, id)."));
        return;
      }
      add(view, table(["session", ["traces", "num"], ["spans", "num opt"], ["errors", "num"], ["tokens", "num"], ["cost", "num"], ["users", "opt"], "last"],
        j.sessions.map(function (s) {
          var tr = el("tr", "clickable session-row");
          tr.addEventListener("click", function () { navigate("/traces", new URLSearchParams({ session: s.session_id })); });
          return add(tr, td(s.session_id, "mono"), td(s.trace_count, "num"), td(s.span_count, "num opt"), td(s.error_count, "num"),
            td(fmtCount(s.tokens), "num"), add(el("td", "num"), fmtCost(s.cost_usd, s.unpriced_calls)), td(s.users.join(", "), "opt"),
            td(fmtTime(s.last)));
        })));
    }).catch(fail);
  }

  function modelsView(query) {
    var w = query.get("window") || "1h";
    get("models?window=" + encodeURIComponent(w)).then(function (j) {
      clear();
      add(view, el("h2", "", "Models, last " + w));
      add(view, table(["model", ["calls", "num"], ["errors", "num"], ["input tokens", "num"], ["output tokens", "num"], ["cost", "num"]],
        j.models.map(function (x) {
          return add(el("tr", "model-row"), td(x.model), td(x.calls, "num"), td(x.error_count, "num"), td(fmtCount(x.input_tokens), "num"),
            td(fmtCount(x.output_tokens), "num"), add(el("td", "num"), fmtCost(x.cost_usd, x.unpriced_calls)));
        })));
    }).catch(fail);
  }

  // --- routing ------------------------------------------------------------
  function route() {
    var p = params();
    var name = p.path.split("/")[1] || "";
    document.querySelectorAll("nav a").forEach(function (a) {
      a.classList.toggle("active", a.dataset.view === (name === "trace" ? "traces" : (name || "overview")));
    });
    meta();
    clearTimeout(refreshTimer);
    switch (name) {
      case "traces": tracesView(p.query); break;
      case "trace": traceView(p.path.split("/")[2]); break;
      case "sessions": sessionsView(); break;
      case "models": modelsView(p.query); break;
      default: overview();
    }
  }
  window.addEventListener("hashchange", route);
  route();
})();
