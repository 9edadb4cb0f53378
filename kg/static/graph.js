// Graph drawings for kg serve's pages (vis-network, served by kg from the pyvis package): triples as nodes and
// labelled edges. Labels are drawn on a canvas, so data is text only; clicking an IRI opens its resource page.
"use strict";

const kgGraph = {
  MAX_TRIPLES: 400,

  // `triples`: [{s: term, p: iri, o: term}] with terms {type: "uri"|"bnode"|"literal", value}. Draws into
  // `box` and records the counts drawn in box.dataset (nodes, edges, cut).
  draw(box, triples, focus) {
    const nodes = new Map();
    const edges = [];
    const node = (term) => {
      const key = term.type + " " + term.value;
      if (!nodes.has(key)) {
        const label = term.type === "uri" ? kg.compact(term.value) : term.type === "bnode" ? "_:" + term.value
          : term.value;
        nodes.set(key, { id: nodes.size + 1, label: label.length > 60 ? label.slice(0, 57) + "…" : label,
                         shape: term.type === "literal" ? "box" : "dot", size: 8,
                         color: term.value === focus ? "#d9822b" : term.type === "literal" ? "#eef1f6" : "#1a4f8a",
                         iri: term.type === "uri" ? term.value : null });
      }
      return nodes.get(key).id;
    };
    const shown = triples.slice(0, kgGraph.MAX_TRIPLES);
    for (const t of shown) {
      edges.push({ from: node(t.s), to: node(t.o), label: kg.compact(t.p), arrows: "to",
                   font: { size: 10, align: "middle" } });
    }
    box.replaceChildren();
    const data = { nodes: new vis.DataSet([...nodes.values()]), edges: new vis.DataSet(edges) };
    const network = new vis.Network(box, data, {
      physics: { stabilization: { iterations: 150 } }, interaction: { hover: true },
      nodes: { font: { size: 12 } }, edges: { color: "#8a94a6", smooth: false },
    });
    network.on("doubleClick", (params) => {
      const picked = params.nodes.length ? data.nodes.get(params.nodes[0]) : null;
      if (picked && picked.iri) window.location.href = "/resource?iri=" + encodeURIComponent(picked.iri);
    });
    network.once("stabilizationIterationsDone", () => network.setOptions({ physics: false }));
    box.dataset.nodes = String(nodes.size);
    box.dataset.edges = String(edges.length);
    box.dataset.cut = String(triples.length - shown.length);
    return network;
  },
};
