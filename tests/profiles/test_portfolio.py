"""Portfolio entries (案例): the provider adds, edits, orders and deletes them with images and
files checked like every upload; nobody else can touch them; everyone sees them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from accounts.models import PortfolioEntry, PortfolioFile
from accounts.services import (
    portfolio_entry_create,
    portfolio_entry_delete,
    portfolio_entry_move,
    portfolio_entry_update,
    portfolio_file_add,
    portfolio_file_remove,
    portfolio_order_set,
)
from accounts.services.portfolio import MAX_ENTRIES, MAX_FILES_PER_ENTRY
from marketplace.audit import audit_trail
from marketplace.errors import NotAllowed, ValidationFailed
from tests.accounts.factories import ProviderProfileFactory, SkillFactory, UserFactory
from tests.api_helpers import API, assert_error, client_for
from tests.profiles.helpers import (
    exe_as_png,
    jpeg_with_exif,
    oversized_png,
    pdf_file,
    png,
    text_as_png,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile():
    return ProviderProfileFactory(skills={"machine-vision": 4})


def _create(profile, **kwargs):
    values = {"title": "焊缝检测产线", "description": "Inspection line.", "year": 2024}
    values.update(kwargs)
    return portfolio_entry_create(actor=profile.user, profile=profile, **values)


# --- services ----------------------------------------------------------------------------------


def test_an_entry_is_added_at_the_end_with_its_skills_and_an_audit_row(profile):
    vision = SkillFactory(slug="machine-vision")
    first = _create(profile)
    second = _create(profile, title="Second", client="某汽车厂", skill_ids=[vision.pk])

    assert [first.position, second.position] == [0, 1]
    assert list(second.skills.all()) == [vision]
    assert second.client == "某汽车厂"
    actions = [event.action for event in audit_trail(profile)]
    assert actions.count("portfolio.entry_create") == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"year": 1900}, "year"),
        ({"year": 3000}, "year"),
        ({"year": "2020"}, "year"),
        ({"skill_ids": [999_999]}, "skills"),
        ({"skill_ids": "1,2"}, "skills"),
        ({"client": "c" * 121}, "client"),
    ],
)
def test_bad_input_is_refused_per_field_and_writes_nothing(profile, kwargs, field):
    with pytest.raises(ValidationFailed) as caught:
        _create(profile, **kwargs)

    assert field in caught.value.fields
    assert not PortfolioEntry.objects.exists()


def test_another_user_cannot_add_edit_order_or_delete(profile):
    entry = _create(profile)
    stranger = UserFactory()
    ProviderProfileFactory(user=stranger)

    with pytest.raises(NotAllowed):
        portfolio_entry_create(actor=stranger, profile=profile, title="Mine now")
    with pytest.raises(NotAllowed):
        portfolio_entry_update(actor=stranger, entry=entry, title="Hacked")
    with pytest.raises(NotAllowed):
        portfolio_entry_delete(actor=stranger, entry=entry)
    with pytest.raises(NotAllowed):
        portfolio_order_set(actor=stranger, profile=profile, entry_ids=[entry.pk])
    with pytest.raises(NotAllowed):
        portfolio_file_add(actor=stranger, entry=entry, upload=png())

    entry.refresh_from_db()
    assert entry.title == "焊缝检测产线"
    assert PortfolioEntry.objects.count() == 1
    assert not PortfolioFile.objects.exists()


def test_a_portfolio_holds_at_most_thirty_entries(profile):
    for n in range(MAX_ENTRIES):
        PortfolioEntry.objects.create(profile=profile, title=f"case {n}", position=n)

    with pytest.raises(ValidationFailed, match="at most 30"):
        _create(profile)


def test_reordering_names_every_entry_once(profile):
    a, b, c = (_create(profile, title=t) for t in "abc")

    with pytest.raises(ValidationFailed):
        portfolio_order_set(actor=profile.user, profile=profile, entry_ids=[a.pk, b.pk])
    with pytest.raises(ValidationFailed):
        portfolio_order_set(actor=profile.user, profile=profile, entry_ids=[a.pk, a.pk, b.pk])
    portfolio_order_set(actor=profile.user, profile=profile, entry_ids=[c.pk, a.pk, b.pk])
    assert list(PortfolioEntry.objects.values_list("title", flat=True)) == ["c", "a", "b"]

    portfolio_entry_move(actor=profile.user, entry=b, offset=-1)
    assert list(PortfolioEntry.objects.values_list("title", flat=True)) == ["c", "b", "a"]
    portfolio_entry_move(actor=profile.user, entry=c, offset=-1)  # already first: no change
    assert list(PortfolioEntry.objects.values_list("title", flat=True)) == ["c", "b", "a"]


def test_an_image_is_stored_re_encoded_with_a_thumbnail(profile):
    entry = _create(profile)

    item = portfolio_file_add(actor=profile.user, entry=entry, upload=jpeg_with_exif())

    assert item.is_image
    assert item.original_name == "photo.jpg"
    assert (item.width, item.height) == (640, 480)
    stored = item.file.read()
    assert b"SecretCam" not in stored
    assert Image.open(io.BytesIO(item.thumbnail.read())).width <= 480
    assert Path(item.file.name).name == f"{item.sha256}.jpg"


def test_a_document_is_stored_as_sent_under_its_hash(profile):
    entry = _create(profile)

    item = portfolio_file_add(actor=profile.user, entry=entry, upload=pdf_file())

    assert not item.is_image
    assert item.content_type == "application/pdf"
    assert not item.thumbnail
    assert Path(item.file.name).name == item.sha256


@pytest.mark.parametrize(
    "upload", [text_as_png, exe_as_png], ids=["text-named-png", "executable-named-png"]
)
def test_a_disguised_file_is_refused_and_nothing_is_stored(profile, upload):
    entry = _create(profile)

    with pytest.raises(ValidationFailed):
        portfolio_file_add(actor=profile.user, entry=entry, upload=upload())

    assert not PortfolioFile.objects.exists()


def test_an_oversized_file_is_refused(profile, settings):
    settings.MARKETPLACE = {**settings.MARKETPLACE, "PORTFOLIO_FILE_MAX_BYTES": 4096}
    entry = _create(profile)

    with pytest.raises(ValidationFailed, match="files may be at most"):
        portfolio_file_add(actor=profile.user, entry=entry, upload=oversized_png(4096))

    assert not PortfolioFile.objects.exists()


def test_an_entry_holds_at_most_eight_files(profile):
    entry = _create(profile)
    for _ in range(MAX_FILES_PER_ENTRY):
        portfolio_file_add(actor=profile.user, entry=entry, upload=pdf_file())

    with pytest.raises(ValidationFailed, match="at most 8"):
        portfolio_file_add(actor=profile.user, entry=entry, upload=pdf_file())


def test_removing_a_file_or_an_entry_deletes_the_stored_files_after_commit(
    profile, django_capture_on_commit_callbacks
):
    entry = _create(profile)
    image = portfolio_file_add(actor=profile.user, entry=entry, upload=png())
    document = portfolio_file_add(actor=profile.user, entry=entry, upload=pdf_file())
    names = [image.file.name, image.thumbnail.name, document.file.name]
    assert all(default_storage.exists(name) for name in names)

    with django_capture_on_commit_callbacks(execute=True):
        portfolio_file_remove(actor=profile.user, item=document)
    assert not default_storage.exists(names[2])
    assert default_storage.exists(names[0])

    with django_capture_on_commit_callbacks(execute=True):
        portfolio_entry_delete(actor=profile.user, entry=entry)
    assert not any(default_storage.exists(name) for name in names)
    assert not PortfolioFile.objects.exists()


def test_a_firm_s_managers_manage_its_portfolio_and_its_plain_members_cannot():
    from accounts.models import Membership
    from tests.accounts.factories import make_org_member

    firm = ProviderProfileFactory(firm=True)
    owner = Membership.objects.get(organization=firm.organization, role="owner").user
    member = UserFactory()
    make_org_member(member, firm.organization)

    portfolio_entry_create(actor=owner, profile=firm, title="Firm case")
    with pytest.raises(NotAllowed):
        portfolio_entry_create(actor=member, profile=firm, title="Not mine to add")


# --- API ---------------------------------------------------------------------------------------


def test_api_the_portfolio_is_public_and_only_the_provider_writes_it(profile):
    owner, stranger = client_for(profile.user), client_for(UserFactory())
    created = owner.post(
        f"{API}/provider-profiles/{profile.pk}/portfolio/",
        {"title": "机器视觉检测", "year": 2023, "skills": [SkillFactory(slug="machine-vision").pk]},
        format="json",
    )
    assert created.status_code == 201, created.content
    entry_id = created.json()["id"]

    upload = owner.post(f"{API}/portfolio/{entry_id}/files/", {"file": png()}, format="multipart")
    assert upload.status_code == 201, upload.content
    assert upload.json()["is_image"]
    assert upload.json()["thumbnail_url"]

    listed = client_for(None).get(f"{API}/provider-profiles/{profile.pk}/portfolio/")
    assert listed.status_code == 200
    [entry] = listed.json()["results"]
    assert entry["title"] == "机器视觉检测"
    assert entry["skills"][0]["slug"] == "machine-vision"
    thumb = client_for(None).get(entry["files"][0]["thumbnail_url"])
    assert thumb.status_code == 200
    assert thumb["Content-Type"] == "image/jpeg"
    assert thumb["X-Content-Type-Options"] == "nosniff"

    # Another user: the same operations are refused and change nothing.
    assert_error(
        stranger.post(
            f"{API}/provider-profiles/{profile.pk}/portfolio/", {"title": "x"}, format="json"
        ),
        403,
    )
    assert_error(
        stranger.put(f"{API}/portfolio/{entry_id}/", {"title": "Hacked"}, format="json"), 404
    )
    assert_error(stranger.delete(f"{API}/portfolio/{entry_id}/"), 404)
    assert_error(
        stranger.post(f"{API}/portfolio/{entry_id}/files/", {"file": png()}, format="multipart"),
        404,
    )
    file_id = entry["files"][0]["id"]
    assert_error(stranger.delete(f"{API}/portfolio-files/{file_id}/"), 404)
    assert_error(
        stranger.put(
            f"{API}/provider-profiles/{profile.pk}/portfolio/order/",
            {"entries": [entry_id]},
            format="json",
        ),
        403,
    )
    assert_error(client_for(None).delete(f"{API}/portfolio/{entry_id}/"), 401)
    assert PortfolioEntry.objects.get().title == "机器视觉检测"
    assert PortfolioFile.objects.count() == 1

    # The provider edits, reorders and deletes.
    edited = owner.put(
        f"{API}/portfolio/{entry_id}/", {"title": "Edited", "client": "某厂"}, format="json"
    )
    assert edited.status_code == 200
    assert edited.json()["client"] == "某厂"
    assert owner.delete(f"{API}/portfolio-files/{file_id}/").status_code == 204
    assert owner.delete(f"{API}/portfolio/{entry_id}/").status_code == 204
    assert not PortfolioEntry.objects.exists()


def test_api_bad_files_and_bad_input_are_400_and_write_nothing(profile, settings):
    owner = client_for(profile.user)
    entry = _create(profile)

    wrong_type = owner.post(
        f"{API}/portfolio/{entry.pk}/files/", {"file": exe_as_png()}, format="multipart"
    )
    assert_error(wrong_type, 400, code="invalid")
    settings.MARKETPLACE = {**settings.MARKETPLACE, "PORTFOLIO_FILE_MAX_BYTES": 4096}
    oversize = owner.post(
        f"{API}/portfolio/{entry.pk}/files/", {"file": oversized_png(4096)}, format="multipart"
    )
    assert "huge.png" in assert_error(oversize, 400)["message"]
    float_year = owner.post(
        f"{API}/provider-profiles/{profile.pk}/portfolio/",
        {"title": "x", "year": 2020.5},
        format="json",
    )
    assert "year" in assert_error(float_year, 400)["fields"]
    assert not PortfolioFile.objects.exists()
    assert PortfolioEntry.objects.count() == 1


def test_api_reorder(profile):
    a, b = _create(profile, title="a"), _create(profile, title="b")

    response = client_for(profile.user).put(
        f"{API}/provider-profiles/{profile.pk}/portfolio/order/",
        {"entries": [b.pk, a.pk]},
        format="json",
    )

    assert response.status_code == 200
    assert [e["title"] for e in response.json()] == ["b", "a"]
    bad = client_for(profile.user).put(
        f"{API}/provider-profiles/{profile.pk}/portfolio/order/",
        {"entries": [b.pk]},
        format="json",
    )
    assert_error(bad, 400)


def test_a_suspended_provider_s_portfolio_files_are_hidden(profile):
    entry = _create(profile)
    item = portfolio_file_add(actor=profile.user, entry=entry, upload=png())
    url = f"/pictures/portfolio/{item.pk}/thumb"
    assert client_for(None).get(url).status_code == 200

    profile.user.suspended_at = profile.user.date_joined
    profile.user.save(update_fields=["suspended_at"])

    assert client_for(None).get(url).status_code == 404
    listed = client_for(None).get(f"{API}/provider-profiles/{profile.pk}/portfolio/")
    assert listed.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_cases_added_at_once_get_distinct_places():
    from django.db import connection

    from tests.accounts.concurrency import run_concurrently

    if connection.vendor != "postgresql":
        pytest.fail("this race is tested on PostgreSQL (set DATABASE_URL)")
    profile = ProviderProfileFactory()

    results = run_concurrently(
        lambda: portfolio_entry_create(actor=profile.user, profile=profile, title="one"),
        lambda: portfolio_entry_create(actor=profile.user, profile=profile, title="two"),
    )

    assert all(isinstance(r, PortfolioEntry) for r in results), results
    assert sorted(PortfolioEntry.objects.values_list("position", flat=True)) == [0, 1]
