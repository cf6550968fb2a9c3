"""Browser tests: `lrs serve` in a real server process on a temporary migrated SQLite database,
driven by Playwright through Debian's Chromium (/usr/bin/chromium, headless).

Chromium missing is a failure, not a skip: `.ci/run` installs it (apt-get install chromium).
Each journey runs twice: with the mouse, and with the keyboard alone (Tab to move, typing,
Enter and Space to act; arrow keys only inside a radio group, as browsers require).

axe-core (from the npm registry: scripts/fetch_axe.py) is injected into every page; each page a
mouse journey reaches is checked against WCAG 2.2 A and AA, and any violation fails the test.
The keyboard journeys reach the same pages. A screenshot of each page is saved under
build/screenshots (LRS_SCREENSHOTS to put them elsewhere), for CI to keep. The pages run
under the portal's Content-Security-Policy: anything it blocks fails the test (browser_console).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Browser, Locator, Page, Playwright, sync_playwright
from sqlalchemy import update

from open_lrs.core import migrate
from open_lrs.core.db import Database
from open_lrs.learners import service as learners
from open_lrs.learners.schemas import LearnerRegistration
from open_lrs.organisations import service as orgs
from open_lrs.organisations import users
from open_lrs.organisations.models import User
from tests.factories import MODEL_VERSION
from tests.web.browser_console import assert_quiet, forget, watch

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("LRS_SCREENSHOTS", ROOT / "build" / "screenshots"))
# The rules of WCAG 2.0, 2.1 and 2.2 at levels A and AA, as axe-core tags them.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PASSWORD = "correct horse battery staple"
LRS = [str(Path(sys.executable).with_name("lrs"))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    base: str
    db: Database
    ukprn: str
    process: subprocess.Popen[bytes]
    worker: subprocess.Popen[bytes]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'portal.sqlite3'}"
    db = Database.from_url(url)
    migrate.upgrade(db.engine)
    ukprn = f"{uuid.uuid4().int % 90_000_000 + 10_000_000:08d}"
    orgs.create_organisation(
        db.unit_of_work(), name="Riverside College", ukprn=ukprn, kind="provider"
    )
    port = _free_port()
    env = {
        **os.environ,
        "LRS_DATABASE_URL": url,
        "LRS_ENVIRONMENT": "test",
        "LRS_LOG_LEVEL": "WARNING",
        "LRS_SECRET_KEY": "browser-tests-secret-key-0123456789",
        "LRS_PORTAL_SECURE_COOKIES": "true",  # Chromium keeps Secure cookies of 127.0.0.1
    }
    process = subprocess.Popen(
        [*LRS, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # A worker beside the server, as `make run` starts one, to process uploaded batches.
    worker = subprocess.Popen(
        [*LRS, "worker", "--poll", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=1) as ready:  # noqa: S310
                if ready.status == 200:
                    break
        except OSError:  # refused while starting, or 503 until migrated
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.terminate()
            worker.terminate()
            pytest.fail("lrs serve did not start")
        time.sleep(0.2)
    yield Server(base, db, ukprn, process, worker)
    for child in (process, worker):
        child.terminate()
    for child in (process, worker):
        child.wait(timeout=30)
    db.engine.dispose()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail(
            "Debian's Chromium is needed for the browser tests: apt-get install chromium",
            pytrace=False,
        )
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, fetched (once, and checked) by scripts/fetch_axe.py."""
    fetched = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "fetch_axe.py"), "--dest", str(ROOT / ".cache")],
        capture_output=True,
        text=True,
        check=False,
    )
    if fetched.returncode != 0:
        pytest.fail(f"could not fetch axe-core: {fetched.stderr or fetched.stdout}", pytrace=False)
    return Path(fetched.stdout.strip()).read_text(encoding="utf-8")


