"""What a page's browser console says that must never be said: a resource or script the
Content-Security-Policy blocked, GOV.UK Frontend starting without its template's line (which
the policy would have blocked), or an uncaught JavaScript error."""

from __future__ import annotations

from playwright.sync_api import ConsoleMessage, Error, Page

_TELLTALES = ("Content Security Policy", "GOV.UK Frontend")
_said: dict[Page, list[str]] = {}


def watch(page: Page) -> Page:
    said = _said.setdefault(page, [])

    def on_console(message: ConsoleMessage) -> None:
        if any(t in message.text for t in _TELLTALES):
            said.append(f"{message.type}: {message.text}")

    def on_error(error: Error) -> None:
        said.append(f"uncaught: {error.message}")

    page.on("console", on_console)
    page.on("pageerror", on_error)
    return page


def assert_quiet(page: Page) -> None:
    said = _said.get(page, [])
    assert said == [], f"{page.url}: the browser console says\n" + "\n".join(said)


def forget(page: Page) -> None:
    _said.pop(page, None)
