"""One SOAP request, start to finish: envelope, operation, credentials, adapter, response.

A ``SoapService`` ties a WSDL to an adapter function per operation. The framework does all the
SOAP: it reads the envelope, finds the operation (by ``SOAPAction`` when one is sent, else by
the body's element), reads the request by the WSDL's schema, authenticates the caller, calls
the adapter with plain values, and writes what the adapter returns as the WSDL's response
element. Adapters only translate between the interface's values and the service layer's; a
service's refusal (``LrsError``) that an adapter does not turn into a response code becomes a
fault. Anything else is our failure: logged by its type alone (no personal data) and answered
with a bare Server fault, never a stack trace.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pydantic import ValidationError

from open_lrs.core.actor_cache import ActorCache
from open_lrs.core.batch_windows import Windows
from open_lrs.core.context import current_request_id
from open_lrs.core.db import Database, UnitOfWork
from open_lrs.core.errors import LrsError
from open_lrs.core.logging import get_logger
from open_lrs.core.security import Actor
from open_lrs.soap import auth, envelope
from open_lrs.soap.faults import FaultDetail, SoapFault, from_lrs_error, server_fault
from open_lrs.soap.schema import InvalidMessage, Schema, local_name
from open_lrs.soap.wsdl import Operation, operations, wsdl_tree

log = get_logger("open_lrs.soap")


@dataclass(frozen=True)
class Call:
    """What an adapter is given: the request's values (as ``Schema.read`` gives them) and its
    element's name (to name elements at fault by their path), the authenticated caller, the
    database to open units of work on, and the matching model and batch processing windows
    that the app's settings name."""

    operation: str
    element: str
    request: dict[str, Any]
    actor: Actor
    database: Database
    match_model_version: str
    batch_windows: Windows

    def uow(self) -> UnitOfWork:
        return self.database.unit_of_work()


Adapter = Callable[[Call], Mapping[str, Any]]


class SoapService:
    """A WSDL's operations, each served by an adapter returning the response's values."""

    def __init__(
        self,
        *,
        name: str,
        path: str,
        wsdl_file: str,
        adapters: Mapping[str, Adapter],
        credentials: Callable[[Mapping[str, Any]], auth.Credentials],
        fault_detail: FaultDetail,
    ) -> None:
        self.name = name
        self.path = path
        self.wsdl_file = wsdl_file
        self.adapters = dict(adapters)
        self.credentials = credentials
        self.fault_detail = fault_detail

    @cached_property
    def schema(self) -> Schema:
        return Schema(wsdl_tree(self.wsdl_file))

    @cached_property
    def operations(self) -> dict[str, Operation]:
        found = operations(wsdl_tree(self.wsdl_file))
        if set(found) != set(self.adapters):
            raise ValueError(
                f"{self.name}: the adapters ({', '.join(sorted(self.adapters))}) are not the "
                f"WSDL's operations ({', '.join(sorted(found))})"
            )
        for op in found.values():
            if not (self.schema.has_element(op.input) and self.schema.has_element(op.output)):
                raise ValueError(f"{self.name}: {op.name} names an element the WSDL lacks")
        return found

    def operation_for(self, tag: str, soap_action: str | None) -> Operation:
        """The operation a request asks for. A ``SOAPAction`` must name an operation (by the
        binding's action or WCF's default one) whose request element is the body's; without
        one, the body's element decides."""
        candidates = self.operations.values()
        action = (soap_action or "").strip().strip('"').strip()
        if action:
            named = [op for op in candidates if action in (op.soap_action, op.default_action)]
            if not named:
                raise SoapFault(f"The SOAPAction {action} names no operation of {self.name}.")
            if named[0].input != tag:
                raise SoapFault(
                    f"The SOAPAction names the operation {named[0].name}, whose request element "
                    f"is {local_name(named[0].input)}, but the body holds {_clark(tag)}."
                )
            return named[0]
        for op in candidates:
            if op.input == tag:
                return op
        raise SoapFault(
            f"The body element {_clark(tag)} is not the request of any operation of "
            f"{self.name}. Check its name and namespace against the WSDL."
        )


def _clark(tag: str) -> str:
    return tag if tag.startswith("{") else f"{{}}{tag}"


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


def handle(
    service: SoapService,
    data: bytes,
    *,
    soap_action: str | None,
    database: Database,
    cache: ActorCache,
    max_bytes: int,
    match_model_version: str,
    batch_windows: Windows,
) -> Answer:
    """The response to one POSTed request: 200 with the operation's response, or 500 with a
    fault (SOAP 1.1 sends every fault with 500)."""
    operation: str | None = None
    try:
        element = envelope.read_request(data, max_bytes=max_bytes)
        op = service.operation_for(element.tag, soap_action)
        operation = op.name
        values = service.schema.read(element)
        actor = auth.authenticate(database, cache, service.credentials(values))
        call = Call(
            op.name,
            local_name(op.input),
            values,
            actor,
            database,
            match_model_version,
            batch_windows,
        )
        result = service.adapters[op.name](call)
        return Answer(200, envelope.response(service.schema.build(op.output, result)))
    except SoapFault as exc:
        fault = exc
    except InvalidMessage as exc:
        fault = SoapFault(exc.message, further=[f"element: {exc.path}"])
    except LrsError as exc:
        fault = from_lrs_error(exc)
    except ValidationError as exc:  # an adapter that did not name the elements at fault
        fault = SoapFault(
            "The request has invalid values.", further=[str(e["msg"]) for e in exc.errors()]
        )
    except Exception as exc:
        log.error("soap_unhandled_error", error_type=type(exc).__name__, operation=operation)
        fault = server_fault()
    log.info("soap_fault", service=service.name, operation=operation, code=fault.code)
    return Answer(500, write_fault(service, fault, operation))


def write_fault(service: SoapService, fault: SoapFault, operation: str | None) -> bytes:
    tag, values = service.fault_detail(fault, operation, current_request_id())
    return envelope.fault(fault, service.schema.build(tag, values))
