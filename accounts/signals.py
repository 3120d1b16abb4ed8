"""Signals accounts sends to the apps above it, which it cannot import."""

from django.dispatch import Signal

# A moderator hid a provider profile; sent inside the hiding transaction with `profile`,
# `moderator` and `reason`, so the reports app closes the profile's waiting reports with it.
provider_profile_hidden = Signal()
