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

  async loadPrefixes() {
    const info = await (await fetch("/queries.json")).json();
    kg.prefixes = info.prefixes;
    return info;
  },
};
