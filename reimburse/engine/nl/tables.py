"""Dated parameters of the Dutch physiotherapy rules, each citing where it was found.

Every entry is valid on ``[valid_from, valid_until)`` (``valid_until`` ``None`` = still in
force). Rule ids (``B2``, ``S-ART``, ``K1`` …) refer to ``shared/domain/netherlands-coverage.md``.
The official Bzv text (Bijlage 1) could not be read for that note: every figure here is a
paraphrase by an insurer, the Zorginstituut, KNGF or a practice, and ``status`` says how far it
can be trusted. A new year or a corrected figure is a data change plus a test; a change of
legal method gets a new function in ``netherlands.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Literal

from reimburse.engine.dated import in_force

# How far a figure can be trusted: ``sourced`` = stated by a current (2024+) source;
# ``unverified`` = only older, undated or secondary sources; ``disputed`` = sources disagree;
# ``not_retrieved`` = the item is on the list but its term was not found.
Reliability = Literal["sourced", "unverified", "disputed", "not_retrieved"]


# ------------------------------------------------------------------ the chronic list (Bijlage 1)

# Start of every chronic-list entry: the 2012 revision of Bijlage 1 is the oldest version the
# sources describe (it removed RA, cardiac conditions …, and raised the unpaid "first n" to 20).
# Whether an item was on the list earlier is not known, so the table does not claim it.
LIST_2012 = date(2012, 1, 1)

_SRC_LIST = (
    "https://fysiotherapie-verzekering.nl/vraag/welke-klachten-vallen-onder-de-lijst-chronische-"
    "klachten/ ; https://studylibnl.com/doc/1255709/lijst-borst-voor-fysio--en-oefentherapeutische"
)
_SRC_VGZ_INDICATIONS = (
    "https://www.cooperatievgz.nl/zorgaanbieders/paramedische-zorg/kennisbank/machtigingen/"
    "indicaties-met-machtiging"
)
_SRC_LIST_2012 = (
    "https://studylibnl.com/doc/868342/a.-een-van-de-volgende-aandoeningen-van-het-zenuwstelsel- "
    "(2012, DATED)"
)


@dataclass(frozen=True)
class ChronicCondition:
    """One item of the chronic list: its maximum term and the age it is bound to.

    ``term_months`` ``None`` means no term (onbeperkt) when ``status`` is not
    ``not_retrieved``; with ``not_retrieved`` the term is simply unknown.
    ``max_age``: the item only applies while the patient is younger than this.
    """

    key: str
    label: str
    term_months: int | None
    source: str
    status: Reliability = "unverified"
    remarks: str = ""
    max_age: int | None = None
    valid_from: date = LIST_2012
    valid_until: date | None = None

    @property
    def term_known(self) -> bool:
        return self.status != "not_retrieved"


CHRONIC_LIST: tuple[ChronicCondition, ...] = (
    # --- nervous system (§1.3)
    ChronicCondition("cva", "Cerebrovascular accident (CVA)", None, _SRC_LIST),
    ChronicCondition("spinal_cord", "Spinal cord disorder (e.g. paraplegia)", None, _SRC_LIST),
    ChronicCondition("ms", "Multiple sclerosis", None, _SRC_LIST),
    ChronicCondition(
        "peripheral_nerve_motor",
        "Peripheral nerve disorder with motor loss",
        None,
        _SRC_LIST
        + " ; https://cash-liftoff.live/Particulier/Zorgverzekering/Lijst-chronische-aandoeningen-"
        "voor-fysiotherapie.htm",
        status="disputed",
        remarks="one page prints 'max 3 maanden' after the examples; probably the radicular item",
    ),
    ChronicCondition(
        "parkinson", "Extrapyramidal disorder (Parkinson, Huntington)", None, _SRC_LIST
    ),
    ChronicCondition(
        "motor_development_delay",
        "Motor retardation / developmental disorder",
        None,
        _SRC_LIST,
        remarks="only if younger than 17",
        max_age=17,
    ),
    ChronicCondition(
        "cns_congenital", "Congenital abnormality of the central nervous system", None, _SRC_LIST
    ),
    ChronicCondition("cerebellar", "Cerebellar disorder", None, _SRC_LIST),
    ChronicCondition(
        "brain_tumour_or_injury",
        "Loss of function from a brain or spinal tumour, or brain injury",
        None,
        _SRC_LIST,
    ),
    ChronicCondition(
        "radicular_motor",
        "Radicular syndrome with motor loss",
        3,
        _SRC_LIST,
        remarks="Lijst Borst mentions 'na conservatieve behandeling' near this row (unclear)",
    ),
    ChronicCondition("muscle_disease", "Muscle disease (incl. ALS)", None, _SRC_LIST),
    ChronicCondition("myasthenia", "Myasthenia gravis", None, _SRC_LIST),
    # --- musculoskeletal (§1.3)
    ChronicCondition("congenital_musculoskeletal", "Congenital abnormality", None, _SRC_LIST),
    ChronicCondition("progressive_scoliosis", "Progressive scoliosis", None, _SRC_LIST),
    ChronicCondition(
        "juvenile_osteochondrosis",
        "Juvenile osteochondrosis",
        None,
        _SRC_LIST,
        remarks="only if younger than 22",
        max_age=22,
    ),
    ChronicCondition(
        "reflex_dystrophy",
        "Reflex dystrophy (CRPS)",
        None,
        _SRC_LIST_2012
        + " ; https://pdfslide.net/download/link/lijst-chronische-aandoeningen-fysiotherapie-2012-"
        "sudeckse-atrofiedystrofie.html (DATED)",
        status="not_retrieved",
        remarks="2012 code list shows onbeperkt; absent from the current excerpt - verify",
    ),
    ChronicCondition(
        "pathological_fracture",
        "Fracture from Kahler's disease, bone metastasis or Paget's disease",
        None,
        _SRC_LIST,
    ),
    ChronicCondition(
        "frozen_shoulder",
        "Frozen shoulder (adhesive capsulitis)",
        12,
        _SRC_LIST,
        status="disputed",
        remarks="Lijst Borst layout ambiguous about the 12 months",
    ),
    ChronicCondition("forestier", "Hyperostotic spondylosis (Forestier)", None, _SRC_LIST),
    ChronicCondition("collagen_disease", "Collagen diseases", None, _SRC_LIST),
    ChronicCondition(
        "amputation",
        "Status after amputation",
        None,
        _SRC_LIST + " ; https://www.zorgvergoeding.com/page/86/chronische-lijst-van-aandoeningen/",
        status="disputed",
        remarks="2012 code list (DATED) shows 'amputaties, status na operatie 12 mnd'",
    ),
    ChronicCondition(
        "whiplash",
        "Whiplash",
        3,
        _SRC_LIST,
        remarks="extendable by at most 3 months if the triad persists: pass term_months=6",
    ),
    ChronicCondition(
        "pelvic_instability_postpartum", "Postpartum pelvic instability", 3, _SRC_LIST
    ),
    ChronicCondition("fracture_conservative", "Fracture, conservatively treated", 6, _SRC_LIST),
    # --- other conditions (§1.3; third group of Bijlage 1 not fully retrieved)
    ChronicCondition(
        "lymphoedema",
        "Lymphoedema",
        None,
        _SRC_VGZ_INDICATIONS,
        status="not_retrieved",
        remarks="listed as a Bijlage-1 indication; term not retrieved",
    ),
    ChronicCondition(
        "scar_tissue",
        "Scar tissue of the skin limiting joint movement",
        None,
        _SRC_VGZ_INDICATIONS,
        status="not_retrieved",
        remarks="listed as a Bijlage-1 indication; term not retrieved",
    ),
    ChronicCondition(
        "cystic_fibrosis",
        "Cystic fibrosis",
        None,
        _SRC_LIST_2012,
        status="not_retrieved",
        remarks="only on the 2012 list (DATED); term not retrieved",
    ),
    ChronicCondition(
        "pad_fontaine_3",
        "Peripheral arterial disease, Fontaine stage 3",
        None,
        "https://www.cooperatievgz.nl/zorgaanbieders/paramedische-zorg/declareren/specifieke-"
        "indicaties/claudicatio-intermittens-stadium-fontaine-3 ; https://www.pzp.nl/vergoedingen/"
        "fysiotherapie-en-oefentherapie/looptherapie-bij-etalagebenen",
        status="not_retrieved",
        remarks="chronic route (first 20 not basic, 21+ basic); no term stated",
    ),
    ChronicCondition(
        "post_operative",
        "Post-operative indication (joint replacement, ligament repair, operated fracture …)",
        12,
        _SRC_VGZ_INDICATIONS
        + " ; https://fysioyde.nl/jouw-zorgverzekering-fysiotherapie-in-2026-waar-moet-je-op-letten",
        status="disputed",
        remarks=(
            "B5a: VGZ counts 1 year from the operation, older pages 12 months from a first "
            "treatment within 3 months of it; the engine counts from the first treatment - "
            "pass first_treatment_on/term_months to follow the insurer"
        ),
    ),
)

CHRONIC_KEYS: frozenset[str] = frozenset(c.key for c in CHRONIC_LIST)


@cache  # a pure lookup in a constant table, asked per session
def chronic_condition(key: str, on: date) -> ChronicCondition | None:
    """Return the chronic-list entry for ``key`` in force on ``on``."""
    return in_force((c for c in CHRONIC_LIST if c.key == key), on)


@dataclass(frozen=True)
class ChronicUnpaidFirst:
    """How many treatments of a chronic indication basic insurance does not pay (B2, B10)."""

    count: int
    valid_from: date
    valid_until: date | None
    source: str


# B10: n was 9 before 2011 and 12 in 2011 - legacy data only, not tabled.
CHRONIC_UNPAID_FIRST: tuple[ChronicUnpaidFirst, ...] = (
    ChronicUnpaidFirst(
        20,
        LIST_2012,
        None,
        "https://www.vektis.nl/streams/standaardisatie/codelijsten/COD321-VEK1 ; "
        "https://www.cz.nl/vergoedingen/fysiotherapie-en-oefentherapie/aandoening-lijst-overheid-"
        "vanaf-18-jaar (2024)",
    ),
)


# ------------------------------------------------------------------- adult schemes (§2, K6)


@dataclass(frozen=True)
class Scheme:
    """A special basic scheme for adults: a cap within a window from the first treatment.

    ``cap`` ``None`` = no maximum; ``window_months`` ``None`` = no window. ``introduced``
    says the scheme began on ``valid_from`` (before it the condition is simply not on the
    list), as opposed to the table merely starting there for want of older sources.
    """

    category: str
    cap: int | None
    window_months: int | None
    valid_from: date
    valid_until: date | None
    introduced: bool
    source: str
    status: Reliability = "sourced"
    remarks: str = ""


SCHEMES: tuple[Scheme, ...] = (
    Scheme(
        "osteoarthritis",
        12,
        12,
        date(2018, 1, 1),
        None,
        True,
        "https://www.kngf.nl/actueel/nieuws/2017/december/oefentherapie-bij-artrose-aan-heup-of-"
        "knie-vanaf-1-januari-in-de-basisverzekering.html ; https://www.cz.nl/vergoedingen/"
        "fysiotherapie-en-oefentherapie/artrose-in-knie-en-heupgewrichten",
        remarks="one entitlement for every hip/knee joint and side (S-ART)",
    ),
    Scheme(
        "claudication",
        37,
        12,
        date(2017, 1, 1),
        None,
        True,
        "https://www.zorginstituutnederland.nl/Verzekerde+zorg/fysiotherapie-en-oefentherapie-zvw/"
        "documenten/adviezen/2016/03/01/pakketadvies-gesuperviseerde-oefentherapie-bij-claudicatio-"
        "intermittens ; https://www.just.nl/vergoedingen/fysiotherapie-bij-etalagebenen",
        status="disputed",
        remarks="repeatability disputed (once, per episode, per 12 months): engine = per episode",
    ),
    Scheme(
        "pelvic_floor",
        9,
        None,
        # "long-standing; pre-2016" per the note: in force on 2016-01-01, earlier not tabled.
        date(2016, 1, 1),
        None,
        False,
        "https://www.czdirect.nl/vergoedingen/fysiotherapie-en-oefentherapie/bekkenfysiotherapie "
        "(2018) ; https://www.pzp.nl/vergoedingen/fysiotherapie-en-oefentherapie/bekkenfysiotherapie",
        status="disputed",
        remarks="once per insured period (CZ, VGZ) vs once per indication (FBTO): engine = episode",
    ),
    Scheme(
        "rheumatoid_arthritis",
        None,
        None,
        date(2025, 1, 1),
        None,
        True,
        "https://reumanederland.nl/faq-oefentherapie-ernstige-reumatoide-artritis",
        remarks="severe RA, specially trained therapist; before 2025 not on the list",
    ),
)


@cache  # a pure lookup in a constant table, asked per session
def scheme(category: str, on: date) -> Scheme | None:
    """Return the scheme parameters of ``category`` in force on ``on``."""
    return in_force((s for s in SCHEMES if s.category == category), on)


@dataclass(frozen=True)
class CopdCaps:
    """COPD caps by GOLD class: the first 12 months and each later 12 months (S-COPD)."""

    first_year: Mapping[str, int]
    later_years: Mapping[str, int]
    lowest_basic_stage: int
    valid_from: date
    valid_until: date | None
    source: str
    remarks: str = ""


# The scheme began 2019-01-01, but class B was split into B1/B2 on 2021-01-01 and the 2019-2020
# caps for the unsplit B were not retrieved, so the table starts in 2021.
COPD_CAPS: tuple[CopdCaps, ...] = (
    CopdCaps(
        first_year={"A": 5, "B1": 27, "B2": 70, "C": 70, "D": 70},
        later_years={"A": 0, "B1": 3, "B2": 52, "C": 52, "D": 52},
        lowest_basic_stage=2,
        valid_from=date(2021, 1, 1),
        valid_until=None,
        source=(
            "https://www.menzis.nl/zorg-en-vergoedingen/f/fysiotherapie-vanaf-18-jaar/lijst-met-"
            "aandoeningen (2024) ; https://www.cz.nl/zorgaanbieder/zorgsoorten/paramedische-zorg/"
            "declareren-copd-behandelingen"
        ),
        remarks="GOLD spirometric stage 1: no basic cover (CZ)",
    ),
)

COPD_WINDOW_MONTHS = 12


@cache  # a pure lookup in a constant table, asked per session
def copd_caps(on: date) -> CopdCaps | None:
    """Return the COPD caps in force on ``on``."""
    return in_force(COPD_CAPS, on)


# ------------------------------------------------------------------------- children (K1)


@dataclass(frozen=True)
class ChildSeries:
    """Basic treatments per episode per calendar year for a child's non-list condition (K1)."""

    per_year: int
    with_extension: int
    valid_from: date
    valid_until: date | None
    source: str
    remarks: str = ""


