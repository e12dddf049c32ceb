"""Every code of the vocabulary with example parameters, and the table that documents them.

``docs/codes.md`` is generated from here (``manage.py codes_table``): each reason and warning
code, the parameters it carries (``engine.vocabulary``), its severity, and its sentence in
English for the example parameters below (``reimburse.explain``). The examples cover every
branch of every sentence; ``tests/reimburse/test_explain.py`` renders each in four languages.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from reimburse.engine.types import Reason, Warning
from reimburse.engine.vocabulary import (
    REASON_PARAMS,
    SEVERITY,
    WARNING_PARAMS,
    ReasonCode,
    WarningCode,
)
from reimburse.explain import Reader, reason_text, warning_text

R = ReasonCode
W = WarningCode
D = date(2026, 3, 14)
D2 = date(2026, 5, 4)
MONEY = Decimal("30.80")

# Sample parameters for every code, one per branch of its sentence.
REASON_EXAMPLES: dict[ReasonCode, list[dict[str, Any]]] = {
    R.BE_SAME_DAY: [
        {"date": D, "category": c, "why": why}
        for c, why in (
            ("courante", "no_second_code"),
            ("e", "at_most_two"),
            ("palliative", "not_motivated"),
        )
    ],
    R.BE_PRESCRIPTION_MISSING: [{}],
    R.BE_PRESCRIPTION_USED_UP: [{}],
    R.BE_PRESCRIPTION_LATE: [{"prescribed": D, "deadline": D2}],
    R.BE_COURANTE_BEST: [
        {"n": 3, "limit": 18, "year": 2026, "remaining": 15, "restarted": r, "intake": i}
        for r, i in ((False, True), (True, False))
    ],
    R.BE_COURANTE_AGREED: [
        {"n": 3, "limit": 18, "year": 2026, "rank": 2, "restarted": False, "intake": False}
    ],
    R.BE_COURANTE_PENDING: [
        {"n": 3, "limit": 18, "year": 2026, "rank": 2, "restarted": True, "intake": True}
    ],
    R.BE_COURANTE_OVERFLOW: [
        {"n": 20, "limit": 18, "year": 2026, "pool_left": 50, "pool_limit": 54},
        {"n": 20, "limit": 18, "year": 2021, "pool_left": None, "pool_limit": None},
    ],
    R.BE_COURANTE_SITUATION_OVERFLOW: [
        {"n": 1, "rank": 4, "situations": 3, "year": 2026, "pool_left": 50, "pool_limit": 54}
    ],
    R.BE_COURANTE_POOL_EXHAUSTED: [{"n": 73, "year": 2026, "pool_limit": 54}],
    R.BE_FA_BEST: [{"n": 4, "limit": 60, "end": D2}],
    R.BE_FA_REDUCED: [{"n": 61, "limit": 60, "end": D2}],
    R.BE_FA_PERIOD_ENDED: [{"start": D, "end": D2}],
    R.BE_FB_BEST: [{"n": 1, "limit": 60, "year": 2026, "restarted": r} for r in (False, True)],
    R.BE_FB_REDUCED: [{"n": 61, "year": 2026, "first": 61, "last": 80}],
    R.BE_FB_REDUCED_2: [{"n": 81, "year": 2026, "first": 81}],
    R.BE_FB_PERIOD_ENDED: [{"start": D, "end": D2}],
    R.BE_NOTIFICATION_PENDING: [{"n": 2, "category": c} for c in ("fa", "fb")],
    R.BE_E_AGREED: [{"n": 5, "until": D2}, {"n": 5, "until": None}],
    R.BE_E_PENDING: [{"n": 5}],
    R.BE_AGREEMENT_WAITING: [
        {
            "n": 2,
            "category": "courante",
            "status": "wfi-physiotherapist",
            "reason": "WFI_AGREE_SRV_PHYSIO_004",
            "decision_id": "D-2025-11-19",
        },
        {"n": 4, "category": "e", "status": "intreatment", "reason": "", "decision_id": ""},
    ],
    R.BE_AGREEMENT_REFUSED: [
        {"category": "courante", "reason": "REF_AGREE_ALL_999", "decision_id": "D-1"},
        {"category": "e", "reason": "", "decision_id": ""},
    ],
    R.BE_PERINATAL_SESSION: [{"n": 2, "limit": 9}],
    R.BE_PERINATAL_EXHAUSTED: [{"limit": 9}],
    R.BE_PALLIATIVE_SESSION: [{"n": 2, "second": s} for s in (False, True)],
    R.NL_REGULAR: [{}],
    R.NL_SCHEME_NOT_YET: [{"scheme": "rheumatoid_arthritis", "since": D}],
    R.NL_CHRONIC_FIRST: [{"n": 5, "adult_n": 5, "first": 20}, {"n": 9, "adult_n": 2, "first": 20}],
    R.NL_CHRONIC_BASIC: [
        {"n": 21, "starts": True, "term_end": D2, "term_known": True},
        {"n": 22, "starts": False, "term_end": None, "term_known": False},
        {"n": 23, "starts": False, "term_end": None, "term_known": True},
    ],
    R.NL_CHRONIC_AFTER_TERM: [{"n": 30, "end": D}],
    R.NL_CHRONIC_OUTGROWN: [{"max_age": 22}],
    R.NL_SCHEME_BASIC: [
        {"scheme": "osteoarthritis", "n": 3, "cap": 12, "months": 12, "start": D},
        {"scheme": "pelvic_floor", "n": 3, "cap": 9},
        {"scheme": "rheumatoid_arthritis", "n": 3, "cap": None},
    ],
    R.NL_SCHEME_USED_UP: [
        {"scheme": "osteoarthritis", "cap": 12, "shared": True},
        {"scheme": "claudication", "cap": 37, "shared": False},
    ],
    R.NL_SCHEME_WINDOW_ENDED: [{"scheme": "claudication", "months": 12, "end": D}],
    R.NL_COPD_BASIC: [
        {"gold_class": "B1", "year": 1, "year_start": D, "cap": 27, "n": 4},
        {"gold_class": "B1", "year": 2, "year_start": D2, "cap": 3, "n": 1},
    ],
    R.NL_COPD_USED_UP: [
        {"gold_class": "A", "year": 2, "year_start": D2, "cap": 0},
        {"gold_class": "B1", "year": 1, "year_start": D, "cap": 27},
    ],
    R.NL_COPD_STAGE: [{"stage": 1}],
    R.NL_COPD_NO_CLASS: [{}],
    R.NL_CHILD_SERIES: [
        {"n": 3, "limit": 9, "year": 2026, "second": False},
        {"n": 12, "limit": 18, "year": 2026, "second": True, "after_term": D},
        {"n": 2, "limit": 9, "year": 2026, "second": False, "outgrown": 17},
    ],
    R.NL_CHILD_USED_UP: [
        {"limit": 9, "year": 2026, "extension": False},
        {"limit": 18, "year": 2026, "extension": True, "outgrown": 17},
    ],
    R.NL_CHILD_CHRONIC: [{"term_end": D2, "term_known": True}],
    R.NL_PAY_CHILD: [{}],
    R.NL_PAY_DEDUCTIBLE: [
        {"year": 2026, "price": MONEY, "part": Decimal("0.00"), "left": Decimal("0.00")},
        {"year": 2026, "price": MONEY, "part": MONEY, "left": Decimal("100.00")},
        {"year": 2026, "price": MONEY, "part": MONEY, "left": Decimal("0.00")},
        {"year": 2026, "price": MONEY, "part": Decimal("10.00"), "left": Decimal("0.00")},
    ],
    R.NL_PAY_NO_PRICE: [{}],
    R.NL_PAY_DEDUCTIBLE_UNKNOWN: [
        {"year": 2027, "why": "not_known"},
        {"year": 2026, "why": "earlier_without_price"},
    ],
    R.NL_PAY_SAME_DAY: [{"date": D, "price": MONEY}, {"date": D, "price": None}],
    R.NL_PAY_PACKAGE_CHRONIC: [
        {"package": "Aanvullend 3", "first": 20},
        {"package": "", "first": 20},
    ],
    R.NL_PAY_ALLOWANCE: [
        {"year": 2026, "n": 3, "of": 9, "carried": 0},
        {"year": 2026, "n": 3, "of": 12, "carried": 3},
    ],
    R.NL_PAY_BUDGET: [
        {"year": 2026, "price": MONEY, "insurer": MONEY, "left": Decimal("200.00")},
        {"year": 2026, "price": MONEY, "insurer": Decimal("10.00"), "left": Decimal("0.00")},
        {"year": 2026, "price": None, "insurer": None, "left": None},
    ],
    R.NL_PAY_PATIENT: [
        {"year": 2026, "price": MONEY, "cover": True},
        {"year": 2026, "price": None, "cover": False},
    ],
    R.NL_PAY_SUB_LIMIT: [{"year": 2026, "kind": "manual_therapy", "limit": 9, "price": MONEY}],
}

WARNING_EXAMPLES: dict[WarningCode, list[dict[str, Any]]] = {
    W.QUOTA_LOW: [
        {"counter": c, "remaining": n}
        for c, n in (("courante", 1), ("fa", 2), ("child_series", 3), ("osteoarthritis", 2))
    ],
    W.QUOTA_EXHAUSTED: [{"counter": c, "limit": 9} for c in ("fb", "perinatal", "copd")],
    W.POOL_LOW: [{"remaining": n, "year": 2026} for n in (1, 3)],
    W.POOL_EXHAUSTED: [{"limit": 54, "year": 2026}],
    W.ALLOWANCE_LOW: [{"year": 2026, "remaining": n} for n in (1, 2)],
    W.ALLOWANCE_EXHAUSTED: [
        {"year": 2026, "cover": False},
        {"year": 2026, "limit": 9},
        {"year": 2026, "budget": Decimal("500.00")},
    ],
    W.PRESCRIPTION_MISSING: [{"date": D}],
    W.PRESCRIPTION_USED_UP: [{"date": D}],
    W.PRESCRIPTION_LATE_START: [{"prescribed": D, "deadline": D2, "date": D2}],
    W.PRESCRIPTION_LOW: [
        {"remaining": n, "prescribed": rx, "deadline": rx and D2}
        for n in (2, 1, 0)
        for rx in (D, None)
    ],
    W.REFERRAL_MISSING: [{}],
    W.NOTIFICATION_MISSING: [{"category": c} for c in ("fa", "fb")],
    W.AGREEMENT_MISSING: [
        {"category": "courante", "rank": 2, "year": 2026},
        {"category": "e", "year": 2026},
    ],
    W.AGREEMENT_ENDING: [{"until": D2}],
    W.AGREEMENT_WAITING: [
        {
            "category": "courante",
            "status": s,
            "reason": "WFI_AGREE_SRV_PHYSIO_004",
            "decision_id": "",
        }
        for s in ("intreatment", "wfi-physiotherapist", "wfi-prescriptor", "wfi-serviceprovider")
    ],
    W.AGREEMENT_REFUSED: [
        {"category": "e", "reason": "REF_AGREE_ALL_999", "decision_id": "D-1"},
        {"category": "courante", "reason": "", "decision_id": ""},
    ],
    W.DUPLICATE_SITUATION: [{"pathology": "co-1-3-4-0", "year": 2026, "other": "7"}],
    W.TARIFF_UNKNOWN: [
        {"code": "567011", "date": D, "start": date(2026, 1, 1), "end": None},
        {"code": "560055", "date": D, "start": date(2025, 2, 1), "end": date(2026, 1, 1)},
        {"code": "563010", "date": D, "start": None, "end": date(2024, 1, 1)},
        {"code": "563010", "date": D, "start": None, "end": None},
    ],
    W.CODE_UNKNOWN: [
        {"category": "fa", "tier": "1-20", "place": "practice", "date": D},
        {"category": "e", "tier": "second", "place": "home", "date": D},
        {"category": "courante", "tier": "1-9", "place": "practice", "minutes": 20, "date": D},
    ],
    W.DEDUCTIBLE_UNKNOWN: [{"year": 2027}],
    W.PERIOD_ENDING: [
        {"counter": "fa", "end": D2},
        {"counter": "chronic", "end": D2, "whiplash": True},
        {"counter": "copd", "end": D2, "whiplash": False},
    ],
    W.PERIOD_ENDED: [
        {"category": "fb", "date": D2, "end": D},
        {"count": 1, "date": D2, "basic": 0},
        {"count": 3, "date": D2, "basic": 2},
    ],
    W.SITUATIONS_EXCEEDED: [{"rank": 4, "year": 2026, "situations": 3}],
    W.SECOND_SESSION_SAME_DAY: [{"date": D}],
    W.BASIC_STARTS: [{"n": 21}],
    W.AGE_TRANSITION: [{"turns": D2}],
    W.RULES_UNKNOWN: [
        {"count": 1, "dates": (date(2010, 5, 3),)},
        {"count": 2, "dates": ["2010-05-03", "2010-05-10"]},
        {"problem": "date", "date": date(2010, 5, 3)},
        {"problem": "category", "value": "hydrotherapy", "where": "episode 3"},
    ],
}


def examples() -> list[tuple[str, Reason | Warning]]:
    """Every example as an engine value, named ``code#n``."""
    found: list[tuple[str, Reason | Warning]] = []
    for code, samples in REASON_EXAMPLES.items():
        found += [(f"{code}#{i}", Reason(code, p)) for i, p in enumerate(samples)]
    for wcode, samples in WARNING_EXAMPLES.items():
        found += [
            (f"{wcode}#{i}", Warning(wcode, SEVERITY[wcode], params=p))
            for i, p in enumerate(samples)
        ]
    return found


