// The kg SPARQL editor: YASGUI (vendored in kg/static, see YASGUI-LICENSE.txt) set up to make no request outside
// the server: prefix, class and property completion from kg's own vocabulary (not prefix.cc or LOV), result
// IRIs linking to kg's resource page, a formula-safe CSV download, bar charts of counts, CONSTRUCT results drawn as a
// graph, and the named-query library in a side panel.
"use strict";

const ed = {
  yasgui: null,
  queries: [],
  vocabulary: { classes: [], properties: [] },
  el: (id) => document.getElementById(id),
};

// Text for an HTML string that YASR inserts (attribute values in single quotes): every special character escaped.
function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
}

// YASR's column resizer adds <style> elements, which the page's Content-Security-Policy (style-src 'self')
// refuses; their rules (no data in them) become constructed style sheets instead, which it allows.
function adoptStyleElements() {
  const appendChild = Node.prototype.appendChild;
  const adopted = new Set();
  Node.prototype.appendChild = function (child) {
    if (!(child instanceof HTMLStyleElement)) return appendChild.call(this, child);
    const text = child.textContent;
    if (!adopted.has(text)) {
      adopted.add(text);
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(text);
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    }
    return child;
  };
}

async function select(query) {
  const response = await fetch("/sparql", {
    method: "POST",
    headers: { "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json" },
    body: query,
  });
  if (!response.ok) throw new Error(await response.text());
  return (await response.json()).results.bindings;
}

async function loadVocabulary() {
  const rows = await select(`SELECT DISTINCT ?x ?kind WHERE {
    VALUES (?t ?kind) { (owl:Class "class") (rdfs:Class "class") (owl:ObjectProperty "property")
                        (owl:DatatypeProperty "property") (rdf:Property "property") (owl:AnnotationProperty "property") }
    ?x a ?t FILTER(isIRI(?x)) } ORDER BY ?x`);
  for (const row of rows) {
    (row.kind.value === "class" ? ed.vocabulary.classes : ed.vocabulary.properties).push(row.x.value);
  }
}

function configureCompletion() {
  const completers = Yasgui.Yasqe.Autocompleters;
  const prefixes = () => Object.entries(kg.prefixes).map(([p, iri]) => p + ": <" + iri + ">").sort();
  completers.prefixes = { ...completers.prefixes, get: prefixes, persistenceId: null };
  completers.class = { ...completers.class, get: () => ed.vocabulary.classes, bulk: true, persistenceId: null };
  completers.property = { ...completers.property, get: () => ed.vocabulary.properties, bulk: true,
                          persistenceId: null };
}

// The editor knows kg's predeclared prefixes (the command line's, which the endpoint accepts undeclared): a
// query using po:, org:, foaf:... without PREFIX lines is not marked as an error, and class and property
// completion works after them. A PREFIX line in the query still wins.
function predeclarePrefixes() {
  const CodeMirror = Yasgui.Yasqe;  // YASQE is a CodeMirror 5 subclass: its modes are CodeMirror's
  const factory = CodeMirror.modes.sparql11;
  CodeMirror.defineMode("sparql11", (config, modeConfig) => {
    const mode = factory(config, modeConfig);
    const startState = mode.startState;
    mode.startState = (...args) => {
      const state = startState.apply(mode, args);
      state.prefixes = { ...kg.prefixes };
      return state;
    };
    return mode;
  });
}