def open_page(browser: Browser, server: Server, axe_source: str) -> Page:
    """A page in a new browser context (its own cookies), with axe-core in every document."""
    context = browser.new_context(base_url=server.base)
    context.add_init_script(script=axe_source)
    context.set_default_timeout(10_000)
    return watch(context.new_page())


@pytest.fixture
def page(browser: Browser, server: Server, axe_source: str) -> Iterator[Page]:
    page = open_page(browser, server, axe_source)
    try:
        yield page
        assert_quiet(page)
    finally:
        forget(page)
        page.context.close()


@dataclass
class Person:
    email: str
    secret: str


_people = iter(range(1, 10**6))


@pytest.fixture
def person(server: Server) -> Person:
    """A registrar with an authenticator already set up (one per test: a code works once)."""
    return make_person(server)


def make_person(
    server: Server,
    role: str = "registrar",
    *,
    authenticator: bool = True,
    ukprn: str | None = None,
) -> Person:
    """A user of Riverside College, or of the organisation ``ukprn`` names."""
    email = f"person{next(_people)}.{uuid.uuid4().hex[:6]}@riverside.example"
    users.add_user(
        server.db.unit_of_work(),
        ukprn=ukprn or server.ukprn,
        email=email,
        display_name=f"Pat {email[:8]}",
        role=role,
        password=PASSWORD,
        change_required=False,
    )
    secret = pyotp.random_base32()
    if authenticator:
        with server.db.unit_of_work() as uow:
            uow.session.execute(update(User).where(User.email == email).values(totp_secret=secret))
            uow.commit()
    return Person(email, secret)


def register_learner(server: Server, **fields: Any) -> str:
    """A learner on the register, as the API registers them; returns the ULN."""
    actor = orgs.system_actor(server.db.unit_of_work(), server.ukprn)
    body = {"gender": "2", "postcode": "CF10 1EP", **fields}
    result = learners.register(
        server.db.unit_of_work(), actor, LearnerRegistration.model_validate(body), MODEL_VERSION
    )
    return result.learner.uln


# How many Tab presses from the focused element to ``el``, in document order (the portal uses
# no positive tabindex), or 0 when it cannot tell.
_TABS_AHEAD = """el => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, [tabindex="0"]';
  const tabbable = e => {
    if (e.type !== 'radio') return true;  // a radio group is one stop: its checked or first
    const group = [...document.querySelectorAll(`input[type=radio][name="${e.name}"]`)];
    return e.checked || (!group.some(r => r.checked) && group[0] === e);
  };
  const order = [...document.querySelectorAll(selector)].filter(
    e => !e.disabled && e.getClientRects().length > 0 && !e.closest('[hidden]') && tabbable(e));
  const from = order.indexOf(document.activeElement);
  const to = order.indexOf(el);
  return to > from ? to - from : 0;
}"""


