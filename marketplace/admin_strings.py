"""The back-office theme's own words, for the zh-Hans catalogue.

django-unfold ships no zh-Hans catalogue, and Django's admin catalogue lacks the words unfold adds
(its search box, filter panel, action bar, theme switch, history, file inputs). Listing them here
lets makemessages put them in this project's catalogue, which LOCALE_PATHS puts first, so the back
office speaks Chinese all over. Only the words staff meet in the features the back office uses
are listed (not unfold's import/export or rich-text editor).
"""

from django.utils.translation import gettext_noop

UNFOLD_WORDS = (
    gettext_noop("Add new item"),
    gettext_noop("Add row"),
    gettext_noop("All applications"),
    gettext_noop("Apply Filters"),
    gettext_noop("Change History"),
    gettext_noop("Change reason"),
    gettext_noop("Changed by"),
    gettext_noop("Choose file to upload"),
    gettext_noop("Click to download"),
    gettext_noop("Collapse"),
    gettext_noop("Current file"),
    gettext_noop("Dark"),
    gettext_noop("Date"),
    gettext_noop("Date from"),
    gettext_noop("Date to"),
    gettext_noop("Expand row"),
    gettext_noop("False"),
    gettext_noop("Go back"),
    gettext_noop("Image preview"),
    gettext_noop("Light"),
    gettext_noop("Loading more results..."),
    gettext_noop("More actions"),
    gettext_noop("No data"),
    gettext_noop("No recent searches"),
    gettext_noop("No results found"),
    gettext_noop("No results matching your query"),
    gettext_noop("Not enough data."),
    gettext_noop("Object"),
    gettext_noop("Recent searches"),
    gettext_noop("Reset filters"),
    gettext_noop("Return to site"),
    gettext_noop("Run"),
    gettext_noop("Search apps and models..."),
    gettext_noop("Select action"),
    gettext_noop("Select action to run"),
    gettext_noop("Select all rows"),
    gettext_noop("Select record"),
    gettext_noop("Select value"),
    gettext_noop("System"),
    gettext_noop("This item will be deleted."),
    gettext_noop("This object doesn't have a change history."),
    gettext_noop("This page yielded into no results. Create a new item or reset your filters."),
    gettext_noop("Toggle password visibility"),
    gettext_noop("True"),
    gettext_noop("Type to search"),
    gettext_noop("Value"),
    gettext_noop("You have been successfully logged out from the administration"),
)
