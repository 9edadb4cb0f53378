/* The concept map of `kg viz --view concepts` (inlined into one offline HTML page by kg/viz.py): role
 * families, roles, portfolios and products at positions computed in Python, links labelled as in RDF.
 * Data reaches the page only as JSON and through textContent: no label is ever markup. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("kg-data").textContent);
  var meta = D.meta;
  function fold(s) { return String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim(); }
  function tooltip(k) {
    var box = document.createElement("div");
    box.className = "kg-tip";
    meta[k].tip.forEach(function (row) {
      var line = document.createElement("div");
      if (row[0]) { var b = document.createElement("b"); b.textContent = row[0] + ": "; line.appendChild(b); }
      else { line.className = "head"; }
      line.appendChild(document.createTextNode(row[1]));
      box.appendChild(line);
    });
    return box;
  }
  var nodes = new vis.DataSet(D.nodes.map(function (n) { return Object.assign({}, n, {title: tooltip(n.id)}); }));
  var edges = new vis.DataSet(D.edges);
  var network = new vis.Network(document.getElementById("kg-chart"), {nodes: nodes, edges: edges}, D.options);

  var legend = document.getElementById("kg-legend");
  D.legend.forEach(function (pair) {
    var item = document.createElement("span"), sw = document.createElement("span");
    sw.className = "sw"; sw.style.background = pair[1];
    item.appendChild(sw); item.appendChild(document.createTextNode(pair[0])); legend.appendChild(item);
  });

  var status = document.getElementById("kg-status");
  function search(text) {
    var q = fold(text), hit = null;
    if (!q) return null;
    D.nodes.forEach(function (n) { if (!hit && fold(meta[n.id].name).indexOf(q) >= 0) hit = n.id; });
    if (!hit) { status.textContent = "Nothing matches \u201c" + text + "\u201d"; return null; }
    network.selectNodes([hit].concat(network.getConnectedNodes(hit)));
    network.focus(hit, {scale: 1.0, animation: false});
    status.textContent = "Found " + meta[hit].name;
    return hit;
  }
  document.getElementById("kg-search").addEventListener("submit", function (ev) {
    ev.preventDefault(); search(document.getElementById("kg-query").value);
  });
  network.on("click", function (p) {
    if (p.nodes.length) network.selectNodes([p.nodes[0]].concat(network.getConnectedNodes(p.nodes[0])));
  });
  var api = {network: network, nodes: nodes, edges: edges, data: D, search: search, drawn: false};
  network.once("afterDrawing", function () { api.drawn = true; api.drawnAt = performance.now(); });
  window.kgChart = api;
})();
