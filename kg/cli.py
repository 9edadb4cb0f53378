"""The `kg` command line: thin commands that parse options, call one library function, format the result.

Exit codes: 0 success, 1 error (not found, ambiguous, bad input, bad data), 2 usage.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from kg.choices import (
    EXPORT_FORMATS,
    GRAPH_FORMATS,
    GRAPHS,
    MATCH_KEYS,
    METRICS,
    RELATIONS,
    REPORT_FORMATS,
    ROW_FORMATS,
    SOLUTION_FORMATS,
)
from kg.errors import KGError
from kg.look import COLOUR_CHOICES, PAPER_CHOICES, VIEWS

if TYPE_CHECKING:
    from pathlib import Path

EXIT_CODES = "Exit codes: 0 success, 1 error (not found, ambiguous, bad input or data), 2 usage."
PERSON_COLUMNS = ["id", "name", "title"]
FORMATS = click.Choice(ROW_FORMATS)


class FilePath(click.Path):
    """A file argument given to the command as a :class:`pathlib.Path` (imported when a command takes one, not
    at start-up: `kg --help` and the lookups never need it)."""

    def coerce_path_result(self, value: Any) -> Any:
        from pathlib import Path

        return Path(value)


# Options of the main command, accepted after the subcommand too (`kg who X --store S`); ``--format`` is the
# subcommands' own option, accepted before the subcommand too (`kg --format json who X`).
GLOBAL_OPTIONS = ("--store", "--endpoint", "--update-endpoint", "--as-of")
SUBCOMMAND_OPTIONS = ("--format",)


def _option_names(command: click.Command) -> set[str]:
    return {name for p in command.params for name in getattr(p, "opts", ())}


def reorder_options(group: click.Group, args: list[str]) -> list[str]:
    """``args`` with the global options given after the subcommand moved before it, and the subcommand's own
    options (``--format``) given before it moved after it; an option the subcommand itself defines stays.

    >>> @click.group()
    ... @click.option("--store")
    ... def g(store): pass
    >>> @g.command()
    ... @click.option("--format")
    ... @click.argument("x")
    ... def who(format, x): pass
    >>> reorder_options(g, ["who", "X", "--store", "s"]), reorder_options(g, ["--format", "json", "who", "X"])
    (['--store', 's', 'who', 'X'], ['who', '--format', 'json', 'X'])
    """
    before: list[str] = []
    i = 0
    while i < len(args) and args[i] not in group.commands:  # the main command's options, up to the command
        if args[i] == "--":
            return args
        name = args[i].split("=", 1)[0]
        takes_value = "=" not in args[i] and name in GLOBAL_OPTIONS + SUBCOMMAND_OPTIONS
        before += args[i:i + 2] if takes_value else args[i:i + 1]
        i += 2 if takes_value else 1
    if i == len(args):
        return args
    command = group.commands[args[i]]
    own = _option_names(command)
    moved_in = [a for k, a in _split(before, SUBCOMMAND_OPTIONS) if k and (k in own)]
    front = [a for k, a in _split(before, SUBCOMMAND_OPTIONS) if not (k and k in own)]
    rest, moved_out = [], []
    for k, a in _split(args[i + 1:], GLOBAL_OPTIONS):
        (moved_out if k and k not in own else rest).append(a)
    return front + moved_out + [args[i]] + moved_in + rest


def _split(args: list[str], names: tuple[str, ...]) -> list[tuple[str | None, str]]:
    """Each token with the option name it belongs to when it is one of ``names`` (or its value), else None;
    nothing after ``--`` is an option."""
    out: list[tuple[str | None, str]] = []
    i = 0
    while i < len(args):
        token = args[i]
        if token == "--":
            out += [(None, a) for a in args[i:]]
            break
        name = token.split("=", 1)[0]
        if name in names:
            out.append((name, token))
            if "=" not in token and i + 1 < len(args):
                out.append((name, args[i + 1]))
                i += 1
        else:
            out.append((None, token))
        i += 1
    return out


class KGGroup(click.Group):
    """Turns library errors into one clear line on stderr and exit code 1 (never a traceback); accepts the
    global options after the subcommand and ``--format`` before it (:func:`reorder_options`)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, reorder_options(self, list(args)))

    def invoke(self, ctx: click.Context) -> Any:
        # Exit outside the except blocks, so no traceback (holding open stores) is chained to SystemExit.
        try:
            return super().invoke(ctx)
        except KGError as exc:
            message, code = f"error: {exc}", 1
        except KeyboardInterrupt:
            message, code = "interrupted", 130
        except BrokenPipeError:
            message, code = "", 0
        except OSError as exc:  # disk full, read-only file system...: one line, never a traceback
            from kg.errors import os_error_message

            message, code = f"error: {os_error_message(exc)}", 1
        except Exception as exc:
            message, code = _fault(exc, _store_path(ctx)), 1
        if message:
            from kg.render import terminal_safe

            click.echo(terminal_safe(message), err=True)
        sys.exit(code)


    SECTIONS = (
        ("Load and manage data", ("demo", "load", "sources", "unload", "validate", "push", "doctor")),
        ("Who reports to whom", ("who", "manager", "chain", "reports", "peers", "common-manager", "span",
                                 "search", "stats")),
        ("Roles and concepts", ("roles", "role", "compare", "explain", "titles")),
        ("SPARQL", ("query", "queries", "serve")),
        ("Network analytics", ("path", "centrality", "layers", "health", "communities")),
        ("Charts and exports", ("viz", "export")),
        ("Change over time", ("diff", "whatif")),
    )

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Commands listed by task rather than alphabetically."""
        listed: set[str] = set()
        for title, names in self.SECTIONS + (("Other", tuple(self.list_commands(ctx))),):
            rows = []
            for name in names:
                command = self.get_command(ctx, name)
                if command is None or command.hidden or name in listed:
                    continue
                listed.add(name)
                rows.append((name, command.get_short_help_str(limit=formatter.width - 20)))
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def _fault(exc: Exception, store: str | None) -> str:
    """One line for a damaged chart index found while reading it; anything else is a bug: raised again."""
    import sqlite3

    if isinstance(exc, sqlite3.Error):
        from kg.chart_index import disk_full
        from kg.errors import os_error_message
        from kg.store import chart_damaged, default_store_path

        path = default_store_path(store) / "chart.sqlite"
        full = disk_full(exc, path)
        return "error: " + (os_error_message(full) if full is not None else chart_damaged(path, exc))
    raise exc


def _progress(message: str) -> None:
    click.echo(_plain(message), err=True)  # file names and ids are data: never terminal control sequences


def _out(text: str) -> None:
    click.echo(text, nl=False)


def _rows(rows: list[dict[str, Any]], columns: list[str], fmt: str) -> None:
    from kg.render import render

    if fmt == "table" and not rows:
        click.echo("(none)")
        return
    _out(render(rows, columns, fmt))


def _one(obj: dict[str, Any] | None, fmt: str, columns: list[str] = PERSON_COLUMNS) -> None:
    from kg.render import to_json

    if fmt == "json":
        _out(to_json(obj))
    elif obj is None:
        click.echo("(none)") if fmt == "table" else _rows([], columns, fmt)
    else:
        _rows([obj], columns, fmt)


format_option = click.option("--format", "fmt", type=FORMATS, default="table", show_default=True,
                             help="Output format.")


def _restore_env(name: str, value: str | None) -> None:
    """Put an environment variable back as it was (the CLI also runs inside other programs and tests)."""
    import os

    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def _store_path(ctx: click.Context) -> str | None:
    return ctx.obj.get("store") if ctx.obj else None


@contextmanager
def _reading(ctx: click.Context, need_data: bool = True) -> Iterator[Any]:
    """Open the store for reading (the remote one with --endpoint); say how to get data when there is none."""
    from kg.errors import NoStoreError
    from kg.store import opened

    endpoint = ctx.obj.get("endpoint") if ctx.obj else None
    if endpoint:
        from kg.remote import open_remote

        manager = open_remote(endpoint, ctx.obj.get("update_endpoint"))
    else:
        manager = opened(_store_path(ctx), write=False, on_wait=_progress)
    with manager as store:
        if need_data and not store.has_data():
            how = "`kg push --endpoint URL`" if endpoint else "`kg load FILE` or `kg demo`"
            raise NoStoreError(f"the store at {store.path} holds no data: run {how}")
        yield store


@click.group(cls=KGGroup, epilog=EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", "store", envvar="KG_STORE", type=click.Path(file_okay=False),
              help="Store folder (default: .kg in the current directory; env KG_STORE).")
@click.option("--endpoint", envvar="KG_ENDPOINT", metavar="URL",
              help="Run lookups and queries against this SPARQL 1.1 endpoint instead of the store folder "
                   "(env KG_ENDPOINT; credentials from KG_ENDPOINT_USER, KG_ENDPOINT_PASSWORD).")
@click.option("--update-endpoint", envvar="KG_UPDATE_ENDPOINT", metavar="URL",
              help="SPARQL Update URL of that store, for `kg push` (env KG_UPDATE_ENDPOINT).")
@click.option("--as-of", "as_of", metavar="DATE",
              help="See, of each series of snapshots, the latest one on or before DATE (YYYY-MM-DD; env KG_AS_OF). "
                   "Default: the latest.")
@click.option("--snapshot", metavar="SNAPSHOT",
              help="See only this snapshot: SERIES@DATE, a series or a saved what-if (env KG_SNAPSHOT).")
@click.version_option(package_name="kg")
@click.pass_context
def main(ctx: click.Context, store: str | None, endpoint: str | None, update_endpoint: str | None,
         as_of: str | None, snapshot: str | None) -> None:
    """kg: a knowledge graph of product organizations. Load org charts, ask who reports to whom."""
    import os

    from kg.history import ENV_AS_OF, ENV_SNAPSHOT, env_as_of

    for name, value in ((ENV_AS_OF, as_of), (ENV_SNAPSHOT, snapshot)):
        if value is not None:  # read by every store this process and its workers open
            before = os.environ.get(name)
            ctx.call_on_close(lambda name=name, before=before: _restore_env(name, before))
            os.environ[name] = value
    env_as_of()  # a bad date is one clear line before any work
    ctx.ensure_object(dict)
    ctx.obj["store"] = store
    ctx.obj["endpoint"] = endpoint
    ctx.obj["update_endpoint"] = update_endpoint


# -- loading --------------------------------------------------------------------------------------------------


@main.command(epilog=EXIT_CODES)
@click.argument("files", nargs=-1, required=True, type=FilePath())
@click.option("--format", "file_format", help="File format, when the extension does not say: csv, turtle, nt, "
              "nquads, trig, json-ld, rdfxml.")
@click.option("--map", "mapping", multiple=True, metavar="FIELD=COLUMN",
              help="CSV: use COLUMN for FIELD (id, manager, name, first_name, last_name, title, unit, fte, "
                   "dotted, grade, org, photo). Repeatable.")
@click.option("--normalize-ids", is_flag=True, help="CSV: strip leading zeros and fold case in ids.")
@click.option("--org", help="CSV: namespace for the IRIs minted (default: the Organisation column or file name).")
@click.option("--encoding", help="CSV: text encoding (default: UTF-8, else Windows-1252).")
@click.option("--name", "names", multiple=True, help="Source name (default: the file name). Repeatable.")
@click.option("--series", help="The FILES are snapshots of this organization (one name per organization).")
@click.option("--as-of", "snapshot", metavar="DATE",
              help="With --series: the date the FILES describe, YYYY-MM-DD (default: the date in each file name).")
@click.option("--titles", "title_map", type=FilePath(dir_okay=False), metavar="MAP.csv",
              help="Title map for these FILES: CSV with columns title,role (a role label or IRI; empty: no "
                   "role). It overrides the title matcher for the titles it lists.")
@click.option("--summary", "summary_fmt", type=FORMATS, default="table", show_default=True,
              help="Format of the load summary.")
@click.pass_context
def load(ctx: click.Context, files: tuple[Path, ...], file_format: str | None, mapping: tuple[str, ...],
         normalize_ids: bool, org: str | None, encoding: str | None, names: tuple[str, ...],
         series: str | None, snapshot: str | None, title_map: Path | None, summary_fmt: str) -> None:
    """Load CSV or RDF FILES into the store (each file replaces its earlier load). All or nothing."""
    from kg.ingest.csv_import import CsvOptions
    from kg.ingest.load import load_files
    from kg.render import to_json
    from kg.store import opened

    fields: dict[str, str] = {}
    for item in mapping:
        if "=" not in item:
            raise click.UsageError(f"--map {item}: expected FIELD=COLUMN")
        key, _, column = item.partition("=")
        fields[key.strip()] = column.strip()
    options = CsvOptions(mapping=fields, normalize_ids=normalize_ids, org=org, encoding=encoding)
    with opened(_store_path(ctx), write=True, on_wait=_progress) as store:
        titles = _title_map(store, title_map) if title_map else None
        reports = load_files(store, list(files), fmt=file_format, csv_options=options, names=list(names),
                             progress=_progress, series=series, as_of=snapshot, titles=titles)
    if summary_fmt == "json":
        _out(to_json([r.to_dict() for r in reports]))
        return
    if summary_fmt == "csv":
        keys = ["source", "format", "rows", "posts", "groups", "named_people", "edges", "dotted", "triples"]
        data = [r.to_dict() for r in reports]
        _rows([d | {"roots": d["roots_count"], "dangling": d["dangling_count"],
                    "duplicate_ids": d["duplicate_ids_count"], "cycles": d["cycles_count"],
                    "bad_managers": d["bad_managers_count"]} for d in data],
              keys + ["roots", "dangling", "duplicate_ids", "cycles", "bad_managers"], "csv")
        return
    for report in reports:
        click.echo(report.text())


def _title_map(store: Any, path: Path) -> dict[str, str | None]:
    from kg.errors import InputError
    from kg.knowledge import read_title_map

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the title map ({exc})") from exc
    return read_title_map(store, str(path), text)


@main.command(epilog=EXIT_CODES)
@format_option
@click.pass_context
def doctor(ctx: click.Context, fmt: str) -> None:
    """Check the store and repair what can be repaired (chart index rebuilt from the store, leftovers removed)."""
    from kg.doctor import doctor as run_doctor

    if ctx.obj.get("endpoint"):
        raise click.UsageError("kg doctor checks the local store; it does not take --endpoint")
    checks = [c.to_dict() for c in run_doctor(_store_path(ctx))]
    _rows(checks, ["check", "status", "detail"], fmt)


@main.command(epilog=EXIT_CODES)
@format_option
@click.pass_context
def sources(ctx: click.Context, fmt: str) -> None:
    """List the loaded sources with their counts."""
    with _reading(ctx, need_data=False) as store:
        seen = {s.graph for s in store.visible_sources()}
        rows = [{"name": s.name, "series": s.series or None, "as_of": s.as_of or None,
                 "visible": s.graph in seen, "format": s.format, "triples": s.triples,
                 "named_people": s.summary.get("named_people"), "posts": s.summary.get("posts"),
                 "edges": s.summary.get("edges"), "loaded_at": s.loaded_at, "path": s.path,
                 "graph": s.graph} for s in sorted(store.sources(), key=lambda s: (s.series, s.as_of, s.name))]
    columns = ["name", "format", "triples", "posts", "named_people", "edges", "loaded_at"]
    if any(r["series"] for r in rows):
        columns[1:1] = ["series", "as_of", "visible"]
    _rows(rows, columns, fmt)


@main.command(epilog=EXIT_CODES)
@click.argument("source")
@click.pass_context
def unload(ctx: click.Context, source: str) -> None:
    """Remove SOURCE (a name from `kg sources`) from the store."""
    from kg.store import opened

    with opened(_store_path(ctx), write=True, on_wait=_progress) as store:
        info = store.unload(source)
    click.echo(f"unloaded {info.name} ({info.triples:,} triples)")


# -- lookups --------------------------------------------------------------------------------------------------


@main.command(epilog=EXIT_CODES)
@click.argument("person")
@format_option
@click.pass_context
def who(ctx: click.Context, person: str, fmt: str) -> None:
    """Profile of PERSON (an id, IRI, prefixed name or name)."""
    from kg import org

    with _reading(ctx) as store:
        profile = org.who(store, person)
    if fmt == "json":
        _one(profile, "json")
        return
    if fmt == "csv":
        flat = org.profile_flat(profile)
        _rows([flat], list(flat), "csv")
        return
    _out(org.profile_text(profile))


def _plain(value: Any) -> str:
    from kg.render import terminal_safe

    return terminal_safe(value)


@main.command(epilog=EXIT_CODES)
@click.argument("person")
@format_option
@click.pass_context
def manager(ctx: click.Context, person: str, fmt: str) -> None:
    """The solid-line manager of PERSON (null at the top)."""
    from kg import org

    with _reading(ctx) as store:
        _one(org.manager(store, person), fmt)


@main.command(epilog=EXIT_CODES)
@click.argument("person")
@format_option
@click.pass_context
def chain(ctx: click.Context, person: str, fmt: str) -> None:
    """Managers of PERSON up to the top, nearest first."""
    from kg import org

    with _reading(ctx) as store:
        result = org.chain(store, person)
    _rows(result.people, PERSON_COLUMNS, fmt)
    if result.cycle_at:
        click.echo(f"warning: the chain loops back to {org.person_label(result.cycle_at)}: a reporting cycle; "
                   "stopped there (see `kg load` summary)", err=True)


@main.command(epilog=EXIT_CODES)
@click.argument("person")
@click.option("--all", "all_levels", is_flag=True, help="Everyone below, not only direct reports.")
@click.option("--depth", type=click.IntRange(min=1), help="With --all: at most this many levels down.")
@format_option
@click.pass_context
def reports(ctx: click.Context, person: str, all_levels: bool, depth: int | None, fmt: str) -> None:
    """Direct reports of PERSON (--all: everyone below)."""
    import itertools

    from kg import org
    from kg.forest import BELOW_FIELDS
    from kg.render import render_stream

    with _reading(ctx) as store:
        if not all_levels and depth is None:
            _rows(org.reports(store, person), PERSON_COLUMNS, fmt)
            return
        rows = org.below(store, person, depth, with_iri=fmt == "json")  # tables and CSV show no IRI
        first = next(rows, None)  # a wrong PERSON is one line on stderr before any output
        if first is None and fmt == "table":
            click.echo("(none)")
            return
        everyone = itertools.chain([first] if first else [], rows)
        for text in render_stream(everyone, BELOW_FIELDS, fmt, PERSON_COLUMNS + ["depth", "manager_id"]):
            _out(text)


@main.command(epilog=EXIT_CODES)
@click.argument("person")
@format_option
@click.pass_context
def peers(ctx: click.Context, person: str, fmt: str) -> None:
    """People who share PERSON's manager."""
    from kg import org

    with _reading(ctx) as store:
        _rows(org.peers(store, person), PERSON_COLUMNS, fmt)


