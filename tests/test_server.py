"""`kg serve` as a real server: plain HTTP, a real SPARQL client (SPARQLWrapper), a real browser."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import quote, urlencode
from urllib.request import Request, urlopen

import pyoxigraph as ox
import pytest

from kg.ingest.load import load_files
from kg.server import WALL_FACTOR, negotiate
from kg.store import opened

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
MAX_ROWS = 25
WAIT = 60  # seconds a browser test waits for the page (returns as soon as it is ready; CI may be busy)
IDS = "SELECT ?id WHERE { ?p po:identifier ?id } ORDER BY ?id"


@dataclass
class Served:
    url: str
    store: Path
    process: subprocess.Popen


@pytest.fixture(scope="module")
def served(_example_template: Path, tmp_path_factory: pytest.TempPathFactory):
    store = tmp_path_factory.mktemp("served") / "store"
    shutil.copytree(_example_template, store)
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "--store", str(store), "serve", "--port", "0", "--timeout", "2",
         "--max-rows", str(MAX_ROWS), "--workers", "2"],
        stderr=subprocess.PIPE, text=True)
    line = process.stderr.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+/)sparql", line)
    assert match, f"kg serve did not start: {line}{process.stderr.read() if process.poll() else ''}"
    yield Served(match.group(1), store, process)
    process.terminate()
    process.wait(10)


def call(url: str, data: bytes | None = None, headers: dict[str, str] | None = None,
         method: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except HTTPError as err:
        return err.code, dict(err.headers), err.read()


def get(served: Served, query: str, accept: str = "*/*", **extra: str):
    return call(served.url + "sparql?" + urlencode({"query": query, **extra}), headers={"Accept": accept})


def post_form(served: Served, fields: dict[str, str], accept: str = "*/*"):
    return call(served.url + "sparql", urlencode(fields).encode(),
                {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept})


def ids(body: bytes) -> list[str]:
    return [b["id"]["value"] for b in json.loads(body)["results"]["bindings"]]


# -- the protocol --------------------------------------------------------------------------------------------


def test_get_and_both_posts_give_the_same_answer(served: Served) -> None:
    query = 'SELECT ?id WHERE { ?p po:identifier ?id ; po:jobTitle ?t FILTER(STRSTARTS(?t, "CTO")) }'
    status, headers, body = get(served, query)
    assert status == 200 and headers["Content-Type"] == "application/sparql-results+json"
    assert ids(body) == ["P03"]
    assert ids(post_form(served, {"query": query})[2]) == ["P03"]
    direct = call(served.url + "sparql", query.encode(), {"Content-Type": "application/sparql-query"})
    assert direct[0] == 200 and ids(direct[2]) == ["P03"]


def test_content_negotiation(served: Served) -> None:
    query = IDS + " LIMIT 2"
    status, headers, body = get(served, query, "text/csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert body == b"id\r\nP01\r\nP02\r\n"
    assert get(served, query, "text/tab-separated-values")[2] == b'?id\n"P01"\n"P02"\n'
    xml = get(served, query, "application/sparql-results+xml;q=0.9, text/csv;q=0.1")
    assert xml[1]["Content-Type"] == "application/sparql-results+xml"
    assert len(ET.fromstring(xml[2]).findall(".//{http://www.w3.org/2005/sparql-results#}result")) == 2
    construct = "CONSTRUCT { ?p po:identifier ?id } WHERE { ?p po:identifier ?id }"
    turtle = get(served, construct, "text/turtle")
    assert turtle[1]["Content-Type"].startswith("text/turtle")
    assert len(list(ox.parse(turtle[2], format=ox.RdfFormat.TURTLE))) == MAX_ROWS
    assert turtle[1]["X-Result-Truncated"]
    assert json.loads(get(served, "ASK { ?s ?p ?o }", "application/sparql-results+json")[2])["boolean"]
    assert get(served, query, "image/png")[0] == 406
    assert get(served, query, "image/png", format="csv")[2].startswith(b"id\r\n")


def test_negotiate() -> None:
    assert negotiate("application/sparql-results+json,application/json,text/javascript") == ("json", "turtle")
    assert negotiate("text/turtle") == ("json", "turtle")
    assert negotiate("application/n-triples, text/csv;q=0.2") == ("csv", "ntriples")
    assert negotiate("text/html,application/xhtml+xml,*/*;q=0.8") == ("json", "turtle")


def test_malformed_query_is_a_readable_400(served: Served) -> None:
    status, headers, body = get(served, "SELECT ?x WHERE {\n  ?x ?y")
    assert status == 400 and headers["Content-Type"].startswith("text/plain")
    assert body.decode().startswith("SPARQL syntax error at line 2, column")
    assert get(served, "SELECT ?x WHERE { ?x nope:p ?y }")[0] == 400
    assert call(served.url + "sparql?query=", headers={})[0] == 400


@pytest.mark.parametrize("fields, content_type", [
    ({"update": "DROP ALL"}, None),
    ({"query": "INSERT DATA { <http://a/s> <http://a/p> 1 }"}, None),
    ({"query": "LOAD <http://example.org/data.ttl>"}, None),
    ({"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"}, None),
    ({"query": "SELECT * WHERE { service silent <http://127.0.0.1:9/> { ?s ?p ?o } }"}, None),
    ("CLEAR ALL", "application/sparql-update"),
])
def test_updates_load_and_service_are_refused(served: Served, fields, content_type) -> None:
    if content_type:
        status, _, body = call(served.url + "sparql", fields.encode(), {"Content-Type": content_type})
    else:
        status, _, body = post_form(served, fields)
    assert status == 403, body
    assert b"refused" in body or b"update" in body
    assert get(served, 'ASK { ?p po:identifier "P19" }', "application/sparql-results+json")[0] == 200


def test_row_limit_and_timeout(served: Served) -> None:
    status, headers, body = get(served, IDS)
    assert status == 200 and len(ids(body)) == MAX_ROWS
    assert headers["X-Result-Rows"] == str(MAX_ROWS) and "25" in headers["X-Result-Truncated"]
    started = time.monotonic()
    slow = get(served, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    assert slow[0] == 503 and b"longer than 2 s" in slow[2]
    assert time.monotonic() - started < 2 * WALL_FACTOR + 10  # 2 s of CPU time, or 4 x 2 s on a busy machine
    for _ in range(3):  # the server keeps serving while the killed worker is replaced
        assert ids(get(served, IDS + " LIMIT 1")[2]) == ["P01"]


def test_a_worker_killed_from_outside_is_replaced(served: Served) -> None:
    children = Path(f"/proc/{served.process.pid}/task/{served.process.pid}/children").read_text().split()
    assert children, "the server runs its queries in worker processes"
    os.kill(int(children[0]), signal.SIGKILL)
    time.sleep(0.2)
    for _ in range(4):
        assert ids(get(served, IDS + " LIMIT 1")[2]) == ["P01"]


def test_params_and_concurrent_clients(served: Served) -> None:
    fields = {"query": (Path(__file__).parents[1] / "kg/named_queries/manager-chain.rq").read_text(),
              "param.person": "P19"}
    assert ids(post_form(served, fields)[2]) == ["P14", "P09", "P08", "P06", "P02", "P01"]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: post_form(served, fields), range(16)))
    assert {a[0] for a in answers} == {200} and len({a[2] for a in answers}) == 1
    # param.NAME resolves a person exactly as `kg who` does: a name in any case, an id, an IRI
    example = Path(__file__).parents[1] / "kg" / "data" / "example_org.csv"
    rows = list(csv.DictReader(example.open(encoding="utf-8")))
    p19 = next(r for r in rows if r["employee_id"] == "P19")
    for value in (p19["name"].upper(), "P19", "poid:example-product-org/post/P19"):
        chain = ids(post_form(served, fields | {"param.person": value})[2])
        assert chain == ["P14", "P09", "P08", "P06", "P02", "P01"], value
    status, _, body = post_form(served, fields | {"param.person": "nobody at all"})
    assert status == 400 and b"no person matches" in body and body.count(b"\n") <= 1


def test_service_description(served: Served) -> None:
    status, headers, body = call(served.url + "sparql", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    triples = [q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)]
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = ox.NamedNode(served.url + "sparql")
    assert ox.Triple(endpoint, ox.NamedNode(sd + "endpoint"), endpoint) in triples
    assert ox.Triple(endpoint, ox.NamedNode(sd + "supportedLanguage"), ox.NamedNode(sd + "SPARQL11Query")) \
        in triples
    browser = call(served.url + "sparql", headers={"Accept": "text/html"})
    assert browser[0] == 200 and b'id="yasgui"' in browser[2]  # redirected to the editor


@pytest.mark.parametrize("page", ["", "simple", "resource?iri=http://example.org/x"])
def test_query_page_is_offline_and_locked_down(served: Served, page: str) -> None:
    status, headers, body = call(served.url + page)
    assert status == 200 and "default-src 'self'" in headers["Content-Security-Policy"]
    html = body.decode()
    assets = [a for a in re.findall(r'(?:src|href)="([^"]+)"', html) if a not in ("data:,", "/", "/simple")]
    assert assets and all(a.startswith(("/static/", "/lib/")) for a in assets)
    for asset in assets:
        assert call(served.url + asset.lstrip("/"))[0] == 200
        if asset.endswith(".js") and asset.startswith("/static/") and "yasgui" not in asset:  # (ours only)
            script = call(served.url + asset.lstrip("/"))[2].decode()
            assert "innerHTML" not in script and "http" not in script.replace("http-equiv", "")
    assert call(served.url + "static/../server.py")[0] == 404
    listed = json.loads(call(served.url + "queries.json")[2])
    assert "manager-chain" in {q["name"] for q in listed["queries"]}


def test_a_load_is_not_blocked_and_its_data_is_seen(served: Served, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    extra = tmp_path / "newcomers.csv"
    extra.write_text("employee_id,name,job_title,manager_id\nN1,Nia Newton,Chief Newcomer Officer,\n")
    monkeypatch.setenv("KG_LOCK_TIMEOUT", "10")  # the load fails if the server keeps it waiting longer
    stop = threading.Event()
    statuses: list[int] = []

    def client() -> None:  # workers keep the store open between queries: they must step aside for a writer
        while not stop.is_set():
            statuses.append(get(served, IDS + " LIMIT 1")[0])

    clients = [threading.Thread(target=client) for _ in range(4)]
    for thread in clients:
        thread.start()
    try:
        time.sleep(0.3)
        with opened(served.store, write=True) as store:
            load_files(store, [extra])
    finally:
        stop.set()
        for thread in clients:
            thread.join()
    assert statuses and set(statuses) == {200}
    assert ids(get(served, 'SELECT ?id WHERE { ?p po:identifier ?id FILTER(?id = "N1") }')[2]) == ["N1"]


def test_dns_rebinding_and_bad_requests_are_refused(served: Served) -> None:
    query = "?" + urlencode({"query": IDS})
    rebound = call(served.url + "sparql" + query, headers={"Host": "attacker.example:7878"})
    assert rebound[0] == 403 and b"localhost" in rebound[2]
    assert call(served.url + "sparql" + query, headers={"Host": "localhost:1234"})[0] == 200
    assert call(served.url + "sparql", b"", {"Content-Type": "application/sparql-query",
                                           "Content-Length": "-5"})[0] == 400


def test_bound_elsewhere_warns(served: Served) -> None:
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "--store", str(served.store), "serve",
                                "--host", "0.0.0.0", "--port", "0", "--workers", "1"],
                               stderr=subprocess.PIPE, text=True)
    try:
        first = process.stderr.readline()
        assert first.startswith("warning: listening on 0.0.0.0")
    finally:
        process.terminate()
        process.wait(10)


# -- a real SPARQL client ------------------------------------------------------------------------------------


def test_sparqlwrapper_client(served: Served) -> None:
    from SPARQLWrapper import CSV, JSON, POST, TURTLE, SPARQLWrapper

    client = SPARQLWrapper(served.url + "sparql")
    client.setQuery("SELECT ?name WHERE { ?p po:identifier 'P02' ; org:heldBy/foaf:name ?name }")
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    assert [r["name"]["value"] for r in rows] == ["Daniel Reyes"]
    client.setMethod(POST)
    client.setReturnFormat(CSV)
    table = list(csv.reader(io.StringIO(client.query().convert().decode())))
    assert table == [["name"], ["Daniel Reyes"]]
    client.setQuery('ASK { ?p po:identifier "P52" }')
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True
    client.setQuery("CONSTRUCT { ?p po:dottedLineReportsTo ?m } WHERE { ?p po:dottedLineReportsTo ?m }")
    client.setReturnFormat(TURTLE)
    import rdflib

    graph = rdflib.Graph().parse(data=client.query().convert(), format="turtle")
    assert len(graph) == 3


# -- a real browser ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip("Chromium is not installed (/usr/bin/chromium)")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # console messages, for get_log
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


def _run_on_page(browser, expected_rows: int | None = None) -> list[list[str]]:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.find_element(By.ID, "run").click()
    WebDriverWait(browser, WAIT).until(
        lambda d: d.find_element(By.ID, "status").text and not d.find_element(By.ID, "status").text
        .startswith("Running"))
    return [[td.get_property("textContent") for td in tr.find_elements(By.TAG_NAME, "td")]
            for tr in browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")]


def test_query_page_in_a_browser(served: Served, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    browser.get(served.url + "simple")
    WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.ID, "named").get_attribute("data-loaded"))
    Select(browser.find_element(By.ID, "named")).select_by_value("dotted-lines")
    assert "po:dottedLineReportsTo" in browser.find_element(By.ID, "query").get_property("value")
    rows = _run_on_page(browser)
    assert [r[0] for r in rows] == ["P28", "P29", "P30"] and rows[0][3] == "P09"
    assert browser.find_element(By.ID, "status").text.startswith("3 rows")
    assert browser.find_element(By.ID, "download").is_enabled()
    # the CSV download is formula-safe for spreadsheets and quotes like RFC 4180
    assert browser.execute_script("return [csvCell('=1+2'), csvCell('-3'), csvCell('a,\"b\"')]") == [
        "'=1+2", "-3", '"a,""b"""']

    Select(browser.find_element(By.ID, "named")).select_by_value("manager-chain")
    browser.find_element(By.ID, "run").click()
    assert browser.find_element(By.ID, "status").text == "Fill in ?person first."
    browser.find_element(By.ID, "param-person").send_keys("Isabel Costa")
    assert [r[1] for r in _run_on_page(browser)] == ["P14", "P09", "P08", "P06", "P02", "P01"]


