"""The local web UI: FastAPI, server-rendered with the report's jinja environment.

Every page is one dict from a builder in :mod:`narrascope.report.data` or
:mod:`narrascope.report.pages`; ``/x.json`` returns that dict and ``/x`` renders it
(STYLE.md §10), so tests assert on JSON and the HTML cannot show what the JSON lacks.

Article text is untrusted: templates autoescape, pages carry no JavaScript, and every
response sends a Content-Security-Policy that forbids scripts, so even a templating slip
could not run code. One exception handler turns every error into one JSON shape
(``{"ok": false, "error", "errors", "status"}``) or an HTML error page.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException

from narrascope import __version__
from narrascope.errors import DocumentNotFound, NarrascopeError, OptionInvalid
from narrascope.report import data as rdata
from narrascope.report import pages
from narrascope.report.render import environment
from narrascope.report.spans import Span, document_spans, segments
from narrascope.store import Store

TEMPLATES = Path(__file__).parent / "templates"
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
MAX_HIGHLIGHTS = 8


def hl_href(doc_id: str, *spans: tuple[int, int] | list[int] | None) -> str:
    """URL of a document view with ``spans`` highlighted, scrolled to the first one."""
    good = [(int(s[0]), int(s[1])) for s in spans if s is not None and s[0] is not None
            and s[1] is not None]
    if not good:
        return f"/documents/{doc_id}"
    q = "&".join(f"hl={s}-{e}" for s, e in good)
    return f"/documents/{doc_id}?{q}#hl-{good[0][0]}-{good[0][1]}"


def web_segments(doc: dict[str, Any]) -> list[Any]:
    """The report's document spans, with links to actor pages, the annotations of later
    stages (``doc.annotations``) and the requested highlights (``doc.highlights``)."""
    spans = []
    for s in document_spans(doc):
        if s.href and s.href.startswith("#actor-"):
            s = dataclasses.replace(s, href="/actors/" + s.href[len("#actor-"):])
        spans.append(s)
    for a in doc.get("annotations", []):
        spans.append(Span(a["start"], a["end"], ("x", f"x-{a['table']}"), f"{a['table']}: {a['label']}"))
    for s, e in doc.get("highlights", []):
        spans.append(Span(s, e, ("hl",), "evidence", f"hl-{s}-{e}"))
    return segments(doc["text"], spans)


def web_environment() -> jinja2.Environment:
    """The report's environment, with the web templates first and page URLs for links."""
    env = environment()
    env.loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(TEMPLATES)), env.loader])  # type: ignore[list-item]
    env.filters["doc_segments"] = web_segments
    env.globals.update(
        actor_href=lambda actor_id: f"/actors/{actor_id}",
        back_href=lambda doc: "/documents",
        doc_href=lambda doc_id: f"/documents/{doc_id}",
        hl_href=hl_href,
        version=__version__,
    )
    return env


def _split(name: str) -> tuple[str, bool]:
    """``x.json`` -> (``x``, True): the datasette-style JSON twin of a page."""
    return (name[:-5], True) if name.endswith(".json") else (name, False)


def _parse_highlights(values: list[str]) -> list[list[int]]:
    out = []
    for v in values[:MAX_HIGHLIGHTS]:
        try:
            s, e = (int(x) for x in v.split("-", 1))
        except ValueError as exc:
            raise OptionInvalid(f"hl={v!r} is not START-END (character offsets)") from exc
        if 0 <= s <= e:
            out.append([s, e])
    return out


def ask_module() -> Callable[..., Any] | None:
    """``narrascope.ask``'s entry point when that stage is installed, else None."""
    try:
        mod = importlib.import_module("narrascope.ask")
    except ModuleNotFoundError as exc:
        if exc.name in ("narrascope.ask",):
            return None
        raise
    for name in ("ask", "answer"):
        fn = getattr(mod, name, None)
        if callable(fn):
            return fn
    return None


