// The kg query page: run SPARQL against /sparql and show the results. Data is only ever set as text
// (textContent), never as markup.
"use strict";

const state = { queries: [], last: null };
const $ = (id) => document.getElementById(id);

function cellText(term) {
  if (!term) return "";
  if (term.type === "uri") return kg.compact(term.value);
  if (term.type === "bnode") return "_:" + term.value;
  return term.value;
}

function clearResults() {
  $("results").replaceChildren();
  $("graph").hidden = true;
  $("graph").textContent = "";
  $("error").hidden = true;
  $("error").textContent = "";
  $("download").disabled = true;
  state.last = null;
}

function showTable(data) {
  const table = $("results");
  const vars = data.head.vars || [];
  const head = document.createElement("thead");
  const headRow = document.createElement("tr");
  for (const v of vars) {
    const th = document.createElement("th");
    th.textContent = v;
    headRow.appendChild(th);
  }
  head.appendChild(headRow);
  const body = document.createElement("tbody");
  for (const binding of data.results.bindings) {
    const tr = document.createElement("tr");
    for (const v of vars) {
      const td = document.createElement("td");
      const term = binding[v];
      if (term && term.type === "uri") {
        td.className = "iri";
        td.appendChild(kg.link(term.value));  // opens the resource page of the IRI
      } else {
        td.textContent = cellText(term);
        if (!term) td.className = "unbound";
      }
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
  table.replaceChildren(head, body);
  state.last = data;
  $("download").disabled = false;
}

function downloadCsv() {
  const data = state.last;
  if (!data) return;
  const vars = data.head.vars || [];
  const lines = [vars.map(csvCell).join(",")];
  for (const b of data.results.bindings) {
    lines.push(vars.map((v) => csvCell(b[v] ? (b[v].type === "bnode" ? "_:" : "") + b[v].value : "")).join(","));
  }
  const blob = new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = (($("named").value || "query") + ".csv");
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

async function run() {
  clearResults();
  const form = new URLSearchParams();
  form.set("query", $("query").value);
  for (const input of $("params").querySelectorAll("input")) {
    if (input.value.trim() === "") {
      $("status").textContent = "Fill in ?" + input.dataset.param + " first.";
      input.focus();
      return;
    }
    form.set("param." + input.dataset.param, input.value.trim());
  }
  $("status").textContent = "Running…";
  const started = performance.now();
  let response;
  try {
    response = await fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded",
                 "Accept": "application/sparql-results+json, text/turtle;q=0.9" },
      body: form.toString(),
    });
  } catch (err) {
    $("status").textContent = "";
    $("error").textContent = "The server did not answer: " + err;
    $("error").hidden = false;
    return;
  }
  const ms = Math.round(performance.now() - started);
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok) {
    $("status").textContent = "Error " + response.status + " (" + ms + " ms)";
    $("error").textContent = await response.text();
    $("error").hidden = false;
    return;
  }
  const truncated = response.headers.get("X-Result-Truncated");
  if (type.startsWith("application/sparql-results+json")) {
    const data = await response.json();
    if (typeof data.boolean === "boolean") {
      $("status").textContent = "ASK: " + data.boolean + " (" + ms + " ms)";
      return;
    }
    showTable(data);
    const n = data.results.bindings.length;
    $("status").textContent = n + (n === 1 ? " row" : " rows") + " (" + ms + " ms)" + (truncated ? " — " + truncated : "");
  } else {
    $("graph").textContent = await response.text();
    $("graph").hidden = false;
    $("status").textContent = "RDF result (" + (response.headers.get("X-Result-Rows") || "?") + " triples, " + ms + " ms)";
  }
}

function pick() {
  const q = state.queries.find((item) => item.name === $("named").value);
  const params = $("params");
  params.replaceChildren();
  $("description").textContent = q ? q.description : "";
  if (!q) return;
  $("query").value = q.query;
  kg.paramInputs(q, params);
}

async function init() {
  $("run").addEventListener("click", run);
  $("download").addEventListener("click", downloadCsv);
  $("named").addEventListener("change", pick);
  $("query").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
  });
  try {
    const info = await kg.loadPrefixes();
    $("prefixes").textContent = Object.keys(kg.prefixes).join(", ");
    state.queries = info.queries;
    for (const q of info.queries) {
      const option = document.createElement("option");
      option.value = q.name;
      option.textContent = q.title + " (" + q.name + ")";
      $("named").appendChild(option);
    }
    $("named").dataset.loaded = "true";
  } catch (err) {
    $("description").textContent = "Could not load the named queries: " + err;
  }
}

document.addEventListener("DOMContentLoaded", init);
