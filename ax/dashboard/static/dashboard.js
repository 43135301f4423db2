// The ax dashboard's page script. Every value from the store is put on the page with
// textContent (never innerHTML); figures are drawn by plotly from their JSON.
"use strict";
(function () {
  var config = JSON.parse(document.getElementById("ax-config").textContent);
  var initial = JSON.parse(document.getElementById("ax-initial").textContent);
  var MODEL_REFRESH_MS = 30000;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function withToken(url) {
    if (!config.token) return url;
    return url + (url.indexOf("?") < 0 ? "?" : "&") + "token=" + encodeURIComponent(config.token);
  }
  function api(path, options) {
    options = options || {};
    var headers = options.headers || {};
    if (config.token) headers["X-Ax-Token"] = config.token;
    options.headers = headers;
    options.cache = "no-store";
    return fetch(path, options).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body.message || body.error || response.statusText);
        return body;
      });
    });
  }
  function fmt(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "number") {
      if (Number.isInteger(value)) return String(value);
      return String(Number(value.toPrecision(6)));
    }
    return String(value);
  }
  function setLive(text, bad) {
    var live = document.getElementById("ax-live");
    live.textContent = text;
    live.className = bad ? "live bad" : "live";
  }
  function stamp() { return new Date().toLocaleTimeString(); }
  function poll(path, marker, onChange) {
    var current = marker;
    function tick() {
      api(path).then(function (body) {
        setLive("live \u00b7 checked " + stamp(), false);
        if (body.marker !== current) {
          current = body.marker;
          return onChange();
        }
      }).catch(function (err) {
        setLive("cannot reach the dashboard: " + err.message, true);
      }).then(function () { window.setTimeout(tick, config.poll_ms); });
    }
    window.setTimeout(tick, config.poll_ms);
  }
  document.getElementById("ax-home").setAttribute("href", withToken("/"));

  // ------------------------------------------------------------------ list page
  function renderList(data) {
    document.getElementById("ax-store").textContent = data.store;
    var table = document.getElementById("ax-experiments");
    var head = table.tHead, body = table.tBodies[0];
    clear(head); clear(body);
    var row = head.insertRow();
    ["experiment", "status", "trials", "best value", "last change"].forEach(function (h) {
      row.appendChild(el("th", h));
    });
    data.experiments.forEach(function (e) {
      var tr = body.insertRow();
      tr.dataset.name = e.name;
      var link = el("a", e.name);
      link.setAttribute("href", withToken("/experiment?name=" + encodeURIComponent(e.name)));
      var first = tr.insertCell(); first.appendChild(link);
      if (e.error) {
        var cell = tr.insertCell(); cell.colSpan = 4; cell.textContent = e.error;
        cell.className = "error";
        return;
      }
      tr.insertCell().textContent = e.status;
      var counts = Object.keys(e.counts).map(function (k) {
        return e.counts[k] + " " + k.toLowerCase();
      }).join(", ");
      tr.insertCell().textContent = e.trials + (counts ? " (" + counts + ")" : "");
      tr.insertCell().textContent = e.best ? fmt(e.best.value) + " (" + e.objective.name +
        ", trial " + e.best.trial + ")" : (e.frontier ? "hypervolume " +
        fmt(e.frontier.hypervolume) + " (" + e.frontier.points + " Pareto point(s))" : "");
      tr.insertCell().textContent = e.updated_at || "";
    });
    document.getElementById("ax-empty").hidden = data.experiments.length > 0;
  }

  // ------------------------------------------------------------------ experiment page
  var view = null;
  var sortState = { index: 0, descending: false };
  var lastModel = 0;
  var modelPending = false;

  function drawFigure(id, figure, noteId, note) {
    var div = document.getElementById(id);
    if (figure) {
      div.hidden = false;
      Plotly.react(div, figure.data, figure.layout, { displaylogo: false, responsive: true });
    } else {
      div.hidden = true;
      if (div.data) Plotly.purge(div);
    }
    if (noteId) {
      var p = document.getElementById(noteId);
      p.textContent = note || "";
      p.hidden = !note;
    }
  }

  function renderSummary(v) {
    var s = v.summary;
    document.getElementById("ax-title").textContent = "Experiment " + s.name;
    document.title = "Experiment " + s.name;
    document.getElementById("ax-meta").textContent = "Status " + s.status +
      (s.updated_at ? " \u00b7 last change " + s.updated_at : "");
    var dl = document.getElementById("ax-summary");
    clear(dl);
    function item(k, value) { dl.appendChild(el("dt", k)); dl.appendChild(el("dd", value)); }
    if (s.description) item("Description", s.description);
    if (s.objective) {
      item("Objective", s.objective.name + " (" + (s.objective.minimize ? "minimize" : "maximize") + ")");
    }
    if (s.objectives) {
      item("Objectives", s.objectives.map(function (o) {
        return o.name + " (" + (o.minimize ? "minimize" : "maximize") + ")";
      }).join(", "));
    }
    if (s.early_stopping) item("Early stopping", s.early_stopping.replace(/^Early stopping: /, ""));
    if (s.frontier) {
      item("Pareto frontier", s.frontier.points + " point(s), hypervolume " +
        fmt(s.frontier.hypervolume));
    }
    var counts = Object.keys(s.counts).map(function (k) {
      return s.counts[k] + " " + k.toLowerCase();
    }).join(", ");
    item("Trials", s.trials + (counts ? " (" + counts + ")" : ""));
    if (s.best) {
      var params = Object.keys(s.best.parameters).map(function (k) {
        return k + "=" + fmt(s.best.parameters[k]);
      }).join(", ");
      item("Best observed", s.objective.name + " = " + fmt(s.best.value) + " at arm " +
        s.best.arm + " (trial " + s.best.trial + "): " + params);
    }
  }

  function renderStrategy(v) {
    var table = document.getElementById("ax-strategy");
    var note = document.getElementById("ax-strategy-note");
    var meta = document.getElementById("ax-strategy-meta");
    clear(table.tHead); clear(table.tBodies[0]);
    if (!v.strategy) { table.hidden = true; note.hidden = false; meta.textContent = ""; return; }
    table.hidden = false; note.hidden = true;
    var st = v.strategy;
    var current = st.steps[st.current];
    meta.textContent = st.name + ": now at step " + (st.current + 1) + " of " + st.steps.length +
      " (" + current.model + ", " + current.trials + " trial(s) so far)";
    var head = table.tHead.insertRow();
    ["step", "model", "trials", "completed", "target", "min observed", "max parallel", "state"]
      .forEach(function (h) { head.appendChild(el("th", h)); });
    st.steps.forEach(function (step) {
      var tr = table.tBodies[0].insertRow();
      tr.className = step.state;
      [step.index + 1, step.model, step.trials, step.completed,
       step.num_trials === -1 ? "no limit" : step.num_trials, step.min_trials_observed,
       step.max_parallelism === null ? "" : step.max_parallelism, step.state]
        .forEach(function (value) { tr.insertCell().textContent = fmt(value); });
    });
  }

  function isEmpty(v) { return v === null || v === undefined || v === ""; }
  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b), undefined, { numeric: true });
  }

  function renderTrials() {
    var t = view.trials;
    var table = document.getElementById("ax-trials");
    var select = document.getElementById("ax-status-filter");
    var chosen = select.value;
    var statuses = {};
    t.rows.forEach(function (r) { statuses[r[1]] = true; });
    while (select.options.length > 1) select.remove(1);
    Object.keys(statuses).sort().forEach(function (s) {
      var option = el("option", s.toLowerCase()); option.value = s; select.appendChild(option);
    });
    select.value = statuses[chosen] ? chosen : "";
    var filter = select.value;
    var text = document.getElementById("ax-text-filter").value.toLowerCase();
    clear(table.tHead);
    var head = table.tHead.insertRow();
    t.columns.forEach(function (c, i) {
      var th = el("th", c.label);
      th.setAttribute("scope", "col");
      th.dataset.key = c.key;
      th.className = "sortable" + (sortState.index === i ? (sortState.descending ? " desc" : " asc") : "");
      th.setAttribute("aria-sort", sortState.index === i ? (sortState.descending ? "descending" : "ascending") : "none");
      th.addEventListener("click", function () {
        sortState = { index: i, descending: sortState.index === i ? !sortState.descending : false };
        renderTrials();
      });
      head.appendChild(th);
    });
    if (view.actions) head.appendChild(el("th", "actions"));
    var rows = t.rows.filter(function (r) {
      if (filter && r[1] !== filter) return false;
      if (text && r.map(fmt).join(" ").toLowerCase().indexOf(text) < 0) return false;
      return true;
    });
    var k = sortState.index, sign = sortState.descending ? -1 : 1;
    rows.sort(function (a, b) {
      var ae = isEmpty(a[k]), be = isEmpty(b[k]);
      if (ae || be) return ae === be ? a[0] - b[0] : (ae ? 1 : -1);  // empty cells last
      var c = compare(a[k], b[k]);
      return c === 0 ? a[0] - b[0] : sign * c;
    });
    var body = document.createElement("tbody");
    var best = view.summary.best;
    rows.forEach(function (r) {
      var tr = body.insertRow();
      tr.dataset.trial = r[0];
      tr.className = "status-" + String(r[1]).toLowerCase();
      if (best && r[0] === best.trial && r[2] === best.arm) tr.className += " best";
      r.forEach(function (value, i) {
        var cell = tr.insertCell();
        cell.textContent = fmt(value);
        if (typeof value === "number") cell.className = "num";
        if (t.columns[i].key === "reason" && value) cell.className = "reason";
      });
      if (view.actions) tr.appendChild(actionCell(r));
    });
    table.replaceChild(body, table.tBodies[0]);
    document.getElementById("ax-trials-count").textContent =
      rows.length + " of " + t.rows.length + " arm(s)";
  }

  function actionCell(r) {
    var cell = document.createElement("td");
    var terminal = ["COMPLETED", "FAILED", "ABANDONED"].indexOf(r[1]) >= 0;
    if (!terminal) {
      var abandon = el("button", "abandon");
      abandon.addEventListener("click", function () {
        var reason = window.prompt("Abandon trial " + r[0] + ": reason", "");
        if (reason !== null) act({ action: "abandon", trial: r[0], reason: reason });
      });
      cell.appendChild(abandon);
    }
    var note = el("button", "note");
    note.addEventListener("click", function () {
      var text = window.prompt("Note on trial " + r[0], "");
      if (text) act({ action: "note", trial: r[0], text: text });
    });
    cell.appendChild(note);
    return cell;
  }

  function act(body) {
    body.name = config.name;
    api("/api/action", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Ax-CSRF": config.csrf },
      body: JSON.stringify(body)
    }).then(function (result) {
      setLive(result.message, false);
      return refreshExperiment();
    }).catch(function (err) { setLive("action failed: " + err.message, true); });
  }

  function renderExperiment(v) {
    view = v;
    renderSummary(v);
    var f = v.figures, n = v.notes;
    drawFigure("ax-trace", f.trace, "ax-trace-note", n.trace);
    drawFigure("ax-parameters", f.parameters, "ax-parameters-note", n.parameters);
    // Optional views: shown only when the experiment has them.
    ["pareto", "hypervolume", "curves"].forEach(function (key) {
      var present = Object.prototype.hasOwnProperty.call(f, key);
      document.getElementById(key).hidden = !present;
      if (present) {
        var note = document.getElementById("ax-" + key + "-note");
        if (note) drawFigure("ax-" + key, f[key], "ax-" + key + "-note", n[key]);
        else drawFigure("ax-" + key, f[key]);
      }
    });
    renderStrategy(v);
    renderTrials();
  }

  function loadModel() {
    if (modelPending) return;
    modelPending = true;
    lastModel = Date.now();
    api(withQuery("/api/model")).then(function (m) {
      var f = m.figures, n = m.notes;
      document.getElementById("ax-model-meta").textContent = (f.contour || f.slice) ?
        "A GP fitted on " + m.fitted_on + " completed trial(s); refitted at most every 30 s." : "";
      var note = document.getElementById("ax-model-note");
      note.textContent = n.model || n.contour || ""; note.hidden = !note.textContent;
      drawFigure("ax-contour", f.contour);
      drawFigure("ax-slice", f.slice);
      drawFigure("ax-importances", f.importances, "ax-importances-note",
        n.importances || (n.model ? "Needs a model: " + n.model : ""));
    }).catch(function (err) { setLive("model: " + err.message, true); })
      .then(function () { modelPending = false; });
  }

  function withQuery(path) { return path + "?name=" + encodeURIComponent(config.name); }

  function refreshExperiment() {
    return api(withQuery("/api/experiment")).then(function (v) {
      renderExperiment(v);
      setLive("live \u00b7 updated " + stamp(), false);
      if (Date.now() - lastModel > MODEL_REFRESH_MS) loadModel();
    });
  }

  if (config.page === "list") {
    renderList(initial);
    setLive("live", false);
    poll("/api/marker", initial.marker, function () {
      return api("/api/experiments").then(renderList);
    });
  } else if (config.page === "experiment") {
    document.getElementById("ax-status-filter").addEventListener("change", renderTrials);
    document.getElementById("ax-text-filter").addEventListener("input", renderTrials);
    renderExperiment(initial);
    setLive("live", false);
    loadModel();
    poll(withQuery("/api/marker"), initial.marker, refreshExperiment);
  }
})();