# Table starts at the oldest dated source (Zorgdirect 2018); the rule itself is older.
CHILD_SERIES: tuple[ChildSeries, ...] = (
    ChildSeries(
        9,
        18,
        date(2018, 1, 1),
        None,
        "https://www.anderzorg.nl/vergoedingen/o/oefentherapie-cesar-mensendieck-2019 ; "
        "https://www.fnvmenzis.nl/collectief-voordeel/exclusieve-vergoedingen/fysiotherapie ; "
        "https://www.zorgdirect.nl/vergoeding/fysiotherapie-oefentherapie-18-jaar (2018)",
        remarks="K1a disputes 9+9 per condition per year vs 18 per indication vs 18 per year",
    ),
)

ADULT_AGE = 18


@cache  # a pure lookup in a constant table, asked per session
def child_series(on: date) -> ChildSeries | None:
    """Return the children's series in force on ``on``."""
    return in_force(CHILD_SERIES, on)


# -------------------------------------------------------------- eigen risico (deductible, §1.2)


@dataclass(frozen=True)
class StatutoryDeductible:
    """The compulsory eigen risico of one calendar year (B8, B9)."""

    amount: Decimal
    valid_from: date
    valid_until: date | None
    source: str


STATUTORY_DEDUCTIBLE: tuple[StatutoryDeductible, ...] = (
    StatutoryDeductible(
        Decimal("385.00"),
        date(2024, 1, 1),
        date(2025, 1, 1),
        "https://www.pzp.nl/vergoedingen/fysiotherapie-en-oefentherapie/looptherapie-bij-"
        "etalagebenen ; https://www.just.nl/vergoedingen/fysiotherapie-bij-etalagebenen",
    ),
    StatutoryDeductible(
        Decimal("385.00"),
        date(2025, 1, 1),
        date(2026, 1, 1),
        "https://www.zorgverzekeringslijn.nl/nieuws/wijziging-verplicht-eigen-risico-in-2025-"
        "maximaal-e-150-per-ziekenhuisbehandeling/ (DATED; the EUR 150 cap is hospital care only)",
    ),
    StatutoryDeductible(
        Decimal("385.00"),
        date(2026, 1, 1),
        date(2027, 1, 1),
        "https://www.zilverenkruis.nl/consumenten/zorgverzekering/veranderingen/prinsjesdag",
    ),
    # 2027+: only political plans (EUR 165 vs EUR 460), not law - deliberately absent.
)


