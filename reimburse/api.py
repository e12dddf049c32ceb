"""``POST /api/v1/simulate``: the simulate contract over HTTP, stateless."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from practice.api.serializers import SimulateInputSerializer, SimulateResultSerializer
from reimburse.simulate import MAX_BYTES, load_json, simulate


class ContractJSONParser(BaseParser):
    """Decode the body as ``manage.py simulate`` does: a repeated key is invalid input."""

    media_type = "application/json"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        # One byte past the contract's limit is enough to refuse it (413): never read more.
        return load_json(stream.read(MAX_BYTES + 1) if stream is not None else b"")


class SimulateView(APIView):
    """Evaluate a case given in the request body; nothing is read from or written to the DB."""

    parser_classes = [ContractJSONParser]

    @extend_schema(
        summary="Simulate: how sessions are reimbursed, quotas left, warnings",
        description="The simulate contract (docs/rules/simulate.md). Invalid input "
        "answers 400 with every problem found, each with a JSON-path-like field.",
        request=SimulateInputSerializer,
        responses=SimulateResultSerializer,
        tags=["simulate"],
    )
    def post(self, request: Request) -> Response:
        # InvalidInput becomes the contract's 400 in practice.api.exceptions. Without ``lang``
        # the sentences follow Accept-Language (LocaleMiddleware has read it).
        return Response(simulate(request.data, language=translation.get_language()))
