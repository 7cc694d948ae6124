/**
 * The docs page's own script (plain ES2019, no libraries, no network): reads the embedded JSON, lists
 * resources by folder, searches names, descriptions and column names, shows one resource in detail (its
 * description as Markdown, its template beside its compiled SQL), and draws the lineage graph as SVG from
 * the precomputed layout. Text goes in through textContent; the one exception is the descriptions' HTML,
 * which site.ts rendered with renderMarkdown (every description's own markup escaped first).
 * Kept free of backticks and template placeholders because it lives inside a template string.
 */
export const SITE_SCRIPT = String.raw`
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("floe-data").textContent);
  var manifest = data.manifest, catalog = data.catalog, compiled = data.compiled, layout = data.layout;
  var templates = data.templates || {}, descriptions = data.descriptions || {};
  var SVG = "http://www.w3.org/2000/svg";
  var all = {};
  Object.keys(manifest.nodes).forEach(function (id) { all[id] = manifest.nodes[id]; });
  Object.keys(manifest.sources).forEach(function (id) { all[id] = manifest.sources[id]; });

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "onclick") e.addEventListener("click", attrs[k]);
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function catalogEntry(id) { return (catalog.nodes && catalog.nodes[id]) || (catalog.sources && catalog.sources[id]); }
  function relationName(n) { return n.relation ? [n.relation.catalog, n.relation.schema, n.relation.identifier].join(".") : ""; }
  function kind(n) {
    if (n.resource_type === "model") return (n.config && n.config.materialized || "model") + " model";
    return n.resource_type;
  }
  function link(id) {
    var n = all[id];
    return el("a", { href: "#node=" + encodeURIComponent(id), text: n ? n.name : id, "class": "ref" });
  }

  // ---- sidebar -------------------------------------------------------------------------------------------
  var groups = [["source", "Sources"], ["seed", "Seeds"], ["model", "Models"], ["test", "Tests"]];
  var list = document.getElementById("list");
  var search = document.getElementById("search");
  /** Every column name a node has: documented in yml, or in the catalog. */
  function columnNames(id) {
    var n = all[id], names = Object.keys(n.columns || {}), entry = catalogEntry(id);
    if (entry) Object.keys(entry.columns || {}).forEach(function (c) { if (names.indexOf(c) < 0) names.push(c); });
    return names;
  }
  /** The sidebar's sub-group: a source's source name, a model's or seed's folder; tests are not grouped. */
  function folderOf(n) {
    if (n.resource_type === "source") return n.source_name || "";
    if (n.resource_type === "test") return "";
    var parts = (n.original_file_path || "").split("/");
    return parts.slice(1, -1).join("/");
  }
  /** null: no match; else the matching column names (empty when the name or description matched). */
  function matches(id, q) {
    var n = all[id];
    if (q === "" || n.name.toLowerCase().indexOf(q) >= 0 || (n.description || "").toLowerCase().indexOf(q) >= 0) return [];
    var cols = columnNames(id).filter(function (c) { return c.toLowerCase().indexOf(q) >= 0; });
    return cols.length ? cols : null;
  }
  function renderList() {
    var q = search.value.trim().toLowerCase();
    list.textContent = "";
    groups.forEach(function (g) {
      var found = {};
      var ids = Object.keys(all).filter(function (id) {
        if (all[id].resource_type !== g[0]) return false;
        var m = matches(id, q);
        if (m) found[id] = m;
        return m !== null;
      }).sort(function (a, b) {
        var fa = folderOf(all[a]), fb = folderOf(all[b]);
        return fa === fb ? all[a].name.localeCompare(all[b].name) : fa.localeCompare(fb);
      });
      if (ids.length === 0) return;
      list.appendChild(el("h3", { text: g[1] + " (" + ids.length + ")" }));
      var ul = null, folder = null;
      ids.forEach(function (id) {
        var f = folderOf(all[id]);
        if (ul === null || f !== folder) {
          if (f !== "") list.appendChild(el("h4", { "class": "folder", text: f }));
          ul = el("ul");
          list.appendChild(ul);
          folder = f;
        }
        var li = el("li", { "data-id": id }, [link(id)]);
        if (found[id].length) li.appendChild(el("span", { "class": "match", text: "column " + found[id].join(", ") }));
        if (id === current) li.className = "current";
        ul.appendChild(li);
      });
    });
  }
  search.addEventListener("input", renderList);

  // ---- detail pane ---------------------------------------------------------------------------------------
  var detail = document.getElementById("detail");
  var current = null;
  function section(title, body) { return el("section", null, [el("h3", { text: title }), body]); }
  /** An element holding a description's HTML (from site.ts's renderMarkdown), or a plain fallback text. */
  function markdown(tag, html, fallback) {
    var e = el(tag, { "class": "md" });
    if (html) e.innerHTML = html; else e.textContent = fallback;
    return e;
  }
  function columnsTable(n, entry) {
    var names = [];
    var seen = {};
    function add(name) { var k = name.toLowerCase(); if (!seen[k]) { seen[k] = true; names.push(name); } }
    if (entry) Object.keys(entry.columns).sort(function (a, b) { return entry.columns[a].index - entry.columns[b].index; }).forEach(add);
    Object.keys(n.columns || {}).forEach(add);
    if (names.length === 0) return el("p", { "class": "muted", text: "No columns known (not built, and none documented)." });
    var testsByColumn = {};
    (manifest.child_map[n.unique_id] || []).forEach(function (t) {
      var test = manifest.nodes[t];
      if (test && test.resource_type === "test" && test.column_name) {
        var k = test.column_name.toLowerCase();
        (testsByColumn[k] = testsByColumn[k] || []).push(test.test_metadata ? test.test_metadata.name : test.name);
      }
    });
    var yml = {};
    Object.keys(n.columns || {}).forEach(function (c) { yml[c.toLowerCase()] = n.columns[c]; });
    var rows = names.map(function (name) {
      var k = name.toLowerCase();
      var cat = entry && Object.keys(entry.columns).filter(function (c) { return c.toLowerCase() === k; })[0];
      var c = cat ? entry.columns[cat] : null;
      var doc = yml[k];
      var type = c ? c.type : (doc && doc.data_type) ? doc.data_type + " (documented)" : "";
      return el("tr", null, [
        el("td", { text: c ? String(c.index) : "" }),
        el("td", { "class": "mono", text: name }),
        el("td", { "class": "mono", text: type }),
        markdown("td", descriptions[n.unique_id] && descriptions[n.unique_id].columns && descriptions[n.unique_id].columns[k], ""),
        el("td", { text: (testsByColumn[k] || []).join(", ") }),
      ]);
    });
    return el("table", null, [el("thead", null, [el("tr", null, ["#", "Column", "Type", "Description", "Tests"].map(function (h) { return el("th", { text: h }); }))]), el("tbody", null, rows)]);
  }
  function idList(ids) {
    if (ids.length === 0) return el("p", { "class": "muted", text: "none" });
    return el("ul", { "class": "refs" }, ids.map(function (id) { return el("li", null, [link(id), " ", el("span", { "class": "muted", text: all[id] ? kind(all[id]) : "" })]); }));
  }
  function show(id) {
    var n = all[id];
    current = id;
    detail.textContent = "";
    renderList();
    highlight(id);
    if (!n) { detail.appendChild(el("p", { text: "Unknown node " + id })); return; }
    detail.appendChild(el("h2", null, [n.name + " ", el("span", { "class": "badge " + n.resource_type, text: kind(n) })]));
    var facts = el("dl");
    function fact(k, v) { if (v) { facts.appendChild(el("dt", { text: k })); facts.appendChild(el("dd", { "class": "mono", text: v })); } }
    fact("unique id", n.unique_id);
    fact("file", n.original_file_path);
    fact("relation", n.resource_type === "test" || (n.config && n.config.materialized === "ephemeral") ? "" : relationName(n));
    if (n.resource_type === "source") { fact("loaded_at_field", n.loaded_at_field); fact("freshness", n.freshness ? JSON.stringify(n.freshness) : ""); }
    if (n.tags && n.tags.length) fact("tags", n.tags.join(", "));
    detail.appendChild(facts);
    var entry = catalogEntry(id);
    if (n.resource_type !== "test" && !(n.config && n.config.materialized === "ephemeral")) {
      if (entry) {
        var stats = Object.keys(entry.stats || {}).filter(function (k) { return entry.stats[k].include; })
          .map(function (k) { return entry.stats[k].label + ": " + Number(entry.stats[k].value).toLocaleString("en-US"); });
        detail.appendChild(el("p", { "class": "built", text: entry.metadata.type + " in the catalog" + (stats.length ? " — " + stats.join(", ") : "") }));
      } else {
        detail.appendChild(el("p", { "class": "missing", text: data.emptyCatalog ? "Catalog not generated (--empty-catalog)." : ({ source: "Not found: the source table does not exist (not loaded yet?) or could not be read.", seed: "Not loaded yet: run floe seed." }[n.resource_type] || "Not built yet: the relation does not exist in the warehouse (or could not be read).") }));
      }
    }
    detail.appendChild(section("Description", markdown("div", descriptions[id] && descriptions[id].description, "(no description)")));
    if (n.resource_type !== "test") detail.appendChild(section("Columns", columnsTable(n, entry)));
    if (n.resource_type === "test") {
      var facts2 = el("dl");
      if (n.test_metadata) { facts2.appendChild(el("dt", { text: "test" })); facts2.appendChild(el("dd", { "class": "mono", text: n.test_metadata.name + " " + JSON.stringify(n.test_metadata.kwargs) })); }
      facts2.appendChild(el("dt", { text: "severity" })); facts2.appendChild(el("dd", { text: n.config.severity }));
      if (n.attached_node) { facts2.appendChild(el("dt", { text: "tests" })); facts2.appendChild(el("dd", null, [link(n.attached_node)])); }
      detail.appendChild(section("Test", facts2));
    }
    var parents = manifest.parent_map[id] || [];
    var children = (manifest.child_map[id] || []).filter(function (c) { return !manifest.nodes[c] || manifest.nodes[c].resource_type !== "test"; });
    var tests = (manifest.child_map[id] || []).filter(function (c) { return manifest.nodes[c] && manifest.nodes[c].resource_type === "test"; });
    detail.appendChild(section("Depends on", idList(parents)));
    if (n.resource_type !== "test") detail.appendChild(section("Referenced by", idList(children)));
    if (tests.length) detail.appendChild(section("Tests", idList(tests)));
    if (templates[id] !== undefined || compiled[id] !== undefined) {
      // The template the user edits beside what it compiled to, so a {{ref}} or a macro reads off directly.
      detail.appendChild(section("SQL", el("div", { "class": "sql-pair" }, [
        el("div", null, [el("h4", { text: "Template (" + n.original_file_path + ")" }), el("pre", { "class": "sql template", text: templates[id] !== undefined ? templates[id] : "(not available)" })]),
        el("div", null, [el("h4", { text: "Compiled SQL" }), el("pre", { "class": "sql compiled", text: compiled[id] !== undefined ? compiled[id] : "(not compiled: --no-compile)" })]),
      ])));
    }
  }

  // ---- lineage graph -------------------------------------------------------------------------------------
  // Up to FOCUS_LIMIT nodes the whole graph is drawn and a selection dims the rest; a bigger project
  // draws the selected node's lineage (nearest first, at most FOCUS_LIMIT nodes), laid out here by the
  // same layeredLayout that laid out the whole graph (its source is embedded before this script).
  var FOCUS_LIMIT = 150;
  var graph = document.getElementById("graph");
  var note = document.getElementById("graph-note");
  var info = {};
  var names = {};
  layout.nodes.forEach(function (n) { info[n.id] = n; names[n.id] = n.name; });
  var whole = layout.nodes.length <= FOCUS_LIMIT;
  var drawnFor = null;
  var shapes = {};
  var centres = {};
  var edgePaths = [];
  function draw(l) {
    graph.textContent = "";
    shapes = {};
    centres = {};
    edgePaths = [];
    var root = svg("svg", { width: l.width, height: l.height, viewBox: "0 0 " + l.width + " " + l.height });
    var w = l.nodeWidth, h = l.nodeHeight;
    l.edges.forEach(function (e) {
      var a = l.nodes[e[0]], b = l.nodes[e[1]];
      var x1 = a.x + w, y1 = a.y + h / 2, x2 = b.x, y2 = b.y + h / 2, mx = (x1 + x2) / 2;
      var p = svg("path", { d: "M" + x1 + "," + y1 + " C" + mx + "," + y1 + " " + mx + "," + y2 + " " + x2 + "," + y2, "class": "edge" });
      edgePaths.push({ from: a.id, to: b.id, el: p });
      root.appendChild(p);
    });
    l.nodes.forEach(function (n) {
      var name = info[n.id].name, type = info[n.id].type;
      var g = svg("g", { "class": "node " + type, transform: "translate(" + n.x + "," + n.y + ")" });
      g.appendChild(svg("rect", { width: w, height: h, rx: 5 }));
      var label = svg("text", { x: 8, y: h / 2 + 4 });
      label.textContent = name.length > 24 ? name.slice(0, 23) + "\u2026" : name;
      var title = svg("title");
      title.textContent = name + " (" + type + ")";
      g.appendChild(title);
      g.appendChild(label);
      g.addEventListener("click", function () { location.hash = "node=" + encodeURIComponent(n.id); });
      shapes[n.id] = g;
      centres[n.id] = { x: n.x + w / 2, y: n.y + h / 2 };
      root.appendChild(g);
    });
    graph.appendChild(root);
  }
  /** The focus node's nearest ancestors and descendants (breadth first), at most FOCUS_LIMIT in all. */
  function focusLayout(focus) {
    var keep = {}; keep[focus] = true;
    var count = 1;
    [[manifest.parent_map, FOCUS_LIMIT / 2], [manifest.child_map, FOCUS_LIMIT]].forEach(function (walk) {
      var queue = [focus];
      while (queue.length && count < walk[1]) {
        var x = queue.shift();
        (walk[0][x] || []).forEach(function (y) {
          if (!keep[y] && info[y] && count < walk[1]) { keep[y] = true; count++; queue.push(y); }
        });
      }
    });
    // layout.nodes is in column order, so parents come before children: a topological order.
    var ids = layout.nodes.map(function (n) { return n.id; }).filter(function (id) { return keep[id]; });
    return layeredLayout({ ids: ids, parents: manifest.parent_map, names: names });
  }
  function drawAll() {
    whole = true;
    draw(layout);
    drawnFor = "*";
    note.textContent = layout.nodes.length + " models, seeds and sources; click a box to open it.";
  }
  function drawFor(focus) {
    if (whole) { if (drawnFor !== "*") drawAll(); return; }
    if (focus && info[focus]) {
      if (drawnFor === focus) return;
      var l = focusLayout(focus);
      draw(l);
      drawnFor = focus;
      note.textContent = "Lineage of " + info[focus].name + ": " + l.nodes.length + " of " + layout.nodes.length + " nodes (nearest first). ";
      note.appendChild(el("a", { href: "#", "class": "ref", text: "Draw the whole graph", onclick: function (e) { e.preventDefault(); drawAll(); highlight(current); } }));
    } else if (drawnFor === null) {
      note.textContent = layout.nodes.length + " nodes: pick a resource to draw its lineage. ";
      note.appendChild(el("a", { href: "#", "class": "ref", text: "Draw the whole graph", onclick: function (e) { e.preventDefault(); drawAll(); highlight(current); } }));
    }
  }
  function lineageOf(id) {
    var keep = {}; keep[id] = true;
    function walk(start, map) {
      var stack = [start];
      while (stack.length) { var x = stack.pop(); (map[x] || []).forEach(function (y) { if (!keep[y]) { keep[y] = true; stack.push(y); } }); }
    }
    walk(id, manifest.parent_map); walk(id, manifest.child_map);
    return keep;
  }
  function highlight(id) {
    var node = all[id];
    var focus = node && node.resource_type === "test" && node.attached_node ? node.attached_node : id;
    drawFor(focus);
    var keep = focus ? lineageOf(focus) : null;
    Object.keys(shapes).forEach(function (k) {
      var cls = shapes[k].getAttribute("class").replace(/ (dim|selected)/g, "");
      if (keep && !keep[k]) cls += " dim";
      if (k === focus) cls += " selected";
      shapes[k].setAttribute("class", cls);
    });
    edgePaths.forEach(function (e) { e.el.setAttribute("class", keep && !(keep[e.from] && keep[e.to]) ? "edge dim" : "edge"); });
    // Centre the focus in the graph's own scroll box (scrollIntoView would also scroll the page).
    var at = centres[focus];
    if (at) {
      graph.scrollLeft = Math.max(0, at.x - graph.clientWidth / 2);
      graph.scrollTop = Math.max(0, at.y - graph.clientHeight / 2);
    }
  }

  function route() {
    var m = /node=([^&]+)/.exec(location.hash);
    if (m) show(decodeURIComponent(m[1]));
    else { detail.textContent = ""; detail.appendChild(el("p", { "class": "muted", text: "Pick a resource on the left or a box in the lineage graph." })); renderList(); highlight(null); }
  }
  document.getElementById("summary").textContent = data.summary;
  window.addEventListener("hashchange", route);
  route();
})();
`;