_AXE_RUN = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(
  r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                               nodes: v.nodes.map(n => n.target.join(' '))})))"""
_saved: set[str] = set()


def check_page(page: Page) -> None:
    """axe-core's WCAG 2.2 A/AA rules on the page as it is now (a failure lists each
    violation), then a screenshot of it, once per heading and state."""
    page.wait_for_load_state("load")
    assert_quiet(page)
    violations = page.evaluate(_AXE_RUN, WCAG_TAGS)
    assert violations == [], f"{page.url}: accessibility violations\n" + json.dumps(
        violations, indent=2
    )
    heading = page.locator("h1").first.inner_text().strip() if page.locator("h1").count() else ""
    name = re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")[:60] or "page"
    if page.locator(".govuk-error-summary").count():
        name += "-error"
    if name not in _saved:
        _saved.add(name)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


class Driver:
    """Acts on a page with the mouse, or with the keyboard alone. With the mouse, each page
    reached is checked for accessibility (the keyboard reaches the same pages)."""

    def __init__(self, page: Page, keyboard: bool) -> None:
        self.page = page
        self.keyboard = keyboard

    def arrived(self) -> None:
        if not self.keyboard:
            check_page(self.page)

    def goto(self, path: str) -> None:
        self.page.goto(path)
        self.arrived()

    def _reach(self, target: Locator) -> None:
        """Press Tab until ``target`` has the focus: as many presses as the tab order says,
        then one at a time (each press is still a real key press)."""
        target.wait_for()
        ahead = target.evaluate(_TABS_AHEAD)
        for _ in range(max(0, ahead - 1)):
            self.page.keyboard.press("Tab")
        for _ in range(120):
            if target.evaluate("el => el === document.activeElement"):
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"Tab never reached {target}")

    def fill(self, label: str, value: str) -> None:
        field = self.page.get_by_label(label, exact=True)
        if not self.keyboard:
            field.fill(value)
            return
        self._reach(field)
        self.page.keyboard.press("Control+A")
        if value:
            self.page.keyboard.type(value)
        else:
            self.page.keyboard.press("Delete")

    def choose(self, label: str) -> None:
        radio = self.page.get_by_label(label, exact=True)
        if not self.keyboard:
            radio.check()
            return
        name = radio.get_attribute("name")
        group = self.page.locator(f'input[type="radio"][name="{name}"]')
        for _ in range(120):  # Tab into the group (onto its first or checked radio)
            if group.evaluate_all("els => els.includes(document.activeElement)"):
                break
            self.page.keyboard.press("Tab")
        for _ in range(group.count()):
            if radio.evaluate("el => el === document.activeElement"):
                break
            self.page.keyboard.press("ArrowDown")
        self.page.keyboard.press("Space")
        assert radio.is_checked()

    def press(self, button: str) -> None:
        target = self.page.get_by_role("button", name=button, exact=True)
        if not self.keyboard:
            with self.page.expect_navigation():
                target.click()
            self.arrived()
            return
        self._reach(target)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")

    def follow(self, link: str, *, exact: bool = True) -> None:
        target = self.page.get_by_role("link", name=link, exact=exact).first
        if not self.keyboard:
            with self.page.expect_navigation():
                target.click()
            self.arrived()
            return
        self._reach(target)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")

    def choose_file(self, label: str, path: Path) -> None:
        """Choose a file for a file input: clicked, or reached with Tab and opened with Space;
        the browser's file chooser is answered with ``path``."""
        chooser = self.page.get_by_label(label, exact=True)
        with self.page.expect_file_chooser() as opened:
            if self.keyboard:
                self._reach(chooser)
                self.page.keyboard.press("Space")
            else:
                chooser.click()
        opened.value.set_files(str(path))

    def download(self, link: str, into: Path) -> Path:
        """Follow a link that downloads a file; the file, saved under ``into``."""
        target = self.page.get_by_role("link", name=link, exact=True).first
        with self.page.expect_download() as started:
            if self.keyboard:
                self._reach(target)
                self.page.keyboard.press("Enter")
            else:
                target.click()
        saved = into / started.value.suggested_filename
        started.value.save_as(saved)
        return saved

    def heading(self) -> str:
        return self.page.locator("h1").first.inner_text().strip()

    def errors(self) -> list[str]:
        return [
            t.strip() for t in self.page.locator(".govuk-error-summary__list a").all_inner_texts()
        ]


@pytest.fixture(params=["mouse", "keyboard"])
def driver(request: pytest.FixtureRequest, page: Page) -> Driver:
    return Driver(page, keyboard=request.param == "keyboard")


def sign_in(driver: Driver, person: Person) -> None:
    driver.goto("/sign-in")
    driver.fill("Email address", person.email)
    driver.fill("Password", PASSWORD)
    driver.press("Continue")
    assert driver.heading() == "Enter the code from your authenticator app"
    driver.fill("Enter the code from your authenticator app", pyotp.TOTP(person.secret).now())
    driver.press("Sign in")
    assert driver.heading() == "Open LRS: the Learner Register"