@cache  # a pure lookup in a constant table, asked per session
def statutory_deductible(year: int) -> Decimal | None:
    """Return the statutory eigen risico of ``year``, or ``None`` when no amount is known."""
    entry = in_force(STATUTORY_DEDUCTIBLE, date(year, 1, 1))
    return None if entry is None else entry.amount


# --------------------------------------------------------------------- CSI codes (B11)


@dataclass(frozen=True)
class CsiCodes:
    """Declaration (CSI indication) codes the rules determine (B11)."""

    chronic_first: str
    chronic_basic: str
    non_chronic_supplementary: str
    osteoarthritis: str
    child_series: str
    valid_from: date
    valid_until: date | None
    source: str


# The code list is current (2024) but its start date is not in the sources: the table starts
# with the oldest scheme it names (osteoarthritis code 012, 2018).
CSI: tuple[CsiCodes, ...] = (
    CsiCodes(
        chronic_first="008",
        chronic_basic="001",
        non_chronic_supplementary="009",
        osteoarthritis="012",
        child_series="003",
        valid_from=date(2018, 1, 1),
        valid_until=None,
        source=(
            "https://www.zilverenkruis.nl/zorgaanbieders/zorgsoorten/msz/declareren/basisinformatie-"
            "fysiotherapie-in-een-instelling ; https://www.cooperatievgz.nl/zorgaanbieders/paramedische-"
            "zorg/declareren/overzicht-indicatiecodes-csi"
        ),
    ),
)


@cache  # a pure lookup in a constant table, asked per session
def csi_codes(on: date) -> CsiCodes | None:
    """Return the CSI code list in force on ``on``."""
    return in_force(CSI, on)