@main.command("common-manager", epilog=EXIT_CODES)
@click.argument("a")
@click.argument("b")
@format_option
@click.pass_context
def common_manager(ctx: click.Context, a: str, b: str, fmt: str) -> None:
    """The lowest manager A and B both report to (one of them if one manages the other)."""
    from kg import org

    with _reading(ctx) as store:
        _one(org.common_manager(store, a, b), fmt)


@main.command(epilog=EXIT_CODES)
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True)
@format_option
@click.pass_context
def span(ctx: click.Context, top: int, fmt: str) -> None:
    """Span of control: direct reports and total headcount per manager."""
    from kg import org

    with _reading(ctx) as store:
        rows = org.span(store, top)
    _rows(rows, PERSON_COLUMNS + ["direct_reports", "headcount", "fte_below"], fmt)


@main.command(epilog=EXIT_CODES)
@click.argument("text")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@format_option
@click.pass_context
def search(ctx: click.Context, text: str, limit: int, fmt: str) -> None:
    """Find people by part of a name, an id or part of a title."""
    from kg import org

    with _reading(ctx) as store:
        _rows(org.search(store, text, limit), PERSON_COLUMNS, fmt)


@main.command(epilog=EXIT_CODES)
@format_option
@click.pass_context
def stats(ctx: click.Context, fmt: str) -> None:
    """Counts: sources, people, posts, reporting edges, roots, vacancies, titles not matched to a role."""
    from kg import org
    from kg.render import to_json

    with _reading(ctx) as store:
        data = org.stats(store)
    if fmt == "json":
        _out(to_json(data))
        return
    if fmt == "csv":
        scalars = org.stats_scalars(data)
        _rows([scalars], list(scalars), "csv")
        return
    _out(org.stats_text(data))


