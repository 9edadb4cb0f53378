// Shared by the pages of kg serve: compact IRIs with the predeclared prefixes, and links to the resource page.
// Data is only ever set as text (textContent), never as markup.
"use strict";

const kg = {
  prefixes: {},

  compact(iri) {
    let best = null;
    for (const [prefix, base] of Object.entries(kg.prefixes)) {
      if (iri.startsWith(base) && /^[\w./-]*$/.test(iri.slice(base.length)) && (!best || base.length > best[1].length)) {
        best = [prefix, base];
      }
    }
    return best ? best[0] + ":" + iri.slice(best[1].length) : iri;
  },

  // A link to the resource page of an IRI, showing `text` (the compact IRI by default).
  link(iri, text) {
    const a = document.createElement("a");
    a.href = "/resource?iri=" + encodeURIComponent(iri);
    a.textContent = text || kg.compact(iri);
    a.title = iri;
    return a;
  },

  // A labelled input for each parameter of the named query `q`, in `box`.
  paramInputs(q, box) {
    for (const [name, doc] of Object.entries(q.params)) {
      const row = document.createElement("div");
      row.className = "param";
      const label = document.createElement("label");
      label.textContent = "?" + name;
      label.htmlFor = "param-" + name;
      const input = document.createElement("input");
      input.id = "param-" + name;
      input.dataset.param = name;
      input.placeholder = doc;
      row.append(label, input);
      box.appendChild(row);
    }
  },

  async loadPrefixes() {
    const info = await (await fetch("/queries.json")).json();
    kg.prefixes = info.prefixes;
    return info;
  },
};

// A CSV cell a spreadsheet shows as text, never runs as a formula.
function csvCell(text) {
  let out = text;
  if (/^[=+\-@\t\r\n]/.test(out) && !/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(out)) out = "'" + out;
  return /[",\r\n]/.test(out) ? '"' + out.replace(/"/g, '""') + '"' : out;
}
