"""Seed the insurer package catalogue from the domain note (netherlands-coverage.md §4.2).

Only rows that name a package and give a physiotherapy figure are seeded; ranges over an
insurer's packages (2018 DATED), "not found" rows and Just Live (its "4 more" applies only
after the 37 claudication treatments, so it is not an annual allowance) are left out.
Undated cards get the best-guess year 2025 (the year the note's worked scenarios use them)
and ``verified=False``; so does every row whose year or figures the note marks uncertain.
Reversing the migration deletes exactly the seeded (insurer, package, year) rows.

Historical models in migrations have no simple-history manager, so these inserts leave no
history rows; later edits in the admin are recorded as usual.
"""

from datetime import date

from django.db import migrations

CHECKED_ON = date(2026, 11, 21)

# Rules that hold for every package (note §4.1 and §5); appended to each package's notes.
GENERAL_NOTE = (
    "General: limits run per calendar year, not per condition (A1); no eigen risico on "
    "supplementary reimbursements (A2); basic insurance pays first, supplementary never pays "
    "what basic pays (A6). Dry needling is an ordinary physiotherapy session: it is not billed "
    "or reimbursed separately and counts as one treatment against the allowance (D1; same for "
    "medical taping, McKenzie, echography within physio)."
)

# (insurer, package, year, fields, notes, source, verified)
PACKAGES = [
    (
        "Zilveren Kruis",
        "Aanvullend Handel 1 ster",
        2025,
        {"treatments": 9, "manual_therapy_limit": 9},
        "Undated card, year is a best guess. 9 per person per calendar year for fysio, "
        "oefentherapie C/M, oedeemtherapie and manuele therapie; at most 9 manual therapy "
        "within the 9; plus Fysioapp.",
        "https://zorgverzekeringskaart.nl/zilverenkruis/aanvullend-handel-1-ster",
        False,
    ),
    (
        "Zilveren Kruis",
        "Aanvullend 4 sterren",
        2024,
        {"treatments": 36},
        "36 in 2024 (cut to 32 in 2025).",
        "https://www.blikopnieuws.nl/gezondheid/304335/fysiotherapie-steeds-moeilijker-te-verzekeren-hogere-premie-en-minder",
        True,
    ),
    (
        "Zilveren Kruis",
        "Aanvullend 4 sterren",
        2025,
        {"treatments": 32},
        "32 in 2025 (was 36 in 2024); top package closed to new customers in 2025.",
        "https://www.blikopnieuws.nl/gezondheid/304335/fysiotherapie-steeds-moeilijker-te-verzekeren-hogere-premie-en-minder",
        True,
    ),
    (
        "CZdirect",
        "Fysio 3+",
        2025,
        {"treatments": 3, "carry_over_max": 3},
        "Undated card, year is a best guess. 3 per year for fysio and oefentherapie C/M; up to "
        "3 unused treatments carry over to the next year (A8). CZ: at most one reimbursed "
        "treatment per day per care type (A5); the first 20 chronic treatments come from the "
        "same allowance (A3).",
        "https://zorgverzekeringskaart.nl/czdirect/fysio-3+",
        False,
    ),
    (
        "CZdirect",
        "Fysio 9 Uitgebreid+",
        2024,
        {"treatments": 9},
        "9 is inferred from the package name; the physiotherapy line is not in the source "
        "excerpt. Non-contracted therapists: 50 % of the average contracted tariff.",
        "https://lawinsider.com/nl/contracts/eSkMEKgBXlS",
        False,
    ),
    (
        "Menzis",
        "Extra Aanvullend",
        2025,
        {"treatments": 6, "pays_chronic_first_20": True},
        "Undated card, year is a best guess. 6 per year (fysio, C/M, oedeem/manual); plus 16 "
        "after an accident (approval, contracted only); plus a separate cover of the first 20 "
        "treatments of a chronic-list condition (contracted only). Whether the chronic 20 share "
        "the 6 is not stated (S03: treated as separate).",
        "https://zorgverzekeringskaart.nl/menzis/extraaanvullend",
        False,
    ),
    (
        "Menzis",
        "JongerenVerzorgd",
        2025,
        {"treatments": 9},
        "Page undated (2020s), year is a best guess. 9 per calendar year at a contracted "
        "therapist; non-contracted 75 %.",
        "https://www.menzis.nl/vergoedingen/f/fysio-en-oefentherapie-vanaf-18-jaar",
        False,
    ),
    (
        "Menzis",
        "ExtraVerzorgd 1",
        2025,
        {"treatments": 9},
        "Page undated (2020s), year is a best guess. 9 per calendar year at a contracted "
        "therapist; non-contracted 75 %.",
        "https://www.menzis.nl/vergoedingen/f/fysio-en-oefentherapie-vanaf-18-jaar",
        False,
    ),
    (
        "Menzis",
        "ExtraVerzorgd 3",
        2025,
        {"treatments": 20},
        "Article undated, year is a best guess. Cut from 32 to 20.",
        "https://www.gezondheidsnet.nl/zorgverzekering/aanvullende-zorgverzekeringen-versoberd",
        False,
    ),
    (
        "DSW",
        "AV-Compact",
        2024,
        {"treatments": 9},
        "Package name not in the source excerpt (likely AV-Compact); 9 per calendar year, one "
        "pool for C/M, fysio and manual therapy; one fysio/manual treatment per date; C/M may "
        "be combined but not on the same day (A5).",
        "https://dsw.nl/Consumenten/Vergoedingen/2024/Oefentherapie-Cesar-en-Mensendieck",
        False,
    ),
    (
        "DSW",
        "AV-Standaard",
        2024,
        {"treatments": 20},
        "Package name not in the source excerpt (likely AV-Standaard); 20 per calendar year; "
        "one fysio/manual treatment per date (A5).",
        "https://dsw.nl/Consumenten/Vergoedingen/2024/Oefentherapie-Cesar-en-Mensendieck",
        False,
    ),
    (
        "DSW",
        "AV-Top",
        2024,
        {"treatments": 36},
        "Package name not in the source excerpt (likely AV-Top); 36 per calendar year; one "
        "fysio/manual treatment per date (A5).",
        "https://dsw.nl/Consumenten/Vergoedingen/2024/Oefentherapie-Cesar-en-Mensendieck",
        False,
    ),
    (
        "DSW",
        "AV-Student",
        2024,
        {"treatments": 20},
        "Package name not in the source excerpt (likely AV-Student); 20 per calendar year; "
        "one fysio/manual treatment per date (A5).",
        "https://dsw.nl/Consumenten/Vergoedingen/2024/Oefentherapie-Cesar-en-Mensendieck",
        False,
    ),
    (
        "a.s.r.",
        "Doorgaan Basis",
        2025,
        {"treatments": 9},
        "Undated card, year is a best guess. 9 per year for fysio, C/M, oedeem/manual; "
        "Thuisfysio app.",
        "https://zorgverzekeringskaart.nl/asr/doorgaan-basis",
        False,
    ),
    (
        "a.s.r.",
        "Doorgaanmodule voor Ondernemers",
        2025,
        {"treatments": 21},
        "Undated card, year is a best guess. 21 fysio/C-M per year plus, separately, 12 manual "
        "therapy per year (not a sub-limit of the 21, so not entered as one).",
        "https://zorgverzekeringskaart.nl/asrnederland/doorgaanmodule-voor-ondernemers",
        False,
    ),
    (
        "ONVZ",
        "Bewuste Keuze Start",
        2024,
        {"treatments": 3},
        "3 per year (or online Fysiochecknu trajectories, combinable); only when basic does not "
        "(yet) pay; optional Fysiotherapie-module +3 per year; 14 sessions after an accident "
        "(contracted only).",
        "https://www.onvz.nl/vergoedingen/bewuste-keuze/2024/fysiotherapie-en-oefentherapie-vanaf-18-jaar",
        True,
    ),
    (
        "ONVZ",
        "Bewuste Keuze Extra",
        2024,
        {"treatments": 6},
        "6 per year (or online Fysiochecknu trajectories, combinable); only when basic does not "
        "(yet) pay; optional Fysiotherapie-module +3 per year.",
        "https://www.onvz.nl/vergoedingen/bewuste-keuze/2024/fysiotherapie-en-oefentherapie-vanaf-18-jaar",
        True,
    ),
    (
        "ONVZ",
        "Vrije Keuze Extrafit",
        2017,
        {"treatments": 9},
        "DATED (2017 policy conditions). 9 per calendar year, one pool for fysio, kinder-, "
        "manueel, C/M, bekken-, oedeem-, geriatrie- and psychosomatische fysiotherapie.",
        "https://www.onvz.nl/zorgverzekeringen/aanvullend/extrafit/polisvoorwaarden",
        True,
    ),
    (
        "Salland",
        "Start",
        2024,
        {"treatments": 6},
        "Year uncertain (page URL says 2021, text mentions 2024). 6 zittingen per calendar "
        "year (1 zitting = 1 treatment, D5).",
        "https://www.salland.nl/zorgverzekering/2021/basisverzekering-fysiotherapie",
        False,
    ),
    (
        "Salland",
        "Extra",
        2024,
        {"treatments": 9},
        "Year uncertain (page URL says 2021, text mentions 2024). 9 zittingen per calendar "
        "year (1 zitting = 1 treatment, D5).",
        "https://www.salland.nl/zorgverzekering/2021/basisverzekering-fysiotherapie",
        False,
    ),
    (
        "Salland",
        "Plus",
        2024,
        {"treatments": 15, "manual_therapy_limit": 9},
        "Year uncertain (page URL says 2021, text mentions 2024). 15 zittingen per calendar "
        "year, of which at most 9 manual therapy (S21: excess manual therapy not covered).",
        "https://www.salland.nl/zorgverzekering/2021/basisverzekering-fysiotherapie",
        False,
    ),
    (
        "Salland",
        "Top",
        2024,
        {"treatments": 25, "manual_therapy_limit": 9},
        "Year uncertain (page URL says 2021, text mentions 2024). 25 zittingen per calendar "
        "year, of which at most 9 manual therapy.",
        "https://www.salland.nl/zorgverzekering/2021/basisverzekering-fysiotherapie",
        False,
    ),
]


def seed(apps, schema_editor):
    InsurerPackage = apps.get_model("reimburse", "InsurerPackage")
    for insurer, name, year, fields, notes, source, verified in PACKAGES:
        InsurerPackage.objects.get_or_create(
            insurer=insurer,
            name=name,
            year=year,
            defaults={
                **fields,
                "notes": f"{notes}\n\n{GENERAL_NOTE}",
                "source": source,
                "checked_on": CHECKED_ON,
                "verified": verified,
            },
        )


def unseed(apps, schema_editor):
    InsurerPackage = apps.get_model("reimburse", "InsurerPackage")
    for insurer, name, year, *_rest in PACKAGES:
        InsurerPackage.objects.filter(insurer=insurer, name=name, year=year).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reimburse", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