def ask_page(store: Store, q: str, asker: Any = None) -> dict[str, Any]:
    """The ask box: the answer of ``narrascope.ask`` with citations linked to their spans.
    ``asker``: a warm ``narrascope.ask.Asker`` on ``store`` (the server keeps one)."""
    fn = ask_module()
    q = q.strip()
    if fn is None:
        return {"q": q, "available": False, "result": None}
    if not q:
        return {"q": q, "available": True, "result": None}
    result = asker.ask(q) if asker is not None else fn(store, q)
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        result = dataclasses.asdict(result)
    elif hasattr(result, "as_dict"):
        result = result.as_dict()
    result = json.loads(json.dumps(result, default=str))
    by_source = {r["source"]: r["doc_id"] for r in store.query("SELECT source, doc_id FROM documents")}
    ids = set(by_source.values())
    for c in result.get("citations", []) if isinstance(result, dict) else []:
        doc = c.get("doc_id") or c.get("doc")
        doc_id = doc if doc in ids else by_source.get(doc)
        c["href"] = hl_href(doc_id, (c.get("start"), c.get("end"))) if doc_id else None
    return {"q": q, "available": True, "result": result}


class App:
    """The store and the template environment behind the routes.

    One read-only DuckDB connection, serialised by a lock: a DuckDB connection must not be
    used from two threads at once, and pages are small enough that this is not the limit.
    """

    def __init__(self, store_path: str | Path) -> None:
        self.store = Store.open(store_path, read_only=True)
        self.lock = threading.Lock()
        self.env = web_environment()
        self._asker: Any = None

    def asker(self) -> Any:
        """One ``Asker`` for the server's life, with the in-memory first-stage index (built
        at the first question; later questions cost milliseconds instead of table scans).
        None when the ask stage is not installed. Call under :attr:`lock`."""
        if self._asker is None and ask_module() is not None:
            from narrascope.ask import Asker, AskOptions

            self._asker = Asker(self.store, AskOptions(memory_index=True))
        return self._asker

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        with self.lock:
            return fn(self.store, *args)

    def render(self, template: str, **ctx: Any) -> HTMLResponse:
        return HTMLResponse(self.env.get_template(template).render(**ctx))


def _error_body(status: int, errors: list[str]) -> dict[str, Any]:
    return {"ok": False, "error": errors[0] if errors else "error", "errors": errors,
            "status": status}


