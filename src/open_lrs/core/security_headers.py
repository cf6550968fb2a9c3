"""Security headers on every response: the portal's pages, its assets, the JSON API and SOAP.

The headers are worked out once, when the application is built, and each response only has
them appended (the API is latency-sensitive). They are set outside all of the application's
other layers, so that the 500 page, which Starlette's outermost error layer renders, has them
too. Strict-Transport-Security is sent only on requests that came over HTTPS: ``scope
["scheme"]``, which uvicorn sets from a proxy's ``X-Forwarded-Proto`` only when the proxy's
address is one it trusts (``FORWARDED_ALLOW_IPS``, 127.0.0.1 by default; docs/configuration.md).
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HSTS = "max-age=31536000; includeSubDomains"
# Paths carry ULNs and batch ids: another site is told nothing, not even this site's origin;
# our own pages keep the full Referer, which the portal's origin check falls back on.
REFERRER_POLICY = "same-origin"
# Pages with their own assets (the API's docs load Swagger UI and ReDoc from a CDN, with
# inline script) keep only this: no other site may frame them.
FRAMING_ONLY = "frame-ancestors 'none'"


def _encoded(headers: Mapping[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


class SecurityHeadersMiddleware:
    """Appends the same few headers to every HTTP response (``policies``: paths with a
    Content-Security-Policy of their own)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        content_security_policy: str,
        policies: Mapping[str, str] | None = None,
    ) -> None:
        self.app = app
        common = {
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": REFERRER_POLICY,
        }
        self.default = _encoded({**common, "Content-Security-Policy": content_security_policy})
        self.by_path = {
            path: _encoded({**common, "Content-Security-Policy": policy})
            for path, policy in (policies or {}).items()
        }
        self.hsts = _encoded({"Strict-Transport-Security": HSTS})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.by_path.get(scope["path"], self.default)
        if scope.get("scheme") == "https":
            extra = extra + self.hsts

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(
    app: FastAPI, *, content_security_policy: str, policies: Mapping[str, str] | None = None
) -> None:
    """Wrap ``app``'s whole middleware stack, its error layer included (``add_middleware``
    would put the headers inside it, and the 500 page would go without)."""
    build = app.build_middleware_stack

    def build_with_headers() -> ASGIApp:
        return SecurityHeadersMiddleware(
            build(), content_security_policy=content_security_policy, policies=policies
        )

    app.build_middleware_stack = build_with_headers  # type: ignore[method-assign]
