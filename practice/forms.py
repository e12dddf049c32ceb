"""Forms of the therapists' pages.

Choices (episodes, therapists) are plain lists the view builds from rows it already loaded, not
querysets, so rendering a form issues no queries and a form only offers the practice's rows.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from practice.models import TreatmentSession


class DateInput(forms.DateInput):
    """The browser's date picker; it sends and expects ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AttentionFilterForm(forms.Form):
    therapist = forms.TypedChoiceField(
        label=_("Therapist"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, therapists: list[tuple[int, str]], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # labels above the fields need no colon
        super().__init__(*args, **kwargs)
        field = self.fields["therapist"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("All therapists")), *therapists]


class PriceField(forms.DecimalField):
    """A euro amount typed as people write it: "42,50", "42.50", "1.234,50" or "1 234,50".

    A text field with a decimal keypad, not ``type=number``: a browser may drop a comma it does
    not expect there ("42,50" became 4250 in Chromium), and Django's own localized parsing
    would read the comma as a thousands separator in English.
    """

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.strip().replace(" ", "").replace("\u00a0", "").replace("€", "")
            if "," in value:
                # The comma is the decimal separator; dots before it group thousands.
                value = value.replace(".", "").replace(",", ".")
        result: Decimal | None = super().to_python(value)
        return result


class _SessionFields(forms.Form):
    """What a session needs: the episode, how long, where, and (NL) its price."""

    episode = forms.TypedChoiceField(label=_("Episode"), coerce=int)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=240, initial=30)
    place = forms.ChoiceField(
        label=_("Place"),
        choices=TreatmentSession.Place.choices,
        initial=TreatmentSession.Place.PRACTICE,
    )
    kind = forms.ChoiceField(
        label=_("Treatment"),
        choices=TreatmentSession.Kind.choices,
        initial=TreatmentSession.Kind.PHYSIOTHERAPY,
        required=False,  # left out: ordinary physiotherapy
        help_text=_(
            "Manual therapy counts toward a package's manual-therapy limit; dry needling is "
            "ordinary physiotherapy."
        ),
    )
    price = PriceField(
        label=_("Price (EUR)"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("What the practice charges; needed for the insurer's and patient's share."),
    )

    def __init__(
        self, *args: Any, episodes: list[tuple[int, str]], with_price: bool, **kwargs: Any
    ) -> None:
        kwargs.setdefault("label_suffix", "")  # labels above the fields need no colon
        super().__init__(*args, **kwargs)
        field = self.fields["episode"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = episodes
        if len(episodes) == 1:
            field.initial = episodes[0][0]
        # Only Dutch sessions have a price of the practice's own; Belgian fees are tariffs.
        if not with_price:
            del self.fields["price"]
            del self.fields["kind"]  # a package's sub-limits are Dutch


class SessionForm(_SessionFields):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    # A one-time key per displayed form: a second submit of it (a double click, a resent
    # POST) returns the session the first one recorded instead of recording another.
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    field_order = ["episode", "date", "minutes", "place", "kind", "price"]

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's per-field messages next to the fields; the rest above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)


class PlanForm(_SessionFields):
    first = forms.DateField(label=_("First session"), widget=DateInput())
    per_week = forms.TypedChoiceField(
        label=_("Sessions a week"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        initial=2,
    )
    weeks = forms.IntegerField(label=_("Weeks"), min_value=1, max_value=26, initial=6)
    field_order = ["episode", "first", "per_week", "weeks", "minutes", "place", "kind", "price"]


class SessionCorrectForm(forms.Form):
    """Correct a recorded session: what was wrong, and why (kept in the history)."""

    episode = forms.TypedChoiceField(label=_("Episode"), coerce=int)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=240)
    reason = forms.CharField(label=_("Reason for the correction"), max_length=200)

    def __init__(self, *args: Any, episodes: list[tuple[int, str]], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        field = self.fields["episode"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = episodes


class SessionCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("prefix", "cancel")
        super().__init__(*args, **kwargs)


class ElsewhereForm(forms.Form):
    """ "Treated elsewhere this year?": a BE patient's use of the year at another practice.

    One ``episode-<id>`` field per episode (the sessions of that situation given there).
    """

    year = forms.IntegerField(min_value=1900, max_value=2100, widget=forms.HiddenInput)
    situations = forms.IntegerField(
        label=_("Courante situations treated there earlier this year"), min_value=0, max_value=99
    )
    overflow = forms.IntegerField(
        label=_("Overflow sessions billed there this year"), min_value=0, max_value=999
    )

    def __init__(self, *args: Any, episodes: list[tuple[int, str]], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for pk, title in episodes:
            self.fields[f"episode-{pk}"] = forms.IntegerField(
                label=title, min_value=0, max_value=999, required=False
            )

    def episode_sessions(self) -> dict[int, int]:
        """The sessions per episode id, from the cleaned data (empty = 0)."""
        return {
            int(name.removeprefix("episode-")): value or 0
            for name, value in self.cleaned_data.items()
            if name.startswith("episode-")
        }
