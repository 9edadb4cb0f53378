// The resource page of kg serve: labels, types, links out and in, and a person's chain, reports and peers.
// Every value from the data is set as text (textContent) or inside a link built by kg.link.
"use strict";

const el = (id) => document.getElementById(id);

function termNode(term, label) {
  if (term.type === "uri") return kg.link(term.value, label ? label + " (" + kg.compact(term.value) + ")" : "");
  const span = document.createElement("span");
  span.textContent = term.type === "bnode" ? "_:" + term.value : term.value;
  if (term["xml:lang"]) span.title = "@" + term["xml:lang"];
  else if (term.datatype) span.title = kg.compact(term.datatype);
  return span;
}

function personText(p) {
  return [p.name || "(no name)", p.title, p.id ? "[" + p.id + "]" : ""].filter(Boolean).join(" — ");
}

function people(list, target) {
  const box = el(target);
  box.replaceChildren();
  for (const p of list) {
    const li = document.createElement("li");
    li.appendChild(kg.link(p.iri, personText(p)));
    box.appendChild(li);
  }
  if (!list.length) {
    const li = document.createElement("li");
    li.className = "hint";
    li.textContent = "none";
    box.appendChild(li);
  }
}

function showRole(role) {
  el("definition").textContent = role.definition || "";
  for (const step of role.career_path) {
    const li = document.createElement("li");
    li.textContent = step;
    if (step === role.label) li.className = "current";
    el("ladder").appendChild(li);
  }
  for (const fact of role.responsibilities) {
    const li = document.createElement("li");
    li.appendChild(fact.target_iri ? kg.link(fact.target_iri, fact.target) : document.createTextNode(fact.target));
    for (const source of fact.sources) {
      const quote = document.createElement("blockquote");
      quote.textContent = "“" + source.quote + "” (" + (source.document ? source.document + ", " : "") +
        "sentence " + source.sentence + ")";
      li.appendChild(quote);
    }
    el("responsibilities").appendChild(li);
  }
  el("role").hidden = false;
}

function table(target, rows, columns) {
  const head = document.createElement("thead");
  const tr = document.createElement("tr");
  for (const [name] of columns) {
    const th = document.createElement("th");
    th.textContent = name;
    tr.appendChild(th);
  }
  head.appendChild(tr);
  const body = document.createElement("tbody");
  for (const row of rows) {
    const line = document.createElement("tr");
    for (const [, cell] of columns) {
      const td = document.createElement("td");
      td.appendChild(cell(row));
      line.appendChild(td);
    }
    body.appendChild(line);
  }
  el(target).replaceChildren(head, body);
}

function show(data) {
  const person = data.person;
  const heading = person ? personText(person.profile) : (data.labels[0] || kg.compact(data.iri));
  el("title").textContent = heading;
  document.title = "kg — " + heading;
  el("iri").textContent = data.iri;
  if (data.types.length) {
    const list = el("types").querySelector("ul");
    for (const t of data.types) {
      const li = document.createElement("li");
      li.appendChild(termNode(t.o, t.label));
      list.appendChild(li);
    }
    el("types").hidden = false;
  }
  if (person) {
    const profile = el("profile");
    for (const key of ["id", "name", "title", "role", "unit", "status", "direct_reports", "headcount"]) {
      if (person.profile[key] === null || person.profile[key] === undefined) continue;
      const dt = document.createElement("dt");
      dt.textContent = key.replace("_", " ");
      const dd = document.createElement("dd");
      dd.textContent = String(person.profile[key]);
      profile.append(dt, dd);
    }
    people(person.chain, "chain");
    people(person.reports, "reports");
    people(person.peers, "peers");
    el("person").hidden = false;
  }
  if (data.role) showRole(data.role);
  if (data.unit_people.length) {
    people(data.unit_people, "members");
    el("unit").hidden = false;
  }
  const predicate = (row) => kg.link(row.predicate);
  table("out", data.out, [["predicate", predicate], ["value", (row) => termNode(row.o, row.label)]]);
  table("in", data.in, [["from", (row) => termNode(row.s, row.label)], ["predicate", predicate]]);
  el("out-status").textContent = data.out.length + " links" + (data.out_truncated ? " (the first only)" : "");
  el("in-status").textContent = data.in.length + " links" + (data.in_truncated ? " (the first only)" : "");
  el("status").textContent = data.out.length || data.in.length ? "" : "Nothing in the graph mentions this IRI.";
  const me = { type: "uri", value: data.iri };
  const type = kg.prefixes.rdf + "type";
  const links = data.out.filter((row) => row.predicate !== type).map((row) => ({ s: me, p: row.predicate, o: row.o }))
    .concat(data.in.map((row) => ({ s: row.s, p: row.predicate, o: me })));
  if (links.length) {
    el("neighbourhood").hidden = false;
    kgGraph.draw(el("graph"), links.slice(0, 80), data.iri);
  }
}

async function init() {
  const iri = new URLSearchParams(location.search).get("iri") || "";
  el("iri").textContent = iri;
  try {
    await kg.loadPrefixes();
    const response = await fetch("/resource.json?iri=" + encodeURIComponent(iri));
    if (!response.ok) throw new Error(await response.text());
    el("status").textContent = "";
    show(await response.json());
  } catch (err) {
    el("status").textContent = "";
    el("error").textContent = String(err.message || err);
    el("error").hidden = false;
  }
  document.body.dataset.loaded = "true";
}

document.addEventListener("DOMContentLoaded", init);