# -- validation (reliability) --------------------------------------------------------------------------------


@main.command(epilog="Exit codes: 0 no violations, 1 violations found (or an error), 2 usage.")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="table", show_default=True,
              help="Output format.")
@click.option("--shacl/--no-shacl", default=None,
              help="Run the SHACL shapes / the graph checks only. Default: the shapes run while the loaded data "
                   "holds at most 2,000,000 triples (~180,000 people; pySHACL takes about a second per 1,000).")
@click.pass_context
def validate(ctx: click.Context, fmt: str, shacl: bool | None) -> None:
    """Check the loaded data: SHACL shapes and reporting-line checks, grouped by severity."""
    from kg.render import to_json
    from kg.validate import validate as run_validation

    with _reading(ctx) as store:
        report = run_validation(store, shacl=shacl, progress=_progress)
    if fmt == "json":
        _out(to_json(report.to_dict()))
    else:
        click.echo(report.text())
    if not report.ok:
        ctx.exit(1)


# -- external SPARQL stores (remote) -----------------------------------------------------------------------


@main.command(epilog=EXIT_CODES)
@click.option("--graph-store", envvar="KG_GRAPH_STORE", metavar="URL",
              help="Graph Store Protocol URL to upload with (env KG_GRAPH_STORE); else SPARQL Update.")
