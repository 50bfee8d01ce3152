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
  function fmtTime(t) { return t ? new Date(t).toLocaleTimeString() : ""; }
  function fmtCount(n, unit) { return (n || 0).toLocaleString() + (unit ? " " + unit : ""); }
  function td(text, cls) { return el("td", cls, text); }
  function th(text, cls) { return el("th", cls, text); }
  function table(headers, rows) {
    var t = el("table"), head = el("tr");
    headers.forEach(function (h) { head.appendChild(typeof h === "string" ? th(h) : th(h[0], h[1])); });
    add(t, add(el("thead"), head));
    var body = el("tbody");
    rows.forEach(function (r) { body.appendChild(r); });
    t.appendChild(body);
    return add(el("div", "scroll"), t);
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
      document.getElementById("content-note").textContent = s.content_shown ?
        " · prompts and completions are shown (TELEMETRY_DIAGNOSTICS_CONTENT=true)" :
        " · prompts and completions are not kept here (TELEMETRY_DIAGNOSTICS_CONTENT=false)";
    }).catch(function () {});
  }

  // --- overview ---------------------------------------------------------
  function overview() {
    Promise.all([get("destinations"), get("stats")]).then(function (r) {
      var ds = r[0].destinations, s = r[1];
      clear();
      add(view, el("h2", "", "Destinations"));
      var rows = ds.map(function (d) {
        var tr = el("tr", "destination");
        tr.dataset.name = d.name;
        var state = add(el("td"), badge(d.state));
        if (d.detail) add(state, el("div", "meta", d.detail));
        var delivery = add(el("td", "delivery"), el("div", "exported", fmtCount(d.exported, "spans")));
        var more = [];
        if (d.spooled) more.push("spooled " + fmtCount(d.spooled));
        if (d.replayed) more.push("replayed " + fmtCount(d.replayed));
        if (d.filtered) more.push("filtered " + fmtCount(d.filtered));
        if (d.possible_duplicates) more.push("possibly twice " + fmtCount(d.possible_duplicates));
        if (more.length) add(delivery, el("div", "meta", more.join(" · ")));
        if (d.dropped) add(delivery, el("div", "bad", "dropped " + fmtCount(d.dropped, "spans")));
        var buffers = el("td", "opt");
        if (d.kind === "otlp") {
          add(buffers, el("div", "", "queue " + fmtBytes(d.queue_bytes) + " of " + fmtBytes(d.queue_max_bytes)),
            el("div", "", "spool " + fmtCount(d.spool_pending_spans, "spans") + " · " + fmtBytes(d.spool_bytes)));
          if (d.held_spans) add(buffers, el("div", "", "waiting for their trace " + fmtCount(d.held_spans, "spans")));
        }
        var last = el("td", "last-error");
        if (d.last_success) add(last, el("div", "meta", "last sent " + fmtTime(d.last_success)));
        if (d.read_back) add(last, el("div", d.read_back.missing ? "bad" : "meta",
          d.read_back.missing ? "traces not appearing" : (d.read_back.last_confirmed ? "seen in it " + fmtTime(d.read_back.last_confirmed) : "not read back yet")));
        if (d.last_error) {
          var e = d.last_error, box = el("div", e.cleared ? "cleared" : "bad");
          box.textContent = "error " + fmtTime(e.time) + ": " + e.message + (e.cleared ? " (recovered since)" : "");
          if (e.hint && !e.cleared) add(box, el("div", "", e.hint));
          last.appendChild(box);
        }
        var actions = el("td");
        if (d.kind === "otlp") {
          var b = el("button", "reset", "reset breaker");
          b.addEventListener("click", function () { post("breakers/" + encodeURIComponent(d.name) + "/reset").then(overview); });
          actions.appendChild(b);
        }
        return add(tr, add(el("td", "dest"), el("b", "", d.name), el("div", "mono endpoint opt", d.endpoint)), state, delivery, buffers, last, actions);
      });
      add(view, table(["destination", "state", "delivered", ["buffers", "opt"], "last", ""], rows));
      var flush = el("button", "", "flush now"), out = el("span", "meta");
      flush.addEventListener("click", function () {
        post("flush").then(function (j) { out.textContent = j.flushed ? " flushed" : " flush incomplete: " + (j.message || ""); overview(); });
      });
      add(view, add(el("p"), flush, out));
      add(view, el("h2", "", "Pipeline"));
      var cards = el("div", "cards");
      [["accepted", fmtCount(s.accepted, "spans")], ["rate", s.accepted_per_second.toFixed(1) + " spans/s"],
       ["pending", fmtCount(s.pending, "spans")], ["memory", fmtBytes(s.memory.bytes) + " / " + fmtBytes(s.memory.live_max_bytes)],
       ["dropped", fmtCount(s.totals.dropped, "spans")], ["stored traces", fmtCount(s.diagnostics_store.traces)]
      ].forEach(function (c) { add(cards, add(el("div", "card"), el("span", "meta", c[0]), el("b", "", c[1]))); });
      add(view, cards);
      var reasons = Object.keys(s.dropped_by_reason);
      if (reasons.length) {
        add(view, el("h2", "", "Dropped, by reason"));
        add(view, table(["reason", ["spans", "num"]], reasons.map(function (k) { return add(el("tr"), td(k), td(fmtCount(s.dropped_by_reason[k]), "num")); })));
      }
    }).catch(fail);
  }

  // --- traces -----------------------------------------------------------
  function tracesView(query) {
    var api = new URLSearchParams();
    ["service", "status", "model", "session", "min_duration", "before"].forEach(function (k) { if (query.get(k)) api.set(k, query.get(k)); });
    api.set("limit", query.get("limit") || "25");
    get("exported_traces?" + api.toString()).then(function (p) {
      clear();
      add(view, el("h2", "", "Recent traces"));
      add(view, filters(query));
      var rows = p.traces.map(function (t) {
        var tr = el("tr", "clickable trace-row");
        tr.dataset.traceId = t.trace_id;
        tr.addEventListener("click", function () { navigate("/trace/" + t.trace_id); });
        var name = add(el("td"), el("span", "", t.name));
        if (t.status === "error") add(name, el("span", "bad", " · " + t.error_count + " error" + (t.error_count > 1 ? "s" : "")));
        return add(tr, td(new Date(t.start).toLocaleTimeString()), name, td(t.service, "opt"), td(fmtMs(t.duration_ms), "num"),
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
    var go = el("button", "", "filter"); go.type = "submit";
    f.appendChild(go);
    f.addEventListener("submit", function (e) {
      e.preventDefault();
      var q = new URLSearchParams();
      Array.prototype.forEach.call(f.elements, function (x) { if (x.name && x.value) q.set(x.name, x.value); });
      navigate("/traces", q);
    });
    return f;
  }

  // --- one trace --------------------------------------------------------
  function traceView(id) {
    get("traces/" + encodeURIComponent(id)).then(function (d) {
      clear();
      var s = d.summary;
      add(view, add(el("h2"), el("span", "", s.name + " "), el("span", "mono meta", d.trace_id)));
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
        spanDetail(panel, sp, d.content_shown);
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

  function spanDetail(panel, sp, content) {
    panel.textContent = "";
    add(panel, el("h3", "", sp.name));
    var g = sp.genai;
    var basics = { kind: sp.kind, service: sp.service, duration: fmtMs(sp.duration_ms), "self time": fmtMs(sp.self_ms),
      start: new Date(sp.start).toISOString(), status: sp.status, "span id": sp.span_id };
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
        add(panel, el("p", "", e.name + " · " + new Date(e.time).toISOString()), kvTable(e.attributes));
      });
    }
    var names = Object.keys(sp.destinations);
    if (names.length) {
      add(panel, el("h4", "", "Sent to"));
      var tabs = el("div", "tabs"), shown = el("div");
      names.forEach(function (n, i) {
        var b = el("button", i === 0 ? "active" : "", n);
        b.type = "button";
        b.addEventListener("click", function () {
          tabs.querySelectorAll("button").forEach(function (x) { x.classList.remove("active"); });
          b.classList.add("active");
          shown.textContent = "";
          shown.appendChild(kvTable(sp.destinations[n], "sent"));
        });
        tabs.appendChild(b);
      });
      shown.appendChild(kvTable(sp.destinations[names[0]], "sent"));
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
          return add(el("tr"), td(x.model), td(x.calls, "num"), td(x.error_count, "num"), td(fmtCount(x.input_tokens), "num"),
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
