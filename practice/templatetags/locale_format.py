"""Money and dates in templates as the practice's country writes them, in the reader's language.

``{% money value %}`` gives ``€ 30,80`` in Dutch and ``30,80 €`` in French; ``{% day value %}``
gives ``14/03/2026`` in Belgium and ``14-03-2026`` in the Netherlands. Both use the same
``reimburse.explain.Reader`` (Babel, CLDR) as the explanation sentences, so a page and its
sentences agree. The country comes from the page's ``practice_country`` (set by the views).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import template

from reimburse.explain import Reader

register = template.Library()


def _reader(context: template.Context) -> Reader:
    return Reader.current(str(context.get("practice_country") or "BE"))


@register.simple_tag(takes_context=True)
def money(context: template.Context, value: Decimal | int | str | None) -> str:
    if value is None or value == "":
        return "—"
    return _reader(context).money(Decimal(str(value)))


@register.simple_tag(takes_context=True)
def day(context: template.Context, value: date | None) -> Any:
    if value is None:
        return "—"
    return _reader(context).day(value)