@click.option("--batch", type=click.IntRange(min=1),
              help="Triples per request (default 500 by SPARQL Update, 10,000 by Graph Store Protocol); an "
                   "update the store refuses as too big is retried in halves.")
@click.option("--force", is_flag=True, help="Send every graph, even those the remote store already holds.")
@click.option("--summary", "summary_fmt", type=FORMATS, default="table", show_default=True,
              help="Format of the push summary.")
@click.pass_context
def push(ctx: click.Context, graph_store: str | None, batch: int | None, force: bool,
         summary_fmt: str) -> None:
    """Upload the ontology, the catalog and every loaded graph to the --endpoint store (replacing them)."""
    from kg.remote import open_remote
    from kg.remote import push as push_graphs
    from kg.render import to_json
    from kg.store import opened

    if not (ctx.obj or {}).get("endpoint"):
        raise click.UsageError("kg push needs --endpoint URL (or KG_ENDPOINT)")
    bar = _PushProgress()
    with opened(_store_path(ctx), on_wait=_progress) as store:
        if not store.has_data():
            raise click.UsageError(f"the store at {store.path} holds no data to push; `kg load FILE` first")
        remote = open_remote(ctx.obj["endpoint"], ctx.obj.get("update_endpoint"), graph_store)
        report = push_graphs(store, remote, batch=batch, force=force, progress=bar)
    bar.finish()
    data = report.to_dict()
    if summary_fmt == "json":
        _out(to_json(data))
    elif summary_fmt == "csv":
        keys = ["endpoint", "method", "graphs_sent", "triples_sent", "graphs_skipped", "graphs_dropped"]
        _rows([data], keys, "csv")
    else:
        click.echo(f"pushed {data['graphs_sent']} graphs ({data['triples_sent']:,} triples) to "
                   f"{report.endpoint} by {report.method}; {data['graphs_skipped']} already there, "
                   f"{data['graphs_dropped']} stale graphs dropped")


