/* The interactive org chart of `kg viz` (inlined into one offline HTML page by kg/viz.py).
 *
 * Positions come from kg/layout.py: the page opens with the positions Python computed, and when a team is
 * folded or unfolded the same algorithm runs here (a line-by-line port of kg.layout's placement: tidy tree
 * of Walker/Buchheim, compact leaf grids, assistants beside their manager, elbow connectors, dotted lines).
 * Card text was wrapped and measured in Python; this file never measures text to place anything.
 * Data reaches the page only as JSON and the canvas: no name or title is ever markup.
 */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("kg-data").textContent);
  var C = D.cards, S = D.style, n = C.p.length;
  var KIDS = [];
  for (var i = 0; i < n; i++) KIDS.push([]);
  for (i = 0; i < n; i++) if (C.p[i] >= 0) KIDS[C.p[i]].push(i);
  var open = new Uint8Array(n);
  D.open.forEach(function (k) { open[k] = 1; });

  function pyRound(x) {  // Python's round(): halves to even
    var r = Math.round(x);
    if (Math.abs(x % 1) === 0.5 && r % 2 !== 0) r -= 1;
    return r;
  }
  function cardH(i) { return C.h[i] + (KIDS[i].length || C.x[i] ? S.badge : 0); }
  function visKids(i) { return open[i] ? KIDS[i] : []; }

  // -- the layout (kg.layout._place, _buchheim and _links) ------------------------------------------------
  function layout() {
    var visible = new Uint8Array(n), stack = [], roots = [];
    for (var i = 0; i < n; i++) if (C.p[i] < 0) { roots.push(i); stack.push(i); }
    var maxH = 0;
    while (stack.length) {
      var v = stack.pop();
      visible[v] = 1;
      if (cardH(v) > maxH) maxH = cardH(v);
      if (open[v]) for (var j = 0; j < KIDS[v].length; j++) stack.push(KIDS[v][j]);
    }
    var pitch = maxH + S.vgap;
    var tW = [0], tCard = [-1], tKids = [[]], tParent = [-1], tDepth = [-1];
    var grids = [], assistants = [];
    function add(card, width, par) {
      var t = tW.length;
      tW.push(width); tCard.push(card); tKids.push([]); tParent.push(par); tDepth.push(tDepth[par] + 1);
      tKids[par].push(t);
      return t;
    }
    function grid(t, card, members) {
      var cellW = 0, cellH = 0;
      members.forEach(function (c) { cellW = Math.max(cellW, C.w[c]); cellH = Math.max(cellH, cardH(c)); });
      var colPitch = S.indent + cellW + S.col_gap, rowPitch = cellH + S.row_gap, count = members.length;
      var cols = Math.max(1, Math.min(count, pyRound(Math.sqrt(count * rowPitch * S.grid_aspect / colPitch))));
      var rows = Math.ceil(count / cols);
      var width = cols * colPitch - S.col_gap, height = rows * rowPitch - S.row_gap;
      var span = Math.max(1, Math.ceil(height / pitch));
      var head = add(-1, width, t), prev = head;
      for (var s = 0; s < span - 1; s++) prev = add(-1, width, prev);
      grids.push({head: head, card: card, members: members, cols: cols, cellW: cellW, colPitch: colPitch,
                  rowPitch: rowPitch});
    }
    function expand(t, card, children) {
      var todo = [], helpers = [];
      if (card >= 0) helpers = children.filter(function (c) { return C.a[c] && !visKids(c).length; });
      var rest = children;
      if (helpers.length) {
        assistants.push([card, helpers]);
        var right = 0, left = 0;
        helpers.forEach(function (c, j) { if (j % 2 === 0) right += C.w[c] + S.hgap; else left += C.w[c] + S.hgap; });
        tW[t] += 2 * Math.max(left, right);
        var isHelper = {};
        helpers.forEach(function (c) { isHelper[c] = true; });
        rest = children.filter(function (c) { return !isHelper[c]; });
      }
      var leaves = rest.filter(function (c) { return !visKids(c).length; });
      if (leaves.length >= 2) {
        grid(t, card, leaves);
        rest = rest.filter(function (c) { return visKids(c).length; });
      }
      rest.forEach(function (c) { todo.push([add(c, C.w[c], t), c]); });
      return todo;
    }
    var work = expand(0, -1, roots);
    while (work.length) {
      var item = work.pop();
      var more = expand(item[0], item[1], visKids(item[1]));
      for (var m = 0; m < more.length; m++) work.push(more[m]);
    }
    var x = buchheim(tKids, tParent, tW, S.hgap);
    var left = Infinity;
    for (var t = 1; t < x.length; t++) left = Math.min(left, x[t] - tW[t] / 2);
    if (left === Infinity) left = 0;
    var bx = new Float64Array(n), by = new Float64Array(n), bw = new Float64Array(n), bh = new Float64Array(n);
    var place = new Uint8Array(n);  // 0 hidden, 1 tree, 2 grid, 3 assistant
    var spineX = {}, spineTop = {};
    for (t = 1; t < x.length; t++) {
      var c = tCard[t];
      if (c >= 0) {
        bx[c] = x[t] - left - C.w[c] / 2; by[c] = tDepth[t] * pitch; bw[c] = C.w[c]; bh[c] = cardH(c);
        place[c] = 1;
      }
    }
    grids.forEach(function (g) {
      var gx = x[g.head] - left - tW[g.head] / 2 + S.indent, gy = tDepth[g.head] * pitch;
      g.members.forEach(function (c, j) {
        bx[c] = gx + (j % g.cols) * g.colPitch; by[c] = gy + Math.floor(j / g.cols) * g.rowPitch;
        bw[c] = g.cellW; bh[c] = cardH(c); place[c] = 2;
        spineX[c] = bx[c] - S.indent / 2; spineTop[c] = gy;
      });
    });
    assistants.forEach(function (pair) {
      var card = pair[0], right = bx[card] + bw[card] + S.hgap, lx = bx[card] - S.hgap;
      pair[1].forEach(function (c, j) {
        var w = C.w[c];
        if (j % 2 === 0) { bx[c] = right; right = right + w + S.hgap; }
        else { bx[c] = lx - w; lx = lx - w - S.hgap; }
        by[c] = by[card]; bw[c] = w; bh[c] = cardH(c); place[c] = 3;
      });
    });
    var links = [], half = S.vgap / 2, quarter = S.vgap / 4;
    var nameMid = S.pad + S.name_size * S.line / 2;
    for (c = 0; c < n; c++) {
      var p = C.p[c];
      if (!visible[c] || p < 0) continue;
      var px = bx[p] + bw[p] / 2, bottom = by[p] + bh[p];
      if (place[c] === 2) {
        var sx = spineX[c], bus = spineTop[c] - half, mid = by[c] + Math.min(bh[c] / 2, nameMid);
        links.push([0, [px, bottom, px, bus, sx, bus, sx, mid, bx[c], mid]]);
        continue;
      }
      var cx = bx[c] + bw[c] / 2;
      if (place[c] === 3) {
        var ch = by[p] + maxH + quarter;
        links.push([2, [px, bottom, px, ch, cx, ch, cx, by[c] + bh[c]]]);
      } else {
        var b2 = by[c] - half;
        links.push([0, [px, bottom, px, b2, cx, b2, cx, by[c]]]);
      }
    }
    D.dotted.forEach(function (pair) {
      var a = pair[0], mm = pair[1];
      if (a === mm || !place[a] || !place[mm]) return;
      var ax = bx[a] + bw[a] * 0.75, mx = bx[mm] + bw[mm] * 0.75, pts;
      if (by[mm] + bh[mm] <= by[a]) {
        var chd = by[a] - quarter;
        pts = [mx, by[mm] + bh[mm], mx, chd, ax, chd, ax, by[a]];
      } else {
        var che = Math.min(by[a], by[mm]) - quarter;
        pts = [mx, by[mm], mx, che, ax, che, ax, by[a] <= by[mm] ? by[a] : by[a] + bh[a]];
      }
      links.push([1, pts]);
    });
    return {x: bx, y: by, w: bw, h: bh, place: place, links: links};
  }

  function buchheim(kids, parent, width, gap) {
    var N = kids.length, prelim = new Float64Array(N), mod = new Float64Array(N), shift = new Float64Array(N),
        change = new Float64Array(N), thread = new Int32Array(N).fill(-1), ancestor = new Int32Array(N),
        number = new Int32Array(N), v, j;
    for (v = 0; v < N; v++) {
      ancestor[v] = v;
      for (j = 0; j < kids[v].length; j++) number[kids[v][j]] = j;
    }
    function sep(a, b) { return (width[a] + width[b]) / 2 + gap; }
    function nextLeft(v) { return kids[v].length ? kids[v][0] : thread[v]; }
    function nextRight(v) { return kids[v].length ? kids[v][kids[v].length - 1] : thread[v]; }
    function apportion(v, dflt) {
      if (number[v] === 0) return dflt;
      var siblings = kids[parent[v]];
      var vip = v, vop = v, vim = siblings[number[v] - 1], vom = siblings[0];
      var sip = mod[vip], sop = mod[vop], sim = mod[vim], som = mod[vom];
      var nr = nextRight(vim), nl = nextLeft(vip);
      while (nr >= 0 && nl >= 0) {
        vim = nr; vip = nl; vom = nextLeft(vom); vop = nextRight(vop);
        ancestor[vop] = v;
        var move = prelim[vim] + sim - (prelim[vip] + sip) + sep(vim, vip);
        if (move > 0) {
          var a = ancestor[vim], wl = parent[a] === parent[v] ? a : dflt, subtrees = number[v] - number[wl];
          change[v] -= move / subtrees; shift[v] += move; change[wl] += move / subtrees;
          prelim[v] += move; mod[v] += move; sip += move; sop += move;
        }
        sim += mod[vim]; sip += mod[vip]; som += mod[vom]; sop += mod[vop];
        nr = nextRight(vim); nl = nextLeft(vip);
      }
      if (nr >= 0 && nextRight(vop) < 0) { thread[vop] = nr; mod[vop] += sim - sop; }
      if (nl >= 0 && nextLeft(vom) < 0) { thread[vom] = nl; mod[vom] += sip - som; dflt = v; }
      return dflt;
    }
    var dflt = new Int32Array(N), cursor = new Int32Array(N);
    for (v = 0; v < N; v++) dflt[v] = kids[v].length ? kids[v][0] : -1;
    var stack = [0];
    while (stack.length) {
      v = stack[stack.length - 1];
      var ks = kids[v];
      if (cursor[v] < ks.length) { stack.push(ks[cursor[v]]); cursor[v] += 1; continue; }
      stack.pop();
      var ls = v && number[v] ? kids[parent[v]][number[v] - 1] : -1;
      if (ks.length) {
        var acc = 0, chg = 0;
        for (j = ks.length - 1; j >= 0; j--) {
          var w = ks[j];
          prelim[w] += acc; mod[w] += acc; chg += change[w]; acc += shift[w] + chg;
        }
        var mid = (prelim[ks[0]] + prelim[ks[ks.length - 1]]) / 2;
        if (ls >= 0) { prelim[v] = prelim[ls] + sep(ls, v); mod[v] = prelim[v] - mid; }
        else prelim[v] = mid;
      } else if (ls >= 0) {
        prelim[v] = prelim[ls] + sep(ls, v);
      }
      if (v) dflt[parent[v]] = apportion(v, dflt[parent[v]]);
    }
    var x = new Float64Array(N), todo = [[0, 0]];
    while (todo.length) {
      var top = todo.pop(), u = top[0], msum = top[1];
      x[u] = prelim[u] + msum;
      for (j = 0; j < kids[u].length; j++) todo.push([kids[u][j], msum + mod[u]]);
    }
    return x;
  }

  // -- drawing with vis-network -------------------------------------------------------------------------
  var L = null, nodes = new vis.DataSet(), shown = new Uint8Array(n), marked = {}, selected = -1;
  var FONT = "Helvetica, Arial, sans-serif", truncated = {};
  function roundRect(ctx, x, y, w, h, r) {
    ctx.beginPath();
    ctx.moveTo(x + r, y); ctx.lineTo(x + w - r, y); ctx.quadraticCurveTo(x + w, y, x + w, y + r);
    ctx.lineTo(x + w, y + h - r); ctx.quadraticCurveTo(x + w, y + h, x + w - r, y + h);
    ctx.lineTo(x + r, y + h); ctx.quadraticCurveTo(x, y + h, x, y + h - r);
    ctx.lineTo(x, y + r); ctx.quadraticCurveTo(x, y, x + r, y); ctx.closePath();
  }
  function fitText(ctx, text, width) {
    if (ctx.measureText(text).width <= width) return text;
    truncated[text] = true;  // Python measured it as fitting: the browser's font is wider than allowed for
    while (text.length > 1 && ctx.measureText(text + "\u2026").width > width) text = text.slice(0, -1);
    return text + "\u2026";
  }
  var photos = {};  // card -> its decoded photo (data URIs only: the page makes no request)
  function photo(i) {
    if (!C.img[i]) return null;
    if (!photos[i]) {
      photos[i] = new Image();
      photos[i].onload = function () { network.redraw(); };
      photos[i].src = C.img[i];
    }
    return photos[i].complete && photos[i].naturalWidth ? photos[i] : null;
  }
  function renderer(i) {
    return function (o) {
      var ctx = o.ctx, w = L.w[i], h = L.h[i], x = o.x - w / 2, y = o.y - h / 2;
      return {
        drawNode: function () {
          var vacant = C.v[i] === 1;
          roundRect(ctx, x, y, w, h, 4);
          ctx.fillStyle = vacant ? "#ffffff" : (C.c[i] >= 0 ? D.legend[C.c[i]][1] : "#eef1f6");
          ctx.fill();
          ctx.setLineDash(vacant ? [6, 4] : []);
          ctx.lineWidth = (o.state.selected || marked[i]) ? 3 : 1;
          ctx.strokeStyle = marked[i] || (o.state.selected ? "#1d4ed8" : (vacant ? "#8a8f99" : "#4a5568"));
          ctx.stroke();
          ctx.setLineDash([]);
          var ty = y + S.pad, off = C.img[i] ? Math.ceil(S.photo + S.pad) : 0, img = photo(i);
          if (img) ctx.drawImage(img, x + S.pad, y + S.pad, S.photo, S.photo);
          ctx.textBaseline = "alphabetic"; ctx.textAlign = "left";
          C.t[i].forEach(function (line) {
            var size = line[0] === 0 ? S.name_size : S.title_size;
            ty += size * S.line;
            ctx.font = (line[0] === 0 ? "bold " : "") + size + "px " + FONT;
            ctx.fillStyle = vacant ? "#4b5563" : "#1a202c";
            ctx.fillText(fitText(ctx, line[1], w - off - 2 * S.pad + 2), x + off + S.pad, ty - size * (S.line - 1) - 1);
          });
          if (!KIDS[i].length && C.x[i]) {  // reports cut off this chart (--depth, --root): not expandable
            ctx.font = "10px " + FONT; ctx.fillStyle = "#4a5568"; ctx.textAlign = "center";
            ctx.fillText("+" + C.x[i] + " not in this chart", x + w / 2, y + h - 5);
          }
          if (KIDS[i].length) {
            var label = open[i] ? "\u2212" : "+" + KIDS[i].length, bw = Math.max(26, 10 + 7 * label.length);
            var bx = x + w / 2 - bw / 2, by = y + h - S.badge + 2;
            roundRect(ctx, bx, by, bw, S.badge - 4, 5);
            ctx.fillStyle = "#ffffff"; ctx.fill(); ctx.lineWidth = 1; ctx.strokeStyle = "#4a5568"; ctx.stroke();
            ctx.font = "bold 11px " + FONT; ctx.fillStyle = "#1a202c"; ctx.textAlign = "center";
            ctx.fillText(label, x + w / 2, by + S.badge - 8);
          }
        },
        nodeDimensions: {width: w, height: h}
      };
    };
  }
  function visNode(i) {
    return {id: i, x: L.x[i] + L.w[i] / 2, y: L.y[i] + L.h[i] / 2, shape: "custom", ctxRenderer: renderer(i),
            physics: false, fixed: true};
  }
  function refresh() {
    L = layout();
    var add = [], upd = [], drop = [];
    for (var i = 0; i < n; i++) {
      if (L.place[i]) { (shown[i] ? upd : add).push(visNode(i)); }
      else if (shown[i]) drop.push(i);
      shown[i] = L.place[i] ? 1 : 0;
    }
    if (drop.length) nodes.remove(drop);
    if (upd.length) nodes.update(upd);
    if (add.length) nodes.add(add);
    status();
  }
  function status() {
    var count = 0;
    for (var i = 0; i < n; i++) count += shown[i];
    document.getElementById("kg-status").textContent = count.toLocaleString() + " of " + n.toLocaleString() +
      " posts shown";
  }
  L = layout();
  D.first.forEach(function (node) { shown[node.id] = 1; });
  // The first view: Python's positions, exactly (the browser's own layout is checked against them by tests).
  nodes.add(D.first.map(function (node) {
    var o = Object.assign({}, node);
    o.ctxRenderer = renderer(node.id);
    return o;
  }));
  var container = document.getElementById("kg-chart");
  var network = new vis.Network(container, {nodes: nodes, edges: new vis.DataSet()}, D.options);
  network.on("beforeDrawing", function (ctx) {
    ctx.save();
    ctx.lineWidth = 1.2;
    [0, 2, 1].forEach(function (kind) {
      ctx.strokeStyle = kind === 1 ? "#c77d00" : "#8794a8";
      ctx.setLineDash(kind === 1 ? [5, 4] : []);
      ctx.beginPath();
      L.links.forEach(function (link) {
        if (link[0] !== kind) return;
        var p = link[1];
        ctx.moveTo(p[0], p[1]);
        for (var j = 2; j < p.length; j += 2) ctx.lineTo(p[j], p[j + 1]);
      });
      ctx.stroke();
    });
    ctx.restore();
  });

  function firstView() {
    var roots = [];
    for (var i = 0; i < n; i++) if (C.p[i] < 0 && shown[i]) roots.push(i);
    var r = roots[0], rect = container.getBoundingClientRect();
    var cx = roots.length === 1 ? L.x[r] + L.w[r] / 2 : Math.min(rect.width / 2 - 20, L.x[r] + rect.width / 2);
    network.moveTo({position: {x: cx, y: rect.height / 2 - 24}, scale: 1, animation: false});
  }
  firstView();
  // vis-network rescales the view when its canvas changes size (as the page settles): until the reader moves
  // the chart, keep the first view where it belongs.
  var untouched = true;
  network.on("resize", function () { if (untouched) firstView(); });
  ["dragStart", "zoom", "click", "doubleClick"].forEach(function (ev) {
    network.on(ev, function () { untouched = false; });
  });
  document.addEventListener("keydown", function () { untouched = false; }, true);

  // -- interaction -------------------------------------------------------------------------------------------
  function toggle(i, state) {
    if (!KIDS[i].length) return;
    open[i] = state === undefined ? (open[i] ? 0 : 1) : state;
    refresh();
  }
  function openAbove(i) {
    var changed = false, p = C.p[i];
    while (p >= 0) { if (!open[p]) { open[p] = 1; changed = true; } p = C.p[p]; }
    if (changed) refresh();
  }
  var details = document.getElementById("kg-details");
  function fmt(x) { return Math.round(x * 100) / 100; }
  function showDetails(i) {
    details.textContent = "";
    if (i < 0) { details.hidden = true; return; }
    details.hidden = false;
    if (C.img[i]) {
      var pic = document.createElement("img");
      pic.className = "photo"; pic.alt = ""; pic.src = C.img[i];
      details.appendChild(pic);
    }
    var rows = [["", C.name[i]], ["Title", C.title[i]], ["Id", C.id[i]], ["Unit", C.unit[i]],
                ["Grade", C.grade[i]], ["FTE", C.fte[i] === null ? "" : String(fmt(C.fte[i]))],
                ["Pay band", C.pay[i]], ["Status", C.status[i]], ["Role", C.role[i]],
                ["Manager", C.p[i] >= 0 ? C.name[C.p[i]] : ""], ["Dotted line to", C.dm[i]],
                ["Direct reports", String(KIDS[i].length + C.x[i])],
                ["Not in this chart", C.x[i] ? C.x[i] + " reports (widen --depth or --root)" : ""], ["Headcount below", String(C.hc[i])],
                ["FTE below", String(fmt(C.fb[i]))]];
    rows.forEach(function (row) {
      if (!row[1]) return;
      var line = document.createElement("div");
      if (row[0]) {
        var b = document.createElement("b"); b.textContent = row[0] + ": "; line.appendChild(b);
      } else line.className = "head";
      line.appendChild(document.createTextNode(row[1]));
      details.appendChild(line);
    });
  }
  function select(i, focus) {
    selected = i;
    if (i < 0) { network.unselectAll(); showDetails(-1); return; }
    openAbove(i);
    network.selectNodes([i]);
    showDetails(i);
    if (focus) network.focus(i, {scale: Math.max(network.getScale(), 1), animation: false});
    api.selected = i;
  }
  // Hit testing by the cards' own boxes (vis-network only knows a square around a custom node's centre).
  function hit(pt) {
    for (var i = 0; i < n; i++) {
      if (shown[i] && pt.x >= L.x[i] && pt.x <= L.x[i] + L.w[i] && pt.y >= L.y[i] && pt.y <= L.y[i] + L.h[i]) {
        return i;
      }
    }
    return -1;
  }
  network.on("click", function (p) {
    var pt = p.pointer.canvas, i = hit(pt);
    if (i < 0) { select(-1); return; }
    if (KIDS[i].length && pt.y >= L.y[i] + L.h[i] - S.badge) toggle(i);
    select(i, false);
  });
  network.on("doubleClick", function (p) {
    var i = hit(p.pointer.canvas);
    if (i >= 0 && !(p.pointer.canvas.y >= L.y[i] + L.h[i] - S.badge)) toggle(i);
  });

  function setAll(state) {
    for (var i = 0; i < n; i++) open[i] = state;
    if (!state) for (i = 0; i < n; i++) if (C.p[i] < 0) open[i] = 1;
    refresh();
  }
  function zoom(f) {
    network.moveTo({scale: network.getScale() * f, animation: false});
  }
  function bind(id, fn) { document.getElementById(id).addEventListener("click", fn); }
  bind("kg-expand", function () { setAll(1); network.fit({animation: false}); });
  bind("kg-collapse", function () { setAll(0); firstView(); });
  bind("kg-fit", function () { network.fit({animation: false}); });
  bind("kg-zoom-in", function () { zoom(1.25); });
  bind("kg-zoom-out", function () { zoom(0.8); });
  bind("kg-top", function () { firstView(); });

  // Search over name, title, id and unit; a list of hits, next and previous.
  function fold(s) { return String(s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }
  var hay = null, hits = [], at = -1;
  var list = document.getElementById("kg-hits"), query = document.getElementById("kg-query");
  function search(text) {
    var q = fold(text).trim();
    hits = []; at = -1; list.textContent = "";
    if (!q) { document.getElementById("kg-found").textContent = ""; return hits; }
    if (!hay) { hay = []; for (var i = 0; i < n; i++) hay.push([fold(C.name[i]), fold(C.title[i]), fold(C.id[i]), fold(C.unit[i])]); }
    for (var k = 0; k < n; k++) {
      var h = hay[k];
      if (h[0].indexOf(q) >= 0 || h[1].indexOf(q) >= 0 || h[2] === q || h[2].indexOf(q) >= 0 || h[3].indexOf(q) >= 0) {
        hits.push(k);
      }
    }
    hits.sort(function (a, b) {  // exact name or id first, then by level
      var ea = hay[a][0] === q || hay[a][2] === q ? 0 : 1, eb = hay[b][0] === q || hay[b][2] === q ? 0 : 1;
      return ea - eb || C.d[a] - C.d[b] || a - b;
    });
    var frag = document.createDocumentFragment();
    hits.slice(0, 200).forEach(function (k, j) {
      var li = document.createElement("li");
      li.textContent = C.name[k] + (C.title[k] ? " \u2014 " + C.title[k] : "") + (C.unit[k] ? " (" + C.unit[k] + ")" : "");
      li.addEventListener("click", function () { go(j); });
      frag.appendChild(li);
    });
    list.appendChild(frag);
    document.getElementById("kg-found").textContent = hits.length ? hits.length + " found" : "none found";
    if (hits.length) go(0);
    return hits;
  }
  function go(j) {
    if (!hits.length) return;
    at = (j + hits.length) % hits.length;
    Array.prototype.forEach.call(list.children, function (li, k) { li.className = k === at ? "on" : ""; });
    document.getElementById("kg-found").textContent = (at + 1) + " of " + hits.length;
    select(hits[at], true);
  }
  document.getElementById("kg-search").addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (hits.length && query.dataset.last === query.value) go(at + 1);
    else { query.dataset.last = query.value; search(query.value); }
  });
  bind("kg-next", function () { go(at + 1); });
  bind("kg-prev", function () { go(at - 1); });

  // Keyboard: arrows move between manager, reports and peers; Enter folds/unfolds; + - 0 zoom and fit.
  document.addEventListener("keydown", function (ev) {
    if (ev.target && (ev.target.tagName === "INPUT" || ev.target.tagName === "BUTTON")) return;
    var i = selected, key = ev.key;
    if (key === "/") { query.focus(); ev.preventDefault(); return; }
    if (key === "+" || key === "=") { zoom(1.25); return; }
    if (key === "-") { zoom(0.8); return; }
    if (key === "0") { network.fit({animation: false}); return; }
    if (i < 0) { if (key.indexOf("Arrow") === 0) { select(C.p.indexOf(-1), true); ev.preventDefault(); } return; }
    var sibs = C.p[i] >= 0 ? KIDS[C.p[i]] : [], at2 = sibs.indexOf(i);
    if (key === "ArrowUp" && C.p[i] >= 0) select(C.p[i], true);
    else if (key === "ArrowDown" && KIDS[i].length) { toggle(i, 1); select(KIDS[i][0], true); }
    else if (key === "ArrowLeft" && at2 > 0) select(sibs[at2 - 1], true);
    else if (key === "ArrowRight" && at2 >= 0 && at2 + 1 < sibs.length) select(sibs[at2 + 1], true);
    else if (key === "Enter" || key === " ") toggle(i);
    else if (key === "Escape") select(-1);
    else return;
    ev.preventDefault();
  });

  // Legend (text only).
  var legend = document.getElementById("kg-legend");
  var by = document.createElement("b");
  by.textContent = "Colour by " + D.colourBy + ":";
  legend.appendChild(by);
  D.legend.forEach(function (pair) {
    var item = document.createElement("span"), sw = document.createElement("span");
    sw.className = "sw"; sw.style.background = pair[1];
    item.appendChild(sw); item.appendChild(document.createTextNode(pair[0])); legend.appendChild(item);
  });
  var vac = document.createElement("span");
  var vsw = document.createElement("span"); vsw.className = "sw vacant";
  vac.appendChild(vsw); vac.appendChild(document.createTextNode("vacant (dashed)")); legend.appendChild(vac);
  if (D.dotted.length) {
    var dl = document.createElement("span"), dsw = document.createElement("span");
    dsw.className = "dash"; dl.appendChild(dsw); dl.appendChild(document.createTextNode("dotted-line report"));
    legend.appendChild(dl);
  }

  // Highlighted path (kg viz --path A B).
  (D.path || []).forEach(function (i) { marked[i] = "#ff9f43"; openAbove(i); });

  var api = {network: network, nodes: nodes, data: D, search: search, select: select, toggle: toggle,
             expandAll: function () { setAll(1); }, collapseAll: function () { setAll(0); },
             layout: function () { return L; }, shownKeys: function () {
               var out = []; for (var i = 0; i < n; i++) if (shown[i]) out.push(i); return out; },
             browserLayout: layout, selected: -1, drawn: false, kids: KIDS, open: open,
             truncated: function () { return Object.keys(truncated); }};
  // vis-network fits or rescales the view while the page settles: hold the first view for a few frames.
  function settle(frames) {
    if (untouched && Math.abs(network.getScale() - 1) > 1e-9) firstView();
    if (frames > 0 && untouched) { requestAnimationFrame(function () { settle(frames - 1); }); return; }
    api.drawn = true;
    api.drawnAt = performance.now();
  }
  network.once("afterDrawing", function () { settle(12); });
  status();
  window.kgChart = api;
})();
