"""The API's request body parser: JSON, where every malformed body is a 400."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class ApiJSONParser(JSONParser):
    """DRF's JSON parser, also refusing a body nested too deeply to decode.

    DRF turns the decoder's ``ValueError`` into a 400 but lets ``RecursionError`` ("[[[[…"
    thousands deep) through as a 500.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deeply") from exc