def create_app(store_path: str | Path) -> FastAPI:
    """The FastAPI app over one store (opened read-only at startup)."""
    state = App(store_path)
    app = FastAPI(title="narrascope", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.narrascope = state

    def _ask(store: Store, q: str) -> dict[str, Any]:
        return ask_page(store, q, state.asker() if q.strip() else None)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[..., Any]) -> Response:
        response: Response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    async def handle_error(request: Request, exc: Exception) -> Response:
        """The one exception handler: status from the error type, one JSON shape."""
        if isinstance(exc, HTTPException):
            status, errors = exc.status_code, [str(exc.detail)]
        elif isinstance(exc, RequestValidationError):
            status = 400
            errors = [f"{'.'.join(str(x) for x in e.get('loc', ()))}: {e.get('msg')}"
                      for e in exc.errors()]
        elif isinstance(exc, DocumentNotFound):
            status, errors = 404, [str(exc)]
        elif isinstance(exc, OptionInvalid):
            status, errors = 400, [str(exc)]
        elif isinstance(exc, NarrascopeError):
            status, errors = 500, [str(exc)]
        else:
            status, errors = 500, [f"internal error: {type(exc).__name__}"]
        body = _error_body(status, errors)
        wants_json = request.url.path.endswith(".json") or (
            "application/json" in request.headers.get("accept", "")
            and "text/html" not in request.headers.get("accept", ""))
        if wants_json:
            return JSONResponse(body, status_code=status)
        html = state.env.get_template("web_error.html").render(page=body, title=f"Error {status}")
        return HTMLResponse(html, status_code=status)

    for exc_type in (HTTPException, RequestValidationError, NarrascopeError, Exception):
        app.add_exception_handler(exc_type, handle_error)

    def page(data: dict[str, Any] | list[Any], as_json: bool, template: str, **ctx: Any) -> Response:
        if as_json:
            return JSONResponse(data)
        return state.render(template, page=data, **ctx)

    def overview_data(store: Store) -> dict[str, Any]:
        return {
            "overview": rdata.overview(store),
            "sources": rdata.sources(store),
            "actors": rdata.actors(store)[:12],
            "outlets": pages.outlets(store),
            "sections": _available_sections(store),
        }

    @app.get("/", response_class=HTMLResponse)
    def index() -> Response:
        return page(state.run(overview_data), False, "web_overview.html", title="Overview")

    @app.get("/index.json")
    def index_json() -> Response:
        return page(state.run(overview_data), True, "web_overview.html")

    simple: dict[str, tuple[Callable[[Store], Any], str, str]] = {
        "outlets": (pages.outlets, "web_outlets.html", "Outlets side by side"),
        "actors": (pages.actor_list, "web_actors.html", "Actors"),
        "documents": (rdata.sources, "web_documents.html", "Documents"),
        "timeline": (_timeline, "web_timeline.html", "Timeline"),
        "graph": (_graph, "web_graph.html", "Actor graph"),
        "claims": (_claims, "web_tables.html", "Claims, contradictions and reuse"),
        "techniques": (_techniques, "web_techniques.html", "Techniques by outlet"),
    }

    def add_simple(name: str, builder: Callable[[Store], Any], template: str, title: str) -> None:
        def html_view() -> Response:
            return page(state.run(builder), False, template, title=title, nav=name)

        def json_view() -> Response:
            return page(state.run(builder), True, template)

        app.add_api_route(f"/{name}", html_view, methods=["GET"], response_class=HTMLResponse)
        app.add_api_route(f"/{name}.json", json_view, methods=["GET"])

    for name, (builder, template, title) in simple.items():
        add_simple(name, builder, template, title)

    @app.get("/actors/{actor_id}")
    def actor_view(actor_id: str) -> Response:
        actor_id, as_json = _split(actor_id)
        data = state.run(pages.actor, actor_id)
        return page(data, as_json, "web_actor.html", title=data["canonical"], nav="actors")

    @app.get("/documents/{doc_id}")
    def document_view(request: Request, doc_id: str) -> Response:
        doc_id, as_json = _split(doc_id)
        hls = _parse_highlights(request.query_params.getlist("hl"))

        def build(store: Store) -> dict[str, Any]:
            doc = rdata.document(store, doc_id)
            doc["annotations"] = pages.doc_annotations(store, doc_id)
            doc["highlights"] = [h for h in hls if h[1] <= len(doc["text"])]
            return doc

        data = state.run(build)
        return page(data, as_json, "web_document.html", doc=data,
                    title=data["title"] or data["source"], nav="documents")

    def _search(q: str, as_json: bool) -> Response:
        data = state.run(pages.search, q) if q.strip() else {"q": q, "results": []}
        return page(data, as_json, "web_search.html", title=f"Search: {q}", nav="search")

    @app.get("/search", response_class=HTMLResponse)
    def search_view(q: str = "") -> Response:
        return _search(q, False)

    @app.get("/search.json")
    def search_json(q: str = "") -> Response:
        return _search(q, True)

    @app.get("/ask", response_class=HTMLResponse)
    def ask_view(q: str = "") -> Response:
        return page(state.run(_ask, q), False, "web_ask.html", title="Ask", nav="ask")

    @app.get("/ask.json")
    def ask_json(q: str = "") -> Response:
        return page(state.run(_ask, q), True, "web_ask.html")

    return app


def _available_sections(store: Store) -> dict[str, bool]:
    tables = set(pages.user_tables(store))
    return {
        "events": "events" in tables,
        "claims": bool(tables & {"claims", "claim_groups", "contradictions", "reuse"}),
        "techniques": "techniques" in tables,
        "roles": bool(tables & {"roles", "outlet_framing"}),
        "ask": ask_module() is not None,
    }


def _timeline(store: Store) -> dict[str, Any]:
    data = pages.tables_page(store, "Timeline", ("events", "event_groups"), "timeline")
    data["documents"] = pages.document_timeline(store)
    return data


def _graph(store: Store) -> dict[str, Any]:
    data = pages.tables_page(store, "Actor graph", ("event_groups",), "graph")
    data["cooccurrence"] = pages.cooccurrence_graph(store)
    return data


def _claims(store: Store) -> dict[str, Any]:
    return pages.tables_page(
        store, "Claims, contradictions and reuse",
        ("contradictions", "claim_groups", "reuse", "coverage_gaps", "claims", "stories"), "claims")


def _techniques(store: Store) -> dict[str, Any]:
    data = pages.tables_page(store, "Techniques by outlet", ("roles", "outlet_framing", "tone"),
                             "techniques")
    data["by_outlet"] = pages.techniques_by_outlet(store)
    return data
