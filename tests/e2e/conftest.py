"""Browser-test fixtures: the real app on a live localhost server with the demo municipality
loaded, and Debian's Chromium driven by Playwright.

    live_server   (session) the running app: .url, .app, .outbox; .url_for(endpoint, **values)
    browser       (session) Chromium from /usr/bin/chromium; FAILS (never skips) if missing
    context, page (test)    a fresh browser context (desktop viewport, Swedish locale) and page
    login         (test)    login(email, password=DEMO_PASSWORD, page=page) through the form
    phone_page    (test)    a page in a 390x844 touch viewport

Every test in this folder must carry `pytestmark = pytest.mark.e2e`; `make test-browser` runs
them and `make test` leaves them out. The database is shared by the whole session: tests that
change data should change something of their own (for example a unique name) and not rely on
test order. JavaScript errors on a page fail the test that caused them (clear page.js_errors
if a test expects one).
"""

from __future__ import annotations

import logging.config
import os
import threading
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask import url_for
from werkzeug.serving import make_server

from webapp import create_app
from webapp import demo
from webapp.extensions import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
DEMO_PASSWORD = demo.DEMO_PASSWORD
HR = "hr@exempelkommun.se"
ADMIN = "admin@exempelkommun.se"
BOARD = "ordforande@exempelkommun.se"
HEAD = demo.HEAD_EXAMPLE  # anders.nyberg@exempelkommun.se, head of Barn- och utbildningsförv.
PG_URL = os.environ.get("AKTIVA_TEST_DATABASE_URL")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder e2e, even one that forgot `pytestmark`, so that
    `make test` (-m "not e2e") never runs a browser test and `make test-browser` runs them all."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(FILE_DOWNLOAD_DROPPED)


# Chromium may drop a connection while the development server sends a file (a favicon fetch
# cancelled by the next navigation); werkzeug then leaves the file to the garbage collector,
# whose ResourceWarning, raised in the server thread, would otherwise fail whichever test
# happens to be running. The unit tests, which have no browser, keep such warnings as errors.
FILE_DOWNLOAD_DROPPED = pytest.mark.filterwarnings(
    "ignore:unclosed file <_io.BufferedReader name=:ResourceWarning")


@dataclass
class LiveServer:
    """The app served over HTTP on 127.0.0.1 in a background thread."""

    app: Flask
    url: str
    outbox: Path
    _server: Any = field(repr=False, default=None)

    def url_for(self, endpoint: str, **values: Any) -> str:
        """The absolute URL of an endpoint, e.g. live_server.url_for('organisation.tree')."""
        with self.app.test_request_context():
            return self.url + url_for(endpoint, **values)


def _create_schema(app: Flask) -> None:
    """Run the Alembic migrations, then create the tables that have no migration yet."""
    from flask_migrate import upgrade

    with app.app_context():
        if PG_URL:
            # The unit-test suite may have left its tables in this database: start empty.
            db.drop_all()
            db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
            db.session.commit()
        # env.py's logging.config.fileConfig would disable every existing logger (the app's
        # and the server's) for the rest of the session.
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(logging.config, "fileConfig", lambda *args, **kwargs: None)
            upgrade(directory=str(Path(app.root_path) / "migrations"))
        db.create_all()
        demo.load()
        db.session.commit()
        db.session.remove()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Start the real app once per session on a free port, with Exempelkommun loaded."""
    tmp = tmp_path_factory.mktemp("live")
    app = create_app({
        "SECRET_KEY": "e2e-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": PG_URL or f"sqlite:///{tmp / 'e2e.sqlite'}",
        # Keep the production cookie settings: Chromium keeps Secure cookies on
        # http://127.0.0.1 because it treats loopback addresses as secure contexts.
        "RATELIMIT_ENABLED": False,  # many logins per minute from one address
        "MAIL_OUTBOX": str(tmp / "outbox"),
        "UPLOAD_FOLDER": str(tmp / "uploads"),
        "ARCHIVE_FOLDER": str(tmp / "archive"),
    })
    app.config["MAIL_OUTBOX"] = str(tmp / "outbox")
    app.config["UPLOAD_FOLDER"] = str(tmp / "uploads")
    _create_schema(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    live = LiveServer(app, f"http://127.0.0.1:{server.server_port}", tmp / "outbox", server)
    yield live
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless. A missing browser is an error, never a skip."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium` "
                    "(the browser tests never download a browser).", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _new_page(browser: Any, request: pytest.FixtureRequest, **options: Any) -> Iterator[Any]:
    context = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()
    if errors:  # a test that expects an error clears page.js_errors
        pytest.fail(f"JavaScript errors on the page: {errors}", pytrace=False)


@pytest.fixture
def page(browser: Any, live_server: LiveServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page in a fresh desktop browser context (no cookies)."""
    yield from _new_page(browser, request, viewport=DESKTOP, base_url=live_server.url)


@pytest.fixture
def phone_page(browser: Any, live_server: LiveServer,
               request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page in a fresh phone-sized touch context (390x844)."""
    yield from _new_page(browser, request, viewport=PHONE, base_url=live_server.url,
                         is_mobile=True, has_touch=True, device_scale_factor=2)


@pytest.fixture
def login(page: Any) -> Callable[..., Any]:
    """Log in through the login form; returns the page, now on the start page."""

    def _login(email: str, password: str = DEMO_PASSWORD, on: Any = None) -> Any:
        target = on or page
        target.goto("/logga-in")
        target.get_by_label("E-postadress").fill(email)
        target.get_by_label("Lösenord").fill(password)
        target.get_by_role("button", name="Logga in").click()
        target.wait_for_load_state()
        return target

    return _login