def _own_query(browser, url: str, query: str) -> list[list[str]]:
    """Open the query page at ``url``, type ``query`` into the editor and run it; the result rows."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    browser.get(url + "simple")
    WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.ID, "named").get_attribute("data-loaded"))
    Select(browser.find_element(By.ID, "named")).select_by_value("")
    box = browser.find_element(By.ID, "query")
    box.clear()
    box.send_keys(query)
    return _run_on_page(browser)


def test_query_page_shows_data_as_text_and_errors(served: Served, browser) -> None:
    from selenium.webdriver.common.by import By

    query = 'SELECT ?x WHERE { BIND("<img id=pwned src=x onerror=alert(1)>" AS ?x) }'
    assert _own_query(browser, served.url, query) == [["<img id=pwned src=x onerror=alert(1)>"]]
    assert browser.find_elements(By.ID, "pwned") == []
    box = browser.find_element(By.ID, "query")
    box.clear()
    box.send_keys("SELECT ?x WHERE { ?x")
    _run_on_page(browser)
    error = browser.find_element(By.ID, "error")
    assert error.is_displayed() and "SPARQL syntax error at line 1" in error.text


# -- the resource browser ------------------------------------------------------------------------------------


def _page_is_clean(browser, origin: str) -> None:
    """No request left the server and the console is empty (no error, no warning, no refusal by the CSP)."""
    urls = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert urls and all(u.startswith(origin) for u in urls), urls
    messages = browser.get_log("browser")
    assert messages == [], messages


def _resource_loaded(browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-loaded"))


def test_result_iris_open_resource_pages(served: Served, browser) -> None:
    from selenium.webdriver.common.by import By

    from kg import org
    from kg.resource import TYPE, describe

    browser.get_log("browser")  # forget the messages of earlier tests
    with opened(served.store) as store:
        person = org.who(store, "P19")
        chain = org.chain(store, "P19").people
        manager_reports = org.reports(store, chain[0]["iri"])
    _own_query(browser, served.url, 'SELECT ?post WHERE { ?post po:identifier "P19" }')
    browser.find_element(By.CSS_SELECTOR, "#results td.iri a").click()
    _resource_loaded(browser)
    assert browser.current_url.endswith("/resource?iri=" + person["iri"].replace(":", "%3A").replace("/", "%2F"))
    assert browser.find_element(By.ID, "title").text.startswith(person["name"])
    shown = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#chain a")]
    assert [s.split(" — ")[0] for s in shown] == [p["name"] for p in chain]
    out = {tr.find_elements(By.TAG_NAME, "td")[0].text for tr in browser.find_elements(By.CSS_SELECTOR, "#out tr")
           if tr.find_elements(By.TAG_NAME, "td")}
    assert "po:identifier" in out and "rdf:type" in out
    with opened(served.store) as store:
        data = describe(store, person["iri"])
    links = [r for r in data["out"] if r["predicate"] != TYPE] + data["in"]
    ends = {(t["type"], t["value"]) for t in [r["o"] for r in data["out"] if r["predicate"] != TYPE] +
            [r["s"] for r in data["in"]]}
    graph = browser.find_element(By.ID, "graph")  # the neighbourhood, drawn
    assert graph.get_attribute("data-edges") == str(len(links)) and graph.find_elements(By.TAG_NAME, "canvas")
    assert graph.get_attribute("data-nodes") == str(len(ends | {("uri", person["iri"])}))
    _page_is_clean(browser, served.url)
    browser.find_elements(By.CSS_SELECTOR, "#chain a")[0].click()  # the manager's page
    _resource_loaded(browser)
    assert browser.find_element(By.ID, "title").text.startswith(chain[0]["name"])
    reports = [a.get_attribute("title") for a in browser.find_elements(By.CSS_SELECTOR, "#reports a")]
    assert reports == [r["iri"] for r in manager_reports] and person["iri"] in reports
    _page_is_clean(browser, served.url)


def test_resource_page_of_a_role_shows_its_ladder_and_sourced_responsibilities(served: Served, browser) -> None:
    from selenium.webdriver.common.by import By

    from kg.knowledge import role_profile

    browser.get_log("browser")
    with opened(served.store) as store:
        role = role_profile(store, "Head of Product")
    assert role["responsibilities"] and role["career_path"]
    browser.get(served.url + "resource?" + urlencode({"iri": role["iri"]}))
    _resource_loaded(browser)
    assert [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#ladder li")] == role["career_path"]
    assert browser.find_element(By.CSS_SELECTOR, "#ladder li.current").text == role["label"]
    items = browser.find_elements(By.CSS_SELECTOR, "#responsibilities > li")
    assert [li.find_element(By.TAG_NAME, "a").text for li in items] == [f["target"] for f in role["responsibilities"]]
    quotes = [q.text for q in browser.find_elements(By.CSS_SELECTOR, "#responsibilities blockquote")]
    assert quotes and all(any(s["quote"] in q for q in quotes) for f in role["responsibilities"] for s in f["sources"])
    assert browser.find_element(By.ID, "person").get_attribute("hidden")  # a role is not a person
    _page_is_clean(browser, served.url)


def test_resource_page_of_a_unit_lists_its_people(served: Served, browser) -> None:
    from selenium.webdriver.common.by import By

    from kg import org

    browser.get_log("browser")
    with opened(served.store) as store:
        unit = store.select("SELECT ?u (COUNT(?p) AS ?n) WHERE { ?p org:postIn ?u } GROUP BY ?u ORDER BY DESC(?n) "
                            "LIMIT 1")[0]["u"]
        posts = [r["p"] for r in store.select("SELECT ?p WHERE { ?p org:postIn ?u }", u=ox.NamedNode(unit))]
        members = org.records(store, posts)
    browser.get(served.url + "resource?" + urlencode({"iri": unit}))
    _resource_loaded(browser)
    shown = [a.get_attribute("title") for a in browser.find_elements(By.CSS_SELECTOR, "#members a")]
    assert sorted(shown) == sorted(members) and len(shown) > 1
    names = [a.text.split(" — ")[0] for a in browser.find_elements(By.CSS_SELECTOR, "#members a")]
    assert names == sorted(names, key=lambda n: (n == "(no name)", n.casefold()))  # vacant posts last
    _page_is_clean(browser, served.url)


HOSTILE = '<img id=pwned src=x onerror="document.title=1">'
HOSTILE_TITLE = "</script><b id=pwned>x</b>"


def _hostile_store(tmp_path: Path) -> tuple[Path, str]:
    """A store whose person H1 is named HOSTILE and reports to B1 (Boss, titled HOSTILE_TITLE); H1's IRI."""
    from kg import org

    data = tmp_path / "hostile.csv"
    data.write_text("employee_id,name,job_title,manager_id\n"
                    f'B1,Boss,"{HOSTILE_TITLE}",\nH1,"{HOSTILE.replace(chr(34), chr(34) * 2)}",Analyst,B1\n')
    store = tmp_path / "store"
    with opened(store, write=True) as db:
        load_files(db, [data])
        iri = org.who(db, "H1")["iri"]
    return store, iri


