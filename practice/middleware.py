"""Dutch in Belgium and Dutch in the Netherlands: the words of the practice's country.

Django's ``LocaleMiddleware`` picks the reader's language (``nl``, ``fr``, ``en``) from the
session, the cookie or ``Accept-Language``. A Belgian practice reads kinesitherapeut, zitting
and ziekenfonds; a Dutch one fysiotherapeut, behandeling and zorgverzekeraar. This middleware
turns ``nl`` into ``nl-be`` or ``nl-nl`` by the country of the user's practice: the ``nl``
catalogue holds the Belgian words and ``nl_NL`` overrides the Dutch ones over it.

The country is looked up once per login and kept in the session; a visitor who is not logged
in gets the country of the practice they last logged in to (a cookie), so the login page of a
Dutch practice already speaks Dutch-Dutch.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from practice.models import Therapist

SESSION_KEY = "practice_country"
COOKIE = "practice_country"
COUNTRIES = ("BE", "NL")
ONE_YEAR = 365 * 24 * 3600


def practice_country(request: HttpRequest) -> str | None:
    """Return the country of the logged-in user's practice (or of the last one seen)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        country = request.session.get(SESSION_KEY)
        if country not in COUNTRIES:
            therapist = Therapist.objects.select_related("practice").filter(user=user).first()
            country = therapist.practice.country if therapist else ""
            request.session[SESSION_KEY] = country
        return country or None
    country = request.COOKIES.get(COOKIE)
    return country if country in COUNTRIES else None


def regional(language: str, country: str | None) -> str:
    """Return the language to activate: ``nl`` becomes ``nl-be`` or ``nl-nl``."""
    base = language.split("-")[0]
    if base == "nl" and country in COUNTRIES:
        return f"nl-{country.lower()}"
    return language


class PracticeLanguageMiddleware:
    """Activate the regional Dutch of the user's practice (after ``LocaleMiddleware``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        country = practice_country(request)
        language = regional(translation.get_language() or "en", country)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if country and request.COOKIES.get(COOKIE) != country:
            response.set_cookie(
                COOKIE,
                country,
                max_age=ONE_YEAR,
                samesite="Lax",
                secure=request.is_secure(),
                httponly=True,
            )
        return response
