"""The SOAP endpoints, at the LRS's own paths so that an MIS changes only the host.

Each service answers ``POST <path>`` (SOAP 1.1) and ``GET <path>?wsdl`` / ``?singleWsdl``.
They are left out of the OpenAPI document, which describes the JSON API only. To add a
service, build its ``SoapService`` and add it to ``SERVICES``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from open_lrs.core.settings import Settings
from open_lrs.soap import dispatch
from open_lrs.soap.envelope import CONTENT_TYPE
from open_lrs.soap.faults import SoapFault
from open_lrs.soap.learner_service import LEARNER_SERVICE
from open_lrs.soap.r9_service import R9_SERVICE
from open_lrs.soap.wsdl import served, wants_wsdl

SERVICES: tuple[dispatch.SoapService, ...] = (LEARNER_SERVICE, R9_SERVICE)
# Paths the request-size middleware gives the upload limit: a job of 200 learners with long
# notes is larger than an ordinary request.
SOAP_PATHS = tuple(service.path for service in SERVICES)

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class _Body:
    data: bytes
    too_large: bool = False


async def _read_body(request: Request) -> _Body:
    """The raw request, read on the event loop so that the handler can run in a thread. A
    body over the limit (caught while streaming) is answered with a fault, not a JSON page."""
    try:
        return _Body(await request.body())
    except HTTPException as exc:
        if exc.status_code != 413:
            raise
        return _Body(b"", too_large=True)


def _post(service: dispatch.SoapService) -> Callable[..., Response]:
    def post(request: Request, body: Annotated[_Body, Depends(_read_body)]) -> Response:
        settings: Settings = request.app.state.settings
        if body.too_large:
            fault = SoapFault(
                f"The request is larger than the {settings.max_upload_bytes:,} bytes accepted."
            )
            content = dispatch.write_fault(service, fault, None)
            return Response(content, status_code=500, media_type=CONTENT_TYPE)
        answer = dispatch.handle(
            service,
            body.data,
            soap_action=request.headers.get("soapaction"),
            database=request.app.state.database,
            cache=request.app.state.actor_cache,
            max_bytes=settings.max_upload_bytes,
            match_model_version=settings.match_model_version,
            batch_windows=settings.batch_windows(),
        )
        return Response(answer.body, status_code=answer.status, media_type=CONTENT_TYPE)

    post.__name__ = f"soap_{service.name}"
    return post


def _get(service: dispatch.SoapService) -> Callable[..., Awaitable[Response]]:
    async def get(request: Request) -> Response:
        address = str(request.base_url).rstrip("/") + service.path
        if wants_wsdl(list(request.query_params.keys())):
            return Response(served(service.wsdl_file, address), media_type=CONTENT_TYPE)
        return Response(
            f"Open LRS: the {service.name} SOAP 1.1 endpoint. POST requests here; the "
            f"service description is at {address}?wsdl\n",
            media_type="text/plain; charset=utf-8",
        )

    get.__name__ = f"wsdl_{service.name}"
    return get


for _service in SERVICES:
    _service.operations  # noqa: B018 - check the adapters against the WSDL at start-up
    router.add_api_route(_service.path, _post(_service), methods=["POST"])
    router.add_api_route(_service.path, _get(_service), methods=["GET"])
