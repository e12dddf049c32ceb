"""``POST /api/v1/simulate``: the simulate contract over HTTP, stateless; its JSON renderer."""

from __future__ import annotations

from typing import Any

import orjson
from django.utils import translation
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import BaseParser
from rest_framework.renderers import JSONRenderer
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


class ContractJSONRenderer(JSONRenderer):
    """DRF's JSON, to the byte, written by orjson: for the contract's answers (simulate, quota).

    A quota answer is some 35 KB of plain JSON values (a dict and a sentence per session):
    the standard library's encoder wrote one in 0.38 ms of CPU, orjson in 0.13. The bytes are
    DRF's (``tests/api/test_contract_renderer.py``): compact, UTF-8, U+2028 and U+2029
    escaped. Anything orjson would write otherwise than DRF's encoder is left to it: dates,
    times and dataclasses (passed through, as is what orjson cannot write: a ``Decimal``, a
    lazy string, an integer past 64 bits, a key that is not a string), and answers DRF writes
    indented; subclasses of ``dict``, ``list``, ``str`` and ``int`` too (orjson would read a
    dict subclass's own storage, not its ``items()``: an ``OrderedDict`` moved to its end comes
    out in another order). The contract's answers hold no floats (``tests/api/
    test_contract_renderer.py`` checks it), which orjson writes in its own way (``0.00001`` for
    ``1e-05``) and DRF refuses when not finite.
    """

    _OPTIONS = (
        orjson.OPT_PASSTHROUGH_DATETIME
        | orjson.OPT_PASSTHROUGH_DATACLASS
        | orjson.OPT_PASSTHROUGH_SUBCLASS
    )

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Any = None,
    ) -> bytes:
        indent = self.get_indent(accepted_media_type or "", renderer_context or {})
        plain = self.compact and not self.ensure_ascii and self.strict and indent is None
        if data is None or not plain:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            written = orjson.dumps(data, option=self._OPTIONS)
        except TypeError:  # orjson.JSONEncodeError: what DRF's encoder writes its own way
            return super().render(data, accepted_media_type, renderer_context)
        # DRF escapes the two line separators JavaScript strings may not hold.
        return written.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")


class SimulateView(APIView):
    """Evaluate a case given in the request body; nothing is read from or written to the DB."""

    parser_classes = [ContractJSONParser]
    renderer_classes = [ContractJSONRenderer]

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