function configureResults() {
  const Table = Yasgui.Yasr.plugins.table;
  // YASR gives DataTables a cell's value run through DOMPurify to filter and sort by; DataTables then parses
  // filter text containing "&" as HTML off the page (an <img> in data would start loading and its handler
  // be refused by the Content-Security-Policy). Filter by the escaped text (DataTables decodes it back to the
  // same text) and sort by the text itself: nothing from data is ever parsed as HTML.
  const getColumns = Table.prototype.getColumns;
  Table.prototype.getColumns = function () {
    return getColumns.call(this).map((column, i) => i === 0 ? column : { ...column, render: (cell, type) => {
      if (cell === "") return cell;
      if (type === "filter") return escapeHtml(cell.value);
      if (type === "sort") return cell.value;
      return column.render(cell, type);
    } });
  };
  // DataTables sizes columns by writing the longest cell text, decoded, back as HTML: text that looks like
  // markup would become markup there. No automatic widths, so data is only ever text.
  Table.defaults.tableConfig = { ...Table.defaults.tableConfig, autoWidth: false };
  // Every IRI opens kg's resource page, never the IRI itself.
  Table.prototype.getUriLinkFromBinding = function (binding) {
    const href = "/resource?iri=" + encodeURIComponent(binding.value).replace(/'/g, "%27");
    return "<a class='iri' href='" + escapeHtml(href) + "' title='" + escapeHtml(binding.value) + "'>" +
      escapeHtml(kg.compact(binding.value)) + "</a>";
  };
  // CSV that a spreadsheet shows as text, never runs as a formula (as the simple page's download).
  Table.prototype.download = function (filename) {
    const results = this.yasr.results;
    const vars = results.getVariables();
    const lines = [vars.map(csvCell).join(",")];
    for (const b of results.getBindings()) {
      lines.push(vars.map((v) => csvCell(b[v] ? (b[v].type === "bnode" ? "_:" : "") + b[v].value : "")).join(","));
    }
    return { contentType: "text/csv", getData: () => lines.join("\r\n") + "\r\n",
             filename: (filename || "queryResults") + ".csv", title: "Download result" };
  };
}

// A YASR view drawing CONSTRUCT and DESCRIBE results (Turtle) as a graph.
class GraphPlugin {
  constructor(yasr) {
    this.yasr = yasr;
    this.priority = 15;  // above the table and the raw response
    this.label = "Graph";
  }

  canHandleResults() {
    const results = this.yasr.results;
    return !!(results && results.getType && results.getType() === "ttl" && results.getStatements());
  }

  getIcon() {
    const icon = document.createElement("span");
    icon.textContent = "◉";
    return icon;
  }

  draw() {
    const term = (t) => ({ type: t.termType === "NamedNode" ? "uri" : t.termType === "BlankNode" ? "bnode" : "literal",
                           value: t.value });
    const triples = this.yasr.results.getStatements().map((q) => ({ s: term(q.subject), p: q.predicate.value,
                                                                    o: term(q.object) }));
    const box = document.createElement("div");
    box.className = "graph kg-graph";
    this.yasr.resultsEl.appendChild(box);
    kgGraph.draw(box, triples);
  }
}

// A YASR view drawing SELECT results as a bar chart: the first numeric column by the first other column
// (e.g. counts by group). Bars are plain elements and labels text.
const NUMERIC = /#(integer|decimal|double|float|long|int|short|nonNegativeInteger|positiveInteger)$/;

class ChartPlugin {
  constructor(yasr) {
    this.yasr = yasr;
    this.priority = 5;  // below the table: chosen by the user
    this.label = "Chart";
  }

  columns() {
    const results = this.yasr.results;
    if (!results || !results.getVariables || !results.getBindings || !results.getBindings()) return null;
    const rows = results.getBindings();
    const vars = results.getVariables();
    const numeric = (v) => rows.length && rows.every((r) => r[v] && r[v].type !== "uri" && r[v].datatype &&
                                                       NUMERIC.test(r[v].datatype));
    const value = vars.find(numeric);
    const label = vars.find((v) => v !== value);
    return value && label ? { value, label } : null;
  }

  canHandleResults() {
    return this.columns() !== null;
  }

  getIcon() {
    const icon = document.createElement("span");
    icon.textContent = "▇";
    return icon;
  }

  draw() {
    const { value, label } = this.columns();
    const rows = this.yasr.results.getBindings().slice(0, 100);
    const max = Math.max(...rows.map((r) => Math.abs(Number(r[value].value))), 1);
    const chart = document.createElement("div");
    chart.className = "kg-chart";
    const title = document.createElement("p");
    title.className = "hint";
    title.textContent = "?" + value + " by ?" + label + (rows.length < this.yasr.results.getBindings().length
      ? " (the first 100 rows)" : "");
    chart.appendChild(title);
    for (const row of rows) {
      const line = document.createElement("div");
      line.className = "bar-row";
      const name = document.createElement("span");
      name.className = "bar-label";
      name.textContent = row[label] ? (row[label].type === "uri" ? kg.compact(row[label].value) : row[label].value)
        : "(none)";
      const bar = document.createElement("span");
      bar.className = "bar";
      bar.style.width = (100 * Math.abs(Number(row[value].value)) / max).toFixed(1) + "%";
      const number = document.createElement("span");
      number.className = "bar-value";
      number.textContent = row[value].value;
      const track = document.createElement("span");
      track.className = "bar-track";
      track.appendChild(bar);
      line.append(name, track, number);
      chart.appendChild(line);
    }
    this.yasr.resultsEl.appendChild(chart);
  }
}

function showParams(q) {
  const params = ed.el("params");
  params.replaceChildren();
  ed.el("description").textContent = q ? q.description : "";
  ed.el("run-named").disabled = !q;
  if (!q) return;
  kg.paramInputs(q, params);
}

function runNamed() {
  const q = ed.queries.find((item) => item.name === ed.el("named").value);
  if (!q) return;
  const args = [];
  for (const input of ed.el("params").querySelectorAll("input")) {
    if (input.value.trim() === "") {
      ed.el("named-status").textContent = "Fill in ?" + input.dataset.param + " first.";
      input.focus();
      return;
    }
    args.push({ name: "param." + input.dataset.param, value: input.value.trim() });  // bound as RDF terms
  }
  ed.el("named-status").textContent = "";
  const tab = ed.yasgui.addTab(true, { name: q.title, yasqe: { value: q.query },
                                       requestConfig: { ...ed.yasgui.config.requestConfig, args } });
  tab.show();
  tab.query();
}

// A named query's tab binds its parameters (param.NAME) on every run; once the analyst edits the query so that
// ?NAME is gone, the endpoint would refuse the binding, so the tab forgets it before the query is sent.
function dropUnusedParams(tab) {
  const args = tab.getRequestConfig().args || [];
  const query = tab.getYasqe().getValue();
  const kept = args.filter((a) => !a.name.startsWith("param.") ||
                                  new RegExp("[?$]" + a.name.slice("param.".length) + "\\b").test(query));
  if (kept.length !== args.length) tab.setRequestConfig({ args: kept });
}

async function init() {
  const info = await kg.loadPrefixes();
  ed.queries = info.queries;
  ed.el("prefixes").textContent = Object.keys(kg.prefixes).join(", ");
  for (const q of info.queries) {
    const option = document.createElement("option");
    option.value = q.name;
    option.textContent = q.title;
    ed.el("named").appendChild(option);
  }
  ed.el("named").addEventListener("change", () => showParams(ed.queries.find((q) => q.name === ed.el("named").value)));
  ed.el("run-named").addEventListener("click", runNamed);
  try {
    await loadVocabulary();
  } catch (err) {
    ed.el("named-status").textContent = "Class and property completion is off: " + err.message;
  }
  configureCompletion();
  predeclarePrefixes();
  configureResults();
  Yasgui.Yasr.registerPlugin("graph", GraphPlugin);
  Yasgui.Yasr.registerPlugin("chart", ChartPlugin);
  adoptStyleElements();
  ed.yasgui = new Yasgui(ed.el("yasgui"), {
    requestConfig: { endpoint: "/sparql", method: "POST", acceptHeaderSelect: "application/sparql-results+json",
                     acceptHeaderGraph: "text/turtle", args: [] },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: () => [] },
    populateFromUrl: false,
    yasqe: { value: "PREFIX po: <" + kg.prefixes.po + ">\nSELECT ?post ?id ?title WHERE {\n" +
                    "  ?post po:identifier ?id ; po:jobTitle ?title .\n}\nORDER BY ?id\nLIMIT 20" },
  });
  ed.yasgui.on("queryBefore", (_, tab) => dropUnusedParams(tab));
  document.body.dataset.loaded = "true";
}

document.addEventListener("DOMContentLoaded", init);