def test_resource_page_shows_hostile_data_as_text(browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from serving import serving

    hostile = HOSTILE
    store, iri = _hostile_store(tmp_path)
    with serving(store, "--workers", "1") as running:
        browser.get_log("browser")
        browser.get(running.url + "resource?iri=" + iri)
        _resource_loaded(browser)
        assert browser.find_element(By.ID, "title").text.startswith(hostile)
        assert browser.find_element(By.CSS_SELECTOR, "#chain a").text.startswith("Boss — " + HOSTILE_TITLE)
        assert browser.find_elements(By.ID, "pwned") == [] and browser.title != "1"
        browser.get(running.url + "resource?iri=" + "javascript:alert(1)")
        _resource_loaded(browser)
        assert browser.find_element(By.ID, "status").text == "Nothing in the graph mentions this IRI."
        _page_is_clean(browser, running.url)


# -- the editor (YASGUI) -------------------------------------------------------------------------------------


def _editor(browser, url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(1600, 1000)  # wide enough that result IRIs are not cut (a cut cell expands first)
    browser.get(url + "static/editor.html")
    browser.execute_script("localStorage.clear()")  # YASGUI keeps tabs in the browser: start afresh
    browser.get(url)
    WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-loaded"))


def _hints(browser, text: str) -> list[str]:
    """The completions the editor offers at the end of ``text``."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.execute_script("const y = ed.yasgui.getTab().getYasqe(); y.setValue(arguments[0]);"
                           "y.setCursor(y.lastLine(), y.getLine(y.lastLine()).length); y.autocomplete();", text)
    WebDriverWait(browser, WAIT).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li"))
    hints = [li.text for li in browser.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li")]
    browser.execute_script("ed.yasgui.getTab().getYasqe().closeHint && ed.yasgui.getTab().getYasqe().closeHint()")
    return hints


def _table(browser) -> list[list[str]]:
    """The rows of the active tab's result table as shown (read at once: YASR redraws it at any time)."""
    return browser.execute_script(
        "return [...document.querySelectorAll('.tabPanel.active .yasr tbody tr')]"
        ".map(tr => [...tr.querySelectorAll('td')].map(td => td.innerText.trim()))")


def test_editor_highlights_completes_runs_named_queries_and_sorts(served: Served, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    from kg import org
    from kg.vocab import PREFIXES

    browser.get_log("browser")
    with opened(served.store) as store:
        chain = org.chain(store, "Isabel Costa").people
        classes = {r["c"] for r in store.select(
            "SELECT DISTINCT ?c WHERE { VALUES ?t { owl:Class rdfs:Class } ?c a ?t }")}
    _editor(browser, served.url)
    keywords = set(browser.execute_script(  # read at once: CodeMirror redraws its lines at any time
        "return [...document.querySelectorAll('.tabPanel.active .CodeMirror .cm-keyword')].map(e => e.textContent)"))
    assert {"PREFIX", "SELECT", "WHERE"} <= keywords  # highlighted
    assert f"po: <{PREFIXES['po']}>" in _hints(browser, "PREFIX p")  # kg's po, not another vocabulary's
    offered = _hints(browser, f"PREFIX po: <{PREFIXES['po']}>\nSELECT * WHERE {{ ?x a po:")  # kg's classes
    assert offered and {PREFIXES["po"] + h[len("po:"):] for h in offered} <= classes

    Select(browser.find_element(By.ID, "named")).select_by_value("manager-chain")
    browser.find_element(By.ID, "param-person").send_keys("Isabel Costa")
    browser.find_element(By.ID, "run-named").click()
    WebDriverWait(browser, WAIT).until(lambda d: len(_table(d)) == len(chain))
    assert [row[2] for row in _table(browser)] == [p["id"] for p in chain]
    browser.find_element(By.XPATH, "//div[contains(@class,'tabPanel') and contains(@class,'active')]"
                                   "//th[normalize-space()='id']").click()
    WebDriverWait(browser, WAIT).until(lambda d: [r[2] for r in _table(d)] == sorted(p["id"] for p in chain))
    browser.find_element(By.XPATH, "//div[contains(@class,'tabPanel') and contains(@class,'active')]"
                                   "//th[normalize-space()='id']").click()
    WebDriverWait(browser, WAIT).until(
        lambda d: [r[2] for r in _table(d)] == sorted((p["id"] for p in chain), reverse=True))
    _page_is_clean(browser, served.url)

    top = max(chain, key=lambda p: p["id"])  # first row now
    link = browser.find_element(By.CSS_SELECTOR, f".tabPanel.active .yasr tbody a.iri[title='{top['iri']}']")
    link.click()
    WebDriverWait(browser, WAIT).until(lambda d: "/resource?iri=" in d.current_url)
    _resource_loaded(browser)
    assert browser.find_element(By.ID, "title").text.startswith(top["name"])
    with opened(served.store) as store:
        above = org.chain(store, top["iri"]).people
    assert above  # the resource page shows the person's chain, each a link to that manager's page
    assert [a.get_attribute("title") for a in browser.find_elements(By.CSS_SELECTOR, "#chain a")] == \
        [p["iri"] for p in above]
    browser.find_elements(By.CSS_SELECTOR, "#chain a")[0].click()
    WebDriverWait(browser, WAIT).until(lambda d: d.current_url.endswith(quote(above[0]["iri"], safe="")))
    _resource_loaded(browser)
    assert browser.find_element(By.ID, "title").text.startswith(above[0]["name"])
    assert top["iri"] in [a.get_attribute("title") for a in browser.find_elements(By.CSS_SELECTOR, "#reports a")]
    _page_is_clean(browser, served.url)


def _errors_marked(browser) -> int:
    """How many lines the editor marks as invalid (its gutter error icons), once its check has run."""
    return browser.execute_script("ed.yasgui.getTab().getYasqe().checkSyntax(); return document.querySelectorAll("
                                  "'.tabPanel.active .CodeMirror .parseErrorIcon').length")


def test_editor_knows_the_predeclared_prefixes(served: Served, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    from kg.vocab import PREFIXES

    query = "SELECT * WHERE { ?p org:reportsTo ?m }"
    browser.get_log("browser")
    with opened(served.store) as store:
        rows = min(len(store.select(query)), MAX_ROWS)
    assert rows
    _editor(browser, served.url)
    browser.execute_script("const y = ed.yasgui.getTab().getYasqe(); y.setValue(''); y.focus();")
    box = browser.find_element(By.CSS_SELECTOR, ".tabPanel.active .CodeMirror textarea")
    box.send_keys(query)  # typed as an analyst types it, no PREFIX line
    box.send_keys(Keys.ESCAPE)  # (closes a completion list, if one opened)
    typed = browser.execute_script("return ed.yasgui.getTab().getYasqe().getValue()")
    assert "org:reportsTo" in typed and "PREFIX" not in typed  # nothing was added to the analyst's text
    assert _errors_marked(browser) == 0 and browser.execute_script(
        "return ed.yasgui.getTab().getYasqe().queryValid")
    browser.execute_script("ed.yasgui.getTab().getYasqe().setValue(arguments[0])", query)  # pasted
    assert _errors_marked(browser) == 0
    browser.execute_script("ed.yasgui.getTab().getYasqe().setValue(arguments[0])", query.replace("org:", "nope:"))
    assert _errors_marked(browser) == 1  # an undeclared prefix is still an error
    # after a predeclared prefix, class completion needs no PREFIX line either
    with opened(served.store) as store:
        classes = {r["c"] for r in store.select(
            "SELECT DISTINCT ?c WHERE { VALUES ?t { owl:Class rdfs:Class } ?c a ?t }")}
    offered = _hints(browser, "SELECT * WHERE { ?x a po:")
    assert offered and {PREFIXES["po"] + h[len("po:"):] for h in offered} <= classes
    browser.execute_script("const t = ed.yasgui.getTab(); t.getYasqe().setValue(arguments[0]); t.query();", query)
    WebDriverWait(browser, WAIT).until(lambda d: len(_table(d)) == rows)
    # the same prefixes as the command line: the page lists all of them
    assert browser.find_element(By.ID, "prefixes").text.split(", ") == list(PREFIXES)
    _page_is_clean(browser, served.url)


def test_editor_shows_hostile_data_as_text_and_downloads_safe_csv_and_json(served: Served, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get_log("browser")
    _editor(browser, served.url)
    hostile = "<img id=pwned src=x onerror=document.title=666> &amp; <b id=pwned>"
    title = browser.title
    query = f'SELECT ?x ?f WHERE {{ BIND("{hostile}" AS ?x) BIND("=1+1" AS ?f) }}'
    expected = json.loads(get(served, query, "application/sparql-results+json")[2])
    assert [b["x"]["value"] for b in expected["results"]["bindings"]] == [hostile]
    browser.execute_script("const t = ed.yasgui.getTab(); t.getYasqe().setValue(arguments[0]); t.query();", query)
    WebDriverWait(browser, WAIT).until(lambda d: _table(d))
    assert _table(browser)[0][1:] == [hostile, "=1+1"]
    assert browser.find_elements(By.ID, "pwned") == [] and browser.title == title
    # the table's filter finds the text as text
    count = "return ed.yasgui.getTab().getYasr().plugins.table.dataTable.search(arguments[0]).draw().rows({search: " \
            "'applied'}).count()"
    assert browser.execute_script(count, "onerror=document") == 1 and browser.execute_script(count, "nowhere") == 0
    browser.execute_script(count, "")
    # CSV: a cell a spreadsheet would run as a formula comes out as text
    csv_text = browser.execute_script("return ed.yasgui.getTab().getYasr().plugins.table.download().getData()")
    assert list(csv.reader(io.StringIO(csv_text))) == [["x", "f"], [hostile, "'=1+1"]]
    # JSON (the Response view's download): valid SPARQL JSON results, the same as the endpoint's
    download = browser.execute_script("const d = ed.yasgui.getTab().getYasr().plugins.response.download();"
                                      "return [d.filename, d.contentType, d.getData()]")
    assert download[0].endswith(".json") and download[1] == "application/sparql-results+json"
    results = json.loads(download[2])
    assert results["head"]["vars"] == ["x", "f"] and results == expected
    assert results["results"]["bindings"][0]["f"] == {"type": "literal", "value": "=1+1"}  # data, unchanged
    browser.find_element(By.XPATH, "//div[contains(@class,'tabPanel') and contains(@class,'active')]"
                                   "//*[normalize-space()='Response']").click()  # the raw response, as text
    WebDriverWait(browser, WAIT).until(lambda d: "onerror" in d.find_element(
        By.CSS_SELECTOR, ".tabPanel.active .yasr .CodeMirror").text)
    assert browser.find_elements(By.ID, "pwned") == [] and browser.title == title
    # nothing parsed a cell as HTML: the console is empty, not even a refused event handler
    messages = browser.get_log("browser")
    assert messages == [], messages
    urls = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert urls and all(u.startswith(served.url) for u in urls), urls


def test_editor_shows_hostile_labels_from_data_as_text(browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
    from serving import serving

    store, _ = _hostile_store(tmp_path)
    pattern = "?p po:identifier ?id ; org:heldBy/foaf:name|foaf:name ?n ; po:jobTitle ?t"
    with opened(store) as db:
        rows = db.select(f"SELECT DISTINCT ?p ?n ?t WHERE {{ {pattern} }}")
    triples = {(r["p"], "name", r["n"]) for r in rows} | {(r["p"], "title", r["t"]) for r in rows}
    with serving(store, "--workers", "1") as running:
        browser.get_log("browser")
        _editor(browser, running.url)
        title = browser.title
        # the side panel (a value in <...> is an IRI there, so the hostile person by id)
        Select(browser.find_element(By.ID, "named")).select_by_value("manager-chain")
        browser.find_element(By.ID, "param-person").send_keys("H1")
        browser.find_element(By.ID, "run-named").click()
        WebDriverWait(browser, WAIT).until(lambda d: _table(d))
        assert [row[2:5] for row in _table(browser)] == [["B1", "Boss", HOSTILE_TITLE]]
        # another query in the same tab: the named query's ?person binding is dropped, not refused
        query = f"CONSTRUCT {{ ?p foaf:name ?n ; po:jobTitle ?t }} WHERE {{ {pattern} }}"
        browser.execute_script("const t = ed.yasgui.getTab(); t.getYasqe().setValue(arguments[0]); t.query();",
                               query)
        WebDriverWait(browser, WAIT).until(lambda d: any(HOSTILE in " ".join(r) for r in _table(d)))
        cells = {c for row in _table(browser) for c in row}
        assert f'"{HOSTILE}"^^xsd:string' in cells and f'"{HOSTILE_TITLE}"^^xsd:string' in cells
        browser.find_element(By.XPATH, "//div[contains(@class,'tabPanel') and contains(@class,'active')]"
                                       "//*[normalize-space()='Graph']").click()
        graph = WebDriverWait(browser, WAIT).until(
            lambda d: d.find_element(By.CSS_SELECTOR, ".tabPanel.active .kg-graph"))
        assert graph.get_attribute("data-edges") == str(len(triples)) and graph.find_elements(By.TAG_NAME, "canvas")
        assert browser.find_elements(By.ID, "pwned") == [] and browser.title == title
        messages = browser.get_log("browser")  # not even a refused handler: nothing was parsed as HTML
        assert messages == [], messages
        _page_is_clean(browser, running.url)


def test_editor_draws_construct_results_as_a_graph(served: Served, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    pattern = '?p org:reportsTo ?m . ?m po:identifier ?id FILTER(?id IN ("P01", "P02"))'
    browser.get_log("browser")
    with opened(served.store) as store:
        edges = store.select(f"SELECT ?p ?m WHERE {{ {pattern} }}")
    assert 0 < len(edges) < MAX_ROWS  # all drawn
    _editor(browser, served.url)
    browser.execute_script("const t = ed.yasgui.getTab(); t.getYasqe().setValue(arguments[0]); t.query();",
                           f"CONSTRUCT {{ ?p org:reportsTo ?m }} WHERE {{ {pattern} }}")
    WebDriverWait(browser, WAIT).until(lambda d: _table(d))
    browser.find_element(By.XPATH, "//div[contains(@class,'tabPanel') and contains(@class,'active')]"
                                   "//*[normalize-space()='Graph']").click()
    graph = WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.CSS_SELECTOR, ".tabPanel.active .kg-graph"))
    assert graph.get_attribute("data-edges") == str(len(edges)) and graph.find_elements(By.TAG_NAME, "canvas")
    assert graph.get_attribute("data-nodes") == str(len({e["p"] for e in edges} | {e["m"] for e in edges}))
    _page_is_clean(browser, served.url)


def test_editor_charts_counts_by_group(served: Served, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    query = ("SELECT ?unit (COUNT(?p) AS ?n) WHERE { ?p org:postIn ?u . ?u skos:prefLabel|rdfs:label ?unit } "
             "GROUP BY ?unit ORDER BY ?unit")
    browser.get_log("browser")
    with opened(served.store) as store:
        expected = [(r["unit"], r["n"]) for r in store.select(query)]
    assert 1 < len(expected) < MAX_ROWS
    _editor(browser, served.url)
    browser.execute_script("const t = ed.yasgui.getTab(); t.getYasqe().setValue(arguments[0]); t.query();",
                           "PREFIX org: <http://www.w3.org/ns/org#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
                           "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" + query)
    WebDriverWait(browser, WAIT).until(lambda d: _table(d))
    browser.find_element(By.XPATH, "//div[contains(@class,'tabPanel') and contains(@class,'active')]"
                                   "//*[normalize-space()='Chart']").click()
    rows = WebDriverWait(browser, WAIT).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".tabPanel.active .kg-chart .bar-row"))
    shown = [(r.find_element(By.CLASS_NAME, "bar-label").text, r.find_element(By.CLASS_NAME, "bar-value").text)
             for r in rows]
    assert shown == expected
    widths = [float(r.find_element(By.CLASS_NAME, "bar").get_attribute("style").split(":")[1].strip(" %;"))
              for r in rows]
    biggest = max(int(n) for _, n in expected)
    assert widths == [round(100 * int(n) / biggest, 1) for _, n in expected]
    _page_is_clean(browser, served.url)


def test_editor_keeps_tabs_and_queries_across_visits(served: Served, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _editor(browser, served.url)
    query = 'SELECT ?t WHERE { ?p <http://w3id.org/product-org/ontology#identifier> "P19" ; ' \
            '<http://w3id.org/product-org/ontology#jobTitle> ?t }'
    browser.execute_script("const t = ed.yasgui.addTab(true, {name: 'kept'}); t.show(); "
                           "t.getYasqe().setValue(arguments[0]); t.query();", query)
    WebDriverWait(browser, WAIT).until(lambda d: _table(d))
    browser.refresh()  # a later visit: the tab and its query are still there (kept in the browser)
    WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-loaded"))
    names = [t.text for t in browser.find_elements(By.CSS_SELECTOR, ".tabsList .tab")]
    assert "kept" in " ".join(names)
    assert browser.execute_script("return ed.yasgui.getTab().getYasqe().getValue()") == query
