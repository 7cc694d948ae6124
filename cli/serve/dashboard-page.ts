/**
 * `floe serve`'s dashboard: one self-contained page (no CDN: the machines may have no internet) that polls
 * `/api/status` every 2 s and redraws in place. Charts use uPlot from `/vendor/` (node_modules); without it
 * they are drawn as SVG polylines. The script is plain ES2017 with no template literals, so this file can
 * hold it in one TypeScript string.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>floe serve</title>
<link rel="stylesheet" href="/vendor/uPlot.min.css">
<style>
  :root { --ok: #1a7f37; --warn: #b35900; --bad: #c62828; --muted: #666; --bg: #f6f8fa; }
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: var(--bg); color: #222; }
  header { display: flex; align-items: center; gap: 16px; padding: 12px 20px; background: #fff; border-bottom: 1px solid #ddd; }
  header h1 { font-size: 18px; margin: 0; }
  .pill { padding: 3px 10px; border-radius: 12px; color: #fff; font-weight: 600; }
  .busy { background: #1f6feb; }
  .ok { background: var(--ok); } .warn { background: var(--warn); } .bad { background: var(--bad); }
  main { padding: 16px 20px; display: grid; gap: 16px; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); }
  section { background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 12px 16px; min-width: 0; overflow-wrap: anywhere; }
  section h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin: 0 0 8px; }
  .big { font-size: 34px; font-weight: 700; font-variant-numeric: tabular-nums; }
  .unit { font-size: 14px; color: var(--muted); font-weight: 400; }
  table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
  td, th { text-align: left; padding: 4px 6px; border-bottom: 1px solid #eee; }
  th { color: var(--muted); font-weight: 500; }
  .chart { height: 140px; }
  .wide { grid-column: 1 / -1; }
  .alert { padding: 6px 10px; border-radius: 6px; margin-bottom: 6px; color: #fff; }
  .muted { color: var(--muted); }
</style>
</head>
<body>
<header>
  <h1>floe serve</h1>
  <span id="ready" class="pill warn">…</span>
  <span id="updated" class="muted"></span>
</header>
<main>
  <section><h2>Events in</h2><div class="big"><span id="in">–</span> <span class="unit">/s, last 30 s</span></div><div id="chart-in" class="chart"></div></section>
  <section><h2>Events out (raw files)</h2><div class="big"><span id="out">–</span> <span class="unit">/s, last 30 s</span></div><div id="chart-out" class="chart"></div></section>
  <section><h2>Consumer lag</h2><div class="big"><span id="lag">–</span> <span class="unit">messages</span></div><div id="chart-lag" class="chart"></div></section>
  <section><h2>Alerts</h2><div id="alerts"></div></section>
  <section class="wide"><h2>Event→mart SLO <span id="slo-goal" class="muted"></span></h2><table><thead><tr><th>mart</th><th>p50 <span id="slo-qwin"></span></th><th>p99</th><th>max</th><th>events</th><th>compliance</th><th>error budget left</th><th>burn rate (long / short window)</th></tr></thead><tbody id="slo"></tbody></table></section>
  <section class="wide"><h2>Models</h2><table><thead><tr><th>model</th><th>status</th><th>last build</th><th>duration</th><th>freshness</th></tr></thead><tbody id="models"></tbody></table></section>
  <section><h2>Children</h2><table><thead><tr><th>child</th><th>state</th><th>restarts</th><th>last error</th></tr></thead><tbody id="children"></tbody></table><p id="api" class="muted"></p></section>
  <section><h2>Builds</h2><div class="big"><span id="builds">–</span> <span class="unit">total</span></div><div id="building"></div><div id="last-build" class="muted"></div></section>
  <section><h2>Maintenance</h2><table><thead><tr><th>at</th><th>status</th><th>tables</th><th>files</th><th>took</th></tr></thead><tbody id="maintenance"></tbody></table></section>
</main>
<script src="/vendor/uPlot.iife.min.js"></script>
<script>
(function () {
  var charts = {};
  function el(id) { return document.getElementById(id); }
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; }); }
  // The headline rates are the mean of the last 15 samples (30 s): one 2 s sample jumps with each file
  // the sink rolls, so a steady 100 events/s would otherwise read 19 one poll and 186 the next.
  function recent(series, column) {
    var last = series.slice(-15), total = 0;
    last.forEach(function (p) { total += p[column]; });
    return last.length === 0 ? 0 : total / last.length;
  }
  function fmt(n) {
    if (n < 1000) return String(Math.round(n * 10) / 10);
    var k = (n / 1000).toFixed(1);
    return (k.slice(-2) === ".0" ? k.slice(0, -2) : k) + "k";
  }
  function age(s) { if (s == null) return "–"; if (s < 120) return Math.round(s) + " s"; if (s < 7200) return Math.round(s / 60) + " min"; return (s / 3600).toFixed(1) + " h"; }
  function cls(state) { return state === "running" || state === "success" ? "ok" : state === "degraded" || state === "starting" || state === "stopping" ? "warn" : "bad"; }
  function pct(x) { return x == null ? "–" : (Math.round(x * 10000) / 100) + " %"; }
  function lat(s) { return s == null ? "–" : s < 600 ? Math.round(s) + " s" : (s / 60).toFixed(1) + " min"; }
  function budgetCls(b) { return b > 0.5 ? "ok" : b > 0 ? "warn" : "bad"; }
  function renderSlo(slo) {
    if (!slo) { el("slo-goal").textContent = ""; el("slo").innerHTML = '<tr><td colspan="8" class="muted">no mart declares meta.slo</td></tr>'; return; }
    el("slo-goal").textContent = "· " + pct(slo.target) + " of events within " + age(slo.thresholdSeconds) + ", over " + slo.window;
    el("slo-qwin").textContent = "(" + slo.quantileWindow + ")";
    el("slo").innerHTML = slo.marts.map(function (m) {
      var burn = m.burn.map(function (b) {
        return '<span class="' + (b.firing ? "pill bad" : "") + '" title="' + esc(b.rule) + " at " + b.factor + '×">' + b.burnLong + " / " + b.burnShort + "× (" + esc(b.longWindow) + "/" + esc(b.shortWindow) + ")</span>"; }).join(" · ");
      return "<tr><td>" + esc(m.mart) + "</td><td><b>" + lat(m.p50Seconds) + "</b></td><td><b>" + lat(m.p99Seconds) + "</b></td><td>" + lat(m.maxSeconds) +
        "</td><td>" + fmt(m.events) + "</td><td>" + pct(m.compliance) + '</td><td><span class="pill ' + budgetCls(m.budgetRemaining) + '">' + pct(m.budgetRemaining) +
        "</span></td><td>" + burn + "</td></tr>"; }).join("");
  }
  function time(iso) { return new Date(iso).toLocaleTimeString(); }

  function svgChart(id, xs, ys, colour) {
    var box = el(id), w = box.clientWidth || 300, h = 140;
    if (xs.length < 2) { box.innerHTML = '<div class="muted">collecting…</div>'; return; }
    var x0 = xs[0], x1 = xs[xs.length - 1], max = Math.max.apply(null, ys.concat([1]));
    var pts = xs.map(function (x, i) { return ((x - x0) / (x1 - x0 || 1) * (w - 4) + 2).toFixed(1) + "," + (h - 4 - ys[i] / max * (h - 8)).toFixed(1); }).join(" ");
    box.innerHTML = '<svg width="' + w + '" height="' + h + '"><polyline fill="none" stroke="' + colour + '" stroke-width="2" points="' + pts + '"/>' +
      '<text x="4" y="12" font-size="11" fill="#666">max ' + fmt(max) + '</text></svg>';
  }
  function chart(id, xs, ys, colour) {
    if (!window.uPlot) return svgChart(id, xs, ys, colour);
    var box = el(id);
    if (!charts[id]) {
      box.innerHTML = "";
      charts[id] = new window.uPlot({ width: box.clientWidth || 300, height: 140, legend: { show: false },
        series: [{}, { stroke: colour, width: 2, fill: colour + "22" }], axes: [{}, { size: 50 }] }, [xs, ys], box);
    } else {
      charts[id].setData([xs, ys]);
    }
  }

  function render(s) {
    var ready = el("ready");
    ready.textContent = s.phase !== "running" ? s.phase : s.ready ? "ready" : "not ready";
    ready.className = "pill " + (s.ready ? "ok" : s.phase !== "running" ? "warn" : "bad");
    ready.title = s.notReady.join("\\n");
    el("updated").textContent = "updated " + time(s.now);
    el("in").textContent = fmt(recent(s.throughput.series, 1));
    el("out").textContent = fmt(recent(s.throughput.series, 2));
    el("lag").textContent = fmt(s.throughput.lag);
    var xs = s.throughput.series.map(function (p) { return p[0]; });
    chart("chart-in", xs, s.throughput.series.map(function (p) { return p[1]; }), "#1f6feb");
    chart("chart-out", xs, s.throughput.series.map(function (p) { return p[2]; }), "#1a7f37");
    chart("chart-lag", xs, s.throughput.series.map(function (p) { return p[3]; }), "#b35900");
    el("alerts").innerHTML = s.alerts.length === 0 ? '<div class="alert ok">no alerts</div>' : s.alerts.map(function (a) {
      return '<div class="alert ' + (a.severity === "critical" ? "bad" : "warn") + '">' + esc(a.message) + "</div>"; }).join("");
    el("models").innerHTML = s.models.length === 0 ? '<tr><td colspan="5" class="muted">no build yet</td></tr>' : s.models.map(function (m) {
      return "<tr><td>" + esc(m.name) + '</td><td><span class="pill ' + cls(m.status) + '">' + esc(m.status) + "</span></td><td>" + time(m.lastBuildAt) +
        "</td><td>" + m.durationSeconds.toFixed(1) + " s</td><td><b>" + age(m.freshnessSeconds) + "</b></td></tr>"; }).join("");
    el("children").innerHTML = s.children.map(function (c) {
      return "<tr><td>" + esc(c.name) + '</td><td><span class="pill ' + cls(c.state) + '">' + esc(c.state) + "</span></td><td>" + c.restarts +
        "</td><td>" + esc(c.degradedReason || c.lastError || "") + "</td></tr>"; }).join("");
    renderSlo(s.slo);
    el("api").textContent = s.api ? "ingestion API on " + s.api.url + " (POST /v1/events): " + s.api.pending + " events spooled for Kafka" : "";
    el("builds").textContent = s.builds.total;
    el("building").innerHTML = s.builds.runningSeconds == null ? "" : '<span class="pill busy">building</span> for ' + age(s.builds.runningSeconds);
    var last = s.builds.last;
    el("last-build").innerHTML = last ? 'last: <span class="pill ' + cls(last.status) + '">' + esc(last.status) + "</span> " + time(new Date(last.finishedAt).toISOString()) +
      ", " + last.durationSeconds + " s" + (last.error ? " — " + esc(last.error) : "") : "no build yet";
    el("maintenance").innerHTML = s.maintenance.length === 0 ? '<tr><td colspan="5" class="muted">none yet</td></tr>' : s.maintenance.map(function (m) {
      return "<tr><td>" + time(m.at) + '</td><td><span class="pill ' + cls(m.status) + '">' + esc(m.status) + "</span></td><td>" + m.tables +
        "</td><td>" + m.filesBefore + " → " + m.filesAfter + (m.rawPartitionsDeleted ? ", raw partitions −" + m.rawPartitionsDeleted : "") + "</td><td>" + m.durationSeconds + " s</td></tr>"; }).join("");
  }

  function poll() {
    fetch("/api/status", { cache: "no-store" }).then(function (r) { return r.json(); }).then(render).catch(function (e) {
      var ready = el("ready"); ready.textContent = "unreachable"; ready.className = "pill bad"; ready.title = String(e);
    }).then(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
</script>
</body>
</html>
`;