def codes_table() -> str:
    """Return ``docs/codes.md``: one table of every code, its parameters and a sentence."""
    english = Reader("en", "BE")
    lines = [
        "# Every code the engine gives",
        "",
        "Generated by `manage.py codes_table` from `reimburse/engine/vocabulary.py` (the codes",
        "and their parameters) and `reimburse/explain.py` (the sentences); do not edit by hand.",
        'Parameters are ISO dates, money strings (`"30.80"`), counts, booleans or short codes;',
        "a Dutch session's reason carries the basic-insurance verdict it followed from as",
        "`basis` (a nested reason). The sentences are shown for Belgium in English; every",
        "client may write its own from the code and the parameters.",
        "",
        "## Session reasons (`sessions[].reason`)",
        "",
        "| code | parameters | example sentence (English) |",
        "|---|---|---|",
    ]
    for code in ReasonCode:
        sample = REASON_EXAMPLES[code][0]
        reader = english if code.startswith("be.") else Reader("en", "NL")
        params = ", ".join(f"`{name}`" for name in REASON_PARAMS[code]) or "—"
        lines.append(f"| `{code}` | {params} | {reason_text(Reason(code, sample), reader)} |")
    lines += [
        "",
        "## Warnings (`warnings[]`)",
        "",
        "| code | severity | parameters | example message (English) |",
        "|---|---|---|---|",
    ]
    for wcode in WarningCode:
        sample = WARNING_EXAMPLES[wcode][0]
        params = ", ".join(f"`{name}`" for name in WARNING_PARAMS[wcode]) or "—"
        text = warning_text(Warning(wcode, SEVERITY[wcode], params=sample), english)
        lines.append(f"| `{wcode}` | {SEVERITY[wcode]} | {params} | {text} |")
    lines += [
        "",
        "One exception to the severities: `allowance_exhausted` for a patient with no",
        "supplementary cover at all (`cover: false`) is `info`: nothing runs out.",
        "",
    ]
    return "\n".join(lines)


__all__ = ["REASON_EXAMPLES", "WARNING_EXAMPLES", "codes_table", "examples"]
