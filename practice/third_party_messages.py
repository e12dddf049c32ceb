"""Messages of the third-party apps the admin shows that ship no Dutch catalogue.

django-simple-history (the history of every change) has French but no Dutch translations.
Listing its messages here lets ``makemessages`` carry them into our catalogues, so a Dutch or
Flemish clinic administrator reads the history pages in Dutch. Nothing calls this module.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop, ngettext

SIMPLE_HISTORY = (
    gettext_noop("View history: %s"),
    gettext_noop("Change history: %s"),
    gettext_noop('The %(name)s "%(obj)s" was changed successfully.'),
    gettext_noop("You may edit it again below"),
    gettext_noop("View %s"),
    gettext_noop("Revert %s"),
    gettext_noop("Created"),
    gettext_noop("Changed"),
    gettext_noop("Deleted"),
    gettext_noop(
        "Choose a date from the list below to revert to a previous version of this object."
    ),
    gettext_noop("This object doesn't have a change history."),
    gettext_noop("View %(verbose_name)s"),
    gettext_noop("Revert %(verbose_name)s"),
    gettext_noop("Press the 'Revert' button below to revert to this version of the object."),
    gettext_noop("Press the 'Change History' button below to edit the history."),
    gettext_noop("Object"),
    gettext_noop("Comment"),
    gettext_noop("Changed by"),
    gettext_noop("Change reason"),
    gettext_noop("Changes"),
    gettext_noop("Revert"),
    gettext_noop("Change History"),
)


def _plurals() -> None:  # pragma: no cover - read by makemessages only
    ngettext("entry", "entries", 0)