class _PushProgress:
    """Progress of `kg push` on stderr: a bar redrawn in place on a terminal, a line per graph otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.drawn = False

    def __call__(self, graph: str, done: int, total: int) -> None:
        name = graph.rsplit("/graph/", 1)[-1]
        if self.tty:
            filled = int(30 * done / total) if total else 30
            click.echo(f"\r{name[:40]:<40} [{'#' * filled:<30}] {done:,}/{total:,}", err=True, nl=False)
            self.drawn = True
            if done >= total:
                click.echo("", err=True)
                self.drawn = False
        elif done >= total:
            click.echo(f"pushed {name}: {done:,} triples", err=True)

    def finish(self) -> None:
        if self.drawn:
            click.echo("", err=True)


# -- change over time (kg diff, kg whatif) --------------------------------------------------------------------



@main.command("diff", epilog=EXIT_CODES)
@click.argument("old")
@click.argument("new")
@click.option("--match", type=click.Choice(MATCH_KEYS), default="id", show_default=True,
              help="Match posts by id, or by the holder's name (for exports whose ids change).")
@click.option("--chart", "chart_out", type=FilePath(dir_okay=False),
              help="Also write an HTML chart of NEW with joined, moved, retitled... and left posts marked.")
@format_option
@click.pass_context
def diff_command(ctx: click.Context, old: str, new: str, match: str, chart_out: Path | None, fmt: str) -> None:
    """What changed from snapshot OLD to NEW: posts joined, left, moved, retitled, with another holder, regraded;
    teams that grew or shrank; layers and span before and after. OLD and NEW: SERIES@DATE, a series (its
    latest snapshot) or a source name (with the other files of its snapshot)."""
    from kg.change import CHANGE_COLUMNS, diff_snapshots, diff_text
    from kg.render import to_json

    with _reading(ctx) as store:
        d, sides = diff_snapshots(store, old, new, match=match)
        if chart_out is not None:
            written = _change_chart(store, old, new, d, chart_out)
    data = d.to_dict() | sides
    if fmt == "json":
        _out(to_json(data))
    elif fmt == "csv":
        _rows(d.rows(), CHANGE_COLUMNS, "csv")
    else:
        _out(diff_text(d, old, new, data["before"], data["after"]))
    if chart_out is not None:
        click.echo(f"wrote {written}", err=True)


def _change_chart(store: Any, old: str, new: str, d: Any, out: Path) -> str:
    from kg.change import changes_by_iri, seeing
    from kg.export import change_chart
    from kg.reading import forest
    from kg.viz import org_page

    with seeing(store, old):
        before = forest(store)
    with seeing(store, new):
        chart = change_chart(store, before, forest(store), changes_by_iri(d))
    page = org_page(chart, title=f"Changes from {old} to {new}", colour_by="change")
    return str(page.save(out))


@main.command(epilog=EXIT_CODES)
@click.option("--move", "moves", multiple=True, metavar="POST", help="Move POST (repeatable; pair with --under).")
@click.option("--under", "unders", multiple=True, metavar="MANAGER", help="The new manager of each --move.")
@click.option("--remove", "removes", multiple=True, metavar="POST",
              help="Remove POST; its reports move to its manager (repeatable).")
@click.option("--merge", "merges", multiple=True, nargs=2, metavar="A B",
              help="Merge team B into A: B's reports move under A and B's post goes (repeatable).")
@click.option("--moves", "moves_file", type=FilePath(exists=True, dir_okay=False),
              help="CSV of changes: columns post, under, and optionally action (move, remove, merge).")
@click.option("--base", metavar="SNAPSHOT", help="Start from this snapshot (SERIES@DATE...; default: what reads see).")
@click.option("--save", metavar="NAME", help="Keep the result as a snapshot of the series NAME (see `kg diff`).")
@format_option
@click.pass_context
def whatif(ctx: click.Context, moves: tuple[str, ...], unders: tuple[str, ...], removes: tuple[str, ...],
           merges: tuple[tuple[str, str], ...], moves_file: Path | None, base: str | None, save: str | None,
           fmt: str) -> None:
    """Try a reorganization on a copy of the data: spans, layers, single-report managers and units before and
    after. The loaded data never changes (--save adds the scenario as a snapshot of its own)."""
    import csv

    from kg.change import parse_edits, whatif_text
    from kg.change import whatif as try_edits
    from kg.render import to_json

    if len(moves) != len(unders):
        raise click.UsageError("give one --under MANAGER for each --move POST")
    table: list[dict[str, str]] = []
    if moves_file is not None:
        from kg.errors import InputError

        try:
            with moves_file.open(newline="", encoding="utf-8-sig") as f:
                table = [{(k or "").strip().lower(): v for k, v in row.items()} for row in csv.DictReader(f)]
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InputError(f"{moves_file}: not a readable CSV file ({exc})") from exc
    edits = parse_edits(zip(moves, unders, strict=True), removes, merges, table)
    if save:
        from kg.ingest.load import save_scenario
        from kg.store import opened

        with opened(_store_path(ctx), write=True, on_wait=_progress) as store:
            result = save_scenario(store, edits, save, base=base)
    else:
        with _reading(ctx) as store:
            result = try_edits(store, edits, base=base)[3]
    if fmt == "json":
        _out(to_json(result))
        return
    if fmt == "csv":
        _rows([{"measure": k, "before": v, "after": result["after"][k], "change": result["delta"].get(k)}
               for k, v in result["before"].items() if not isinstance(v, list)],
              ["measure", "before", "after", "change"], "csv")
        return
    _out(whatif_text(result))
    if save:
        click.echo(f"saved as snapshot {_plain(result['saved'])}", err=True)


# -- charts and exports (kg viz, kg export) ------------------------------------------------------------------

@main.command(epilog=EXIT_CODES)
@click.option("-o", "--output", "out", type=FilePath(dir_okay=False),
              default="org-chart.html", show_default=True,
              help="HTML file to write (one file, works offline).")
@click.option("--view", type=click.Choice(VIEWS), default="org", show_default=True,
              help="org: the reporting chart, top-down; concepts: roles, portfolios and products.")
@click.option("--root", metavar="PERSON", help="Chart only PERSON and the people below.")
@click.option("--depth", type=click.IntRange(min=0), help="Levels below the top (or --root) to include.")
@click.option("--path", "between", nargs=2, metavar="A B", help="Highlight the reporting path from A to B.")
@click.option("--color-by", "colour_by", type=click.Choice(COLOUR_CHOICES),
              default="branch", show_default=True, help="Colour cards by top-level branch, unit, role, role "
              "family or status (the same value has the same colour in every chart).")
@click.option("--title", help="Heading of the page (default: the loaded sources).")
@click.pass_context
def viz(ctx: click.Context, out: Path, view: str, root: str | None, depth: int | None,
        between: tuple[str, str] | None, colour_by: str, title: str | None) -> None:
    """Write an interactive org chart: one self-contained HTML file (no network needed to open it)."""
    from kg.viz import write_chart

    with _reading(ctx) as store:
        done = write_chart(store, out, view=view, root=root, depth=depth, between=between or None,
                           colour_by=colour_by, title=title)
    shown = f", {done['shown']:,} shown at first" if done["shown"] < done["people"] else ""
    _progress(f"wrote {done['path']}: {done['people']:,} nodes, {done['edges']:,} edges{shown} "
               f"({done['bytes'] / 1e6:.1f} MB)")


@main.command(epilog=EXIT_CODES)
@click.option("-o", "--output", "out", type=FilePath(dir_okay=False), required=True,
              help="File to write (atomically); its ending gives the format: .pdf .svg .png .graphml .dot .mmd "
                   ".json (d3) .csv (people) .ttl .jsonld.")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS),
              help="Only to override the file ending (d3-csv and edges-csv are .csv files too); a format that "
                   "contradicts the ending is an error.")
@click.option("--root", metavar="PERSON", help="Export only PERSON and the people below.")
@click.option("--depth", type=click.IntRange(min=0), help="Levels below the top (or --root) to include.")
@click.option("--paper", type=click.Choice(PAPER_CHOICES), default="a4", show_default=True,
              help="PDF: paper size.")
@click.option("--portrait", is_flag=True, help="PDF: portrait pages (landscape by default).")
@click.option("--color-by", "colour_by", type=click.Choice(COLOUR_CHOICES),
              default="branch", show_default=True, help="PDF/SVG/PNG: colour cards by top-level branch, unit, "
              "role, role family or status (the same value has the same colour in every chart).")
@click.pass_context
def export(ctx: click.Context, out: Path, fmt: str | None, root: str | None, depth: int | None, paper: str,
           portrait: bool, colour_by: str) -> None:
    """Export the org chart (or a subtree): a paged PDF, SVG, PNG, yEd GraphML, d3 or RDF file."""
    from kg.export import export as run_export

    with _reading(ctx) as store:
        done = run_export(store, fmt, out, root=root, depth=depth, paper=paper, landscape=not portrait,
                          colour_by=colour_by)
    pages = f", {done['pages']} pages" if "pages" in done else ""
    _progress(f"wrote {done['path']}: {done['people']:,} nodes, {done['edges']:,} edges ({done['format']}"
               f"{pages})")
    for old, new in done.get("renamed", [])[:20]:
        _progress(f"duplicate id {old} renamed {new}")
    if len(done.get("renamed", [])) > 20:
        click.echo(f"... {len(done['renamed']) - 20} more duplicate ids renamed", err=True)
    if done.get("root"):
        _progress(f"several trees: put under one synthetic root '{done['root']}' (d3 needs one root; or use "
                   "--root PERSON)")


# -- SPARQL for analysts (kg query, kg queries, kg serve) ----------------------------------------------------

QUERY_FORMATS = click.Choice(SOLUTION_FORMATS + GRAPH_FORMATS)


@main.command(epilog="Exit codes: 0 success, 1 error (or ASK false with --check), 2 usage.")
@click.argument("query", required=False)
@click.option("-e", "--expression", "text", metavar="SPARQL", help="The query text itself.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME to VALUE (a string; <iri> or prefix:name for an IRI; \"5\"^^xsd:integer for "
                   "a typed literal). Repeatable.")
@click.option("--format", "fmt", type=QUERY_FORMATS, default="table", show_default=True,
              help="SELECT/ASK: table, or the W3C csv, tsv, json, xml. CONSTRUCT/DESCRIBE: turtle, ntriples, "
                   "json-ld, rdfxml.")
@click.option("--limit", type=click.IntRange(min=0), help="Keep at most this many rows.")
@click.option("--timeout", type=click.FloatRange(min=0), metavar="SECONDS", default=60.0, show_default=True,
              help="Stop the query once its worker process has used this much CPU time (at most 4 times this "
                   "in wall-clock time), as kg serve counts. With --endpoint the remote store's CPU time is not "
                   "visible: this bounds the wait for its answer in wall-clock time. 0: no limit (with "
                   "--endpoint: KG_ENDPOINT_TIMEOUT).")
@click.option("--check", is_flag=True, help="ASK: exit 1 when the answer is false.")
@click.option("--exact-csv", is_flag=True,
              help="CSV byte for byte as the W3C format, for SPARQL tools. By default cells that a spreadsheet "
                   "would run as formulas (=, +, -, @) start with '.")
@click.option("--allow-service", is_flag=True,
              help="Allow SERVICE (federated queries that call other endpoints over the network).")
@click.pass_context
def query(ctx: click.Context, query: str | None, text: str | None, params: tuple[str, ...], fmt: str,
          limit: int | None, timeout: float | None, check: bool, exact_csv: bool, allow_service: bool) -> None:
    """Run a SPARQL query: QUERY is a .rq file, - for stdin, or a named query (see `kg queries`).

    Common prefixes (po, org, skos, foaf, schema, prov, rdf, rdfs, owl, xsd, dcterms...) are predeclared;
    the query's own PREFIX lines win.
    """
    from kg import queries

    if (query is None) == (text is None):
        raise click.UsageError("give a query: FILE.rq, NAME, - (stdin) or -e 'SELECT ...'")
    if text is None:
        from pathlib import Path

        source = Path(query or "")
        if query == "-":
            text = sys.stdin.read()
        elif source.suffix in (".rq", ".sparql") or source.is_file():
            text = queries.read_query_file(source)
        else:
            text = query
    bindings = dict(queries.parse_param(p) for p in params)
    with _reading(ctx) as store:
        result = queries.run(store, text or "", bindings, limit=limit, timeout=timeout or None,
                             allow_service=allow_service)
    if check and result.kind != "ask":
        raise click.UsageError("--check is for ASK queries")
    _out(result.serialize(fmt, safe_csv=not exact_csv))
    if result.truncated:
        click.echo(f"note: only the first {limit:,} results are shown (--limit)", err=True)
    if check and not result.boolean:
        sys.exit(1)


@main.command("queries", epilog=EXIT_CODES)
@click.argument("name", required=False)
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="table", show_default=True)
def queries_command(name: str | None, fmt: str) -> None:
    """List the named queries (with NAME: show that query and its parameters)."""
    from kg import queries
    from kg.render import to_json

    if name:
        nq = queries.named_query(name)
        _out(to_json(nq.to_dict()) if fmt == "json" else nq.text)
        return
    found = queries.named_queries()
    if fmt == "json":
        _out(to_json([q.to_dict() for q in found]))
        return
    rows = [{"name": q.name, "params": " ".join(f"{p}=" for p in q.params), "title": q.title} for q in found]
    _rows(rows, ["name", "params", "title"], "table")
    click.echo("\nRun one: kg query NAME [--param NAME=VALUE]; see one: kg queries NAME")


@main.command(epilog=EXIT_CODES)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True,
              help="Port (0: any free port).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=10.0, show_default=True,
              metavar="SECONDS", help="Longest a query may run, in its own CPU time (at most 4 times this "
                                      "in wall-clock time).")
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Most results one query returns.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Queries run at the same time (one process each; default 6). A query running longer "
                   "than 0.5 s (of its CPU time) joins the slow lane, which holds at most two thirds of them.")
@click.option("--max-connections", type=click.IntRange(min=1), default=256, show_default=True,
              help="Open connections at most; more are answered 503.")
@click.option("--idle-timeout", type=click.FloatRange(min=0, min_open=True), default=15.0, show_default=True,
              metavar="SECONDS", help="Close a connection silent this long.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, timeout: float, max_rows: int, workers: int | None,
          max_connections: int, idle_timeout: float) -> None:
    """Serve the store read-only: a SPARQL 1.1 endpoint at /sparql and a query page at /."""
    from kg.server import DEFAULT_WORKERS, is_loopback, make_server

    if ctx.obj.get("endpoint"):
        raise click.UsageError("kg serve serves the local store; it does not take --endpoint")
    if not is_loopback(host):
        click.echo(f"warning: listening on {host}: anyone who can reach this address can read the whole "
                   "graph (no authentication)", err=True)
    server = make_server(_store_path(ctx) or "", host, port, timeout=timeout, max_rows=max_rows,
                         workers=workers or DEFAULT_WORKERS, max_connections=max_connections,
                         idle_timeout=idle_timeout)
    click.echo(f"kg: SPARQL endpoint {server.url}sparql, query page {server.url} (Ctrl+C stops)", err=True)
    import logging

    shown = logging.StreamHandler()  # the server's one-line request errors, on stderr as they happen
    shown.setFormatter(logging.Formatter("%(message)s"))
    logging.getLogger("kg.serve").addHandler(shown)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


# -- role-level questions (kg roles, kg role, kg explain) ----------------------------------------------------

def _reading_ontology(ctx: click.Context):  # type: ignore[no-untyped-def]
    """Open the store for reading; the ontology alone is enough (no loaded data needed)."""
    from kg.store import opened

    return opened(_store_path(ctx), write=False, on_wait=_progress)


@main.command(epilog=EXIT_CODES)
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="table", show_default=True,
              help="Output format (json: the ladders, or with --tree nested nodes iri, label, kind, children).")
@click.option("--tree", is_flag=True, help="The taxonomy as a tree of families and roles, without levels.")
@click.pass_context
def roles(ctx: click.Context, fmt: str, tree: bool) -> None:
    """The role ladders: for each role family, its tracks (individual contributor, management) and their roles
    from the lowest level up."""
    from kg.knowledge import ladders, role_tree
    from kg.knowledge_text import roles_text
    from kg.render import to_json

    with _reading_ontology(ctx) as store:
        data = role_tree(store) if tree else ladders(store)
    if fmt == "json":
        _out(to_json(data))
    else:
        click.echo(roles_text(data, tree=tree))


@main.command(epilog=EXIT_CODES)
@click.argument("a")
@click.argument("b")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="table", show_default=True,
              help="Output format.")
@click.pass_context
def compare(ctx: click.Context, a: str, b: str, fmt: str) -> None:
    """Two roles point by point: scope, track and level, typical managers, the responsibilities and knowledge
    only one has and the shared ones, direct relations and career steps; each fact with its sources."""
    from kg.knowledge import compare as compare_roles
    from kg.knowledge_text import compare_text
    from kg.render import to_json

    with _reading_ontology(ctx) as store:
        result = compare_roles(store, a, b)
    _out(to_json(result)) if fmt == "json" else _out(compare_text(result))


@main.command("titles", epilog=EXIT_CODES)
@click.option("--from", "source", type=click.File("r", encoding="utf-8"), metavar="FILE",
              help="Match the titles of FILE (one a line; - for stdin) instead of the loaded data's.")
@format_option
@click.pass_context
def titles_command(ctx: click.Context, source: Any, fmt: str) -> None:
    """Job titles and the role each matches, with its level and why (no role is better than a wrong one).
    Without --from: the titles of the loaded data, most frequent first, with counts."""
    from kg.knowledge import loaded_titles, match_titles
    from kg.render import to_json

    if source is not None:
        wanted = [line.strip() for line in source.read().splitlines() if line.strip()]
        with _reading_ontology(ctx) as store:
            rows = match_titles(store, wanted)
    else:
        with _reading(ctx) as store:
            rows = loaded_titles(store)
    if fmt == "json":
        _out(to_json(rows))
        return
    flat = [r | {"role": (r["role"] or {}).get("label") or "", "level": r["level"] or ""} for r in rows]
    columns = (["count"] if source is None else []) + ["title", "role", "level", "why"]
    _rows(flat, columns, fmt)


@main.command(epilog=EXIT_CODES)
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="table", show_default=True,
              help="Output format.")
@click.pass_context
def role(ctx: click.Context, name: str, fmt: str) -> None:
    """Profile of the role NAME (a label or alternative label, e.g. "CPO"): definition, typical manager and
    reports, responsibilities, knowledge, requirements, pay, career path, collaborators; each fact with the
    source sentence it comes from."""
    from kg.knowledge import role_profile
    from kg.knowledge_text import profile_text
    from kg.render import to_json

    with _reading_ontology(ctx) as store:
        profile = role_profile(store, name)
    _out(to_json(profile)) if fmt == "json" else _out(profile_text(profile))


@main.command(epilog=EXIT_CODES)
@click.argument("a")
@click.argument("b")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="table", show_default=True,
              help="Output format.")
@click.pass_context
def explain(ctx: click.Context, a: str, b: str, fmt: str) -> None:
    """How the concepts A and B (roles, families, responsibilities...) are connected, hop by hop."""
    from kg.knowledge import explain as explain_path
    from kg.knowledge_text import explain_text
    from kg.render import to_json

    with _reading_ontology(ctx) as store:
        result = explain_path(store, a, b)
    if fmt == "json":
        _out(to_json(result))
        return
    click.echo(explain_text(result))


# -- network analytics (kg path, kg centrality, kg layers, kg health, kg communities) ------------------------

ENTITY_COLUMNS = ["id", "name", "title", "kind"]


@main.command(epilog=EXIT_CODES)
@click.argument("a")
@click.argument("b")
@click.option("--relations", type=click.Choice(RELATIONS), default="reporting",
              show_default=True,
              help="reporting: the solid line only; all: also dotted lines, collaboration, ownership.")
@click.option("--k", "k", type=click.IntRange(min=1), default=1, show_default=True,
              help="How many shortest alternatives.")
@format_option
@click.pass_context
def path(ctx: click.Context, a: str, b: str, relations: str, k: int, fmt: str) -> None:
    """Shortest path between A and B (people, products, portfolios), hop by hop with each relation."""
    from kg.org_reports import entity_label, path_report, path_text
    from kg.render import to_json

    with _reading(ctx) as store:
        result = path_report(store, a, b, relations=relations, k=k)
    if fmt == "json":
        _out(to_json(result))
        return
    rows = [{"path": i, "step": j, "from": entity_label(h["from"]), "relation": h["relation"],
             "to": entity_label(h["to"]), "from_id": h["from"]["id"], "to_id": h["to"]["id"]}
            for i, p in enumerate(result["paths"], 1) for j, h in enumerate(p["hops"], 1)]
    if fmt == "csv":
        _rows(rows, ["path", "step", "from_id", "from", "relation", "to_id", "to"], "csv")
        return
    _out(path_text(result, numbered=k > 1))


@main.command(epilog=EXIT_CODES)
@click.option("--metric", default="betweenness", show_default=True,
              type=click.Choice(METRICS))
@click.option("--graph", type=click.Choice(GRAPHS), default="reporting",
              show_default=True, help="reporting: solid lines; org: people, dotted lines, collaboration, "
              "ownership; concepts: roles, responsibilities, portfolios, products, units.")
@click.option("--top", "top_n", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--sample", type=click.IntRange(min=1), help="Betweenness on graphs that are not trees: "
              "approximate from this many sampled pivots (seeded). Trees are always exact.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of --sample.")
@format_option
@click.pass_context
def centrality(ctx: click.Context, metric: str, graph: str, top_n: int, sample: int | None, seed: int,
               fmt: str) -> None:
    """Most central people or concepts (networkx definitions and normalization, undirected reading)."""
    from kg.org_reports import centrality_report

    with _reading(ctx) as store:
        rows = centrality_report(store, metric, graph, top_n, sample=sample, seed=seed)
    if fmt == "table":
        rows = [r | {"score": f"{r['score']:.6f}"} for r in rows]
    _rows(rows, ["rank"] + ENTITY_COLUMNS + ["score"], fmt)


@main.command(epilog=EXIT_CODES)
@format_option
@click.pass_context
def layers(ctx: click.Context, fmt: str) -> None:
    """Layers of the reporting forest: posts and managers per layer (1 is the top)."""
    from kg.org_reports import layers_report

    with _reading(ctx) as store:
        rows = layers_report(store)
    _rows(rows, ["layer", "posts", "managers"], fmt)
    if fmt == "table":
        click.echo(f"{len(rows)} layer{'s' if len(rows) != 1 else ''}")


@main.command(epilog=EXIT_CODES)
@click.option("--top", "top_n", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many largest teams and single-report managers to list.")
@format_option
@click.pass_context
def health(ctx: click.Context, top_n: int, fmt: str) -> None:
    """Organization health: layers, span of control, single-report managers, largest teams, units."""
    from kg.org_reports import health_report, health_summary, health_text
    from kg.render import to_json

    with _reading(ctx) as store:
        data = health_report(store, top_n)
    if fmt == "json":
        _out(to_json(data))
        return
    if fmt == "csv":
        summary = health_summary(data)
        _rows([summary], list(summary), "csv")
        return
    _out(health_text(data, top_n))


@main.command(epilog=EXIT_CODES)
@click.option("--graph", type=click.Choice(GRAPHS), default="org",
              show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Louvain seed (same seed, same answer).")
@click.option("--resolution", type=click.FloatRange(min=0, min_open=True), default=1.0, show_default=True,
              help="Above 1: more, smaller communities.")
@click.option("--members", type=click.IntRange(min=1), default=8, show_default=True,
              help="Best-connected members shown per community.")
@format_option
@click.pass_context
def communities(ctx: click.Context, graph: str, seed: int, resolution: float, members: int, fmt: str) -> None:
    """Communities (Louvain) of the organization or concept graph, largest first."""
    from kg.org_reports import communities_report, entity_label

    with _reading(ctx) as store:
        rows = communities_report(store, graph, seed=seed, resolution=resolution, members=members)
    if fmt == "json":
        _rows(rows, [], "json")
        return
    flat = [r | {"members": ", ".join(entity_label(m) for m in r["members"])
                 + (" ..." if r["size"] > len(r["members"]) else "")} for r in rows]
    _rows(flat, ["community", "size", "members"], fmt)


# -- demo -----------------------------------------------------------------------------------------------------


@main.command(epilog=EXIT_CODES)
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Load the example product organization into the store and take a short tour."""
    from kg import demo as demo_mod
    from kg.render import to_table
    from kg.store import opened

    with opened(_store_path(ctx), write=True, on_wait=_progress) as store:
        demo_mod.load_example(store, progress=_progress)
    with opened(_store_path(ctx)) as store:  # the local store, even when --endpoint is set
        tour = demo_mod.tour(store)
    for section in tour:
        click.echo(f"\n== {section['title']}")
        click.echo(f"$ {section['command']}")
        rows = section["rows"]
        if rows:
            _out(to_table(rows, section["columns"]))
    click.echo(f"\nThe example organization is in the store at {store.path}. Next: kg who \"Isabel Costa\", "
               "kg reports --all P02, kg peers P19, kg common-manager P19 P22, kg stats")


if __name__ == "__main__":  # pragma: no cover
    main()
