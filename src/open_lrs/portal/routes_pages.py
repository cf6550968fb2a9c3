"""The pages anyone may read: the start page, accessibility statement, cookies and how to
contact the service desk."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from open_lrs.portal.web import current_session, render, settings_of

router = APIRouter(include_in_schema=False)


@router.get("/")
def start_page(request: Request) -> Response:
    current_session(request)
    return render(request, "pages/start.html", {"title": "Open LRS"})


@router.get("/accessibility")
def accessibility(request: Request) -> Response:
    return render(request, "pages/accessibility.html", {"title": "Accessibility statement"})


@router.get("/cookies")
def cookies(request: Request) -> Response:
    idle = settings_of(request).portal_session_idle_minutes
    return render(request, "pages/cookies.html", {"title": "Cookies", "idle_minutes": idle})


@router.get("/contact")
def contact(request: Request) -> Response:
    email = settings_of(request).support_email
    return render(request, "pages/contact.html", {"title": "Contact us", "email": email})
