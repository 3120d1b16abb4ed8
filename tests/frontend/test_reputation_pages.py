"""Reputation on the public provider and organization pages and on the dashboard: statistics,
the credit grade and public reviews for everyone; the score's factors only for the person or
organization they describe (on their dashboard) and for staff."""

from __future__ import annotations

import pytest

from accounts.models import Membership, Organization
from contracts.services import review_submit
from reputation.selectors import poster_stats, provider_stats
from tests.accounts.factories import (
    OrganizationFactory,
    ProviderProfileFactory,
    UserFactory,
    make_org_member,
)
from tests.frontend.contracts_setup import (
    awarded_contract,
    complete,
    english,
    fund,
    poster_owner,
    provider_user,
)
from tests.page_helpers import html as page

pytestmark = pytest.mark.django_db

SCORES = {"rating": 5, "quality": 5, "communication": 4, "timeliness": 5}
# Markers of the factor breakdown: its list, a factor key, and detail texts of both kinds.
FACTOR_MARKERS = (
    'class="credit-factors"',
    'data-factor="on_time"',
    "milestones delivered by their due date",
    "deliveries decided within the review window",
)


def shows_factors(html: str) -> bool:
    return any(marker in html for marker in FACTOR_MARKERS)


@pytest.fixture
def reviewed():
    """A completed contract both sides reviewed (so both reviews are public)."""
    provider = ProviderProfileFactory(user=UserFactory(real_name_verified=True))
    contract = complete(fund(awarded_contract(provider=provider)))
    review_submit(
        actor=poster_owner(contract),
        contract=contract,
        comment="交付扎实，验证数据完整。",
        **SCORES,
    )
    review_submit(
        actor=provider_user(contract), contract=contract, comment="需求清晰，验收及时。", **SCORES
    )
    return contract


def test_the_provider_page_shows_stats_grade_and_public_reviews(reviewed, client):
    profile = reviewed.provider
    stats = provider_stats(profile=profile)
    html = page(english().get(f"/providers/{profile.pk}/"))
    assert 'data-reputation="provider"' in html
    assert "Completed contracts" in html
    assert "Completion rate" in html
    assert "100%" in html
    assert "Delivered on time" in html
    assert "Average rating" in html
    assert "5.0" in html
    assert "1 review" in html
    assert "Repeat clients" in html
    grade = stats.credit.grade
    assert f'data-credit-grade="{grade}"' in html
    assert f"Credit grade {grade} ({stats.credit.grade_label}), score {stats.credit.score}" in html
    assert "交付扎实，验证数据完整。" in html
    assert reviewed.organization.name in html
    assert reviewed.task.title in html
    assert not shows_factors(html)


def test_a_lone_review_stays_hidden_until_the_other_side_writes(client):
    contract = complete(fund(awarded_contract()))
    review_submit(actor=poster_owner(contract), contract=contract, comment="尚未公开", **SCORES)
    html = page(english().get(f"/providers/{contract.provider.pk}/"))
    assert "尚未公开" not in html
    assert "No public reviews yet." in html
    review_submit(actor=provider_user(contract), contract=contract, comment="互评", **SCORES)
    assert "尚未公开" in page(english().get(f"/providers/{contract.provider.pk}/"))


def test_a_newcomer_has_dashes_not_fake_numbers():
    profile = ProviderProfileFactory()
    html = page(english().get(f"/providers/{profile.pk}/"))
    assert "No finished contracts yet" in html
    assert "No accepted milestones yet" in html
    assert "0 reviews" in html
    assert "No public reviews yet." in html


def test_the_organization_page_shows_poster_stats_grade_and_reviews(reviewed):
    organization = reviewed.organization
    stats = poster_stats(organization=organization)
    html = page(english().get(f"/orgs/{organization.slug}/"))
    assert 'data-reputation="poster"' in html
    assert "Hire rate" in html
    assert "Contracts completed" in html
    assert "Decides in time" in html
    assert "Average rating" in html
    assert f'data-credit-grade="{stats.credit.grade}"' in html
    assert "需求清晰，验收及时。" in html
    assert reviewed.provider.display_name in html
    assert not shows_factors(html)


def test_a_micro_firm_page_has_no_poster_record():
    firm = ProviderProfileFactory(firm=True).organization
    assert firm.kind == Organization.Kind.MICROFIRM
    html = page(english().get(f"/orgs/{firm.slug}/"))
    assert 'data-reputation="poster"' not in html


@pytest.mark.parametrize("viewer", ["anonymous", "stranger", "subject"])
def test_factors_never_show_on_public_pages(reviewed, viewer):
    users = {
        "anonymous": None,
        "stranger": UserFactory(),
        "subject": provider_user(reviewed),
    }
    client = english(users[viewer])
    provider_html = page(client.get(f"/providers/{reviewed.provider.pk}/"))
    org_html = page(client.get(f"/orgs/{reviewed.organization.slug}/"))
    assert not shows_factors(provider_html)
    assert not shows_factors(org_html)
    if viewer == "subject":
        assert "See what makes up your score" in provider_html
        assert 'href="/dashboard/#credit"' in provider_html
    else:
        assert "See what makes up your score" not in provider_html


def test_staff_see_the_breakdown_on_public_pages():
    contract = complete(fund(awarded_contract()))
    staff = UserFactory(staff=True)
    html = page(english(staff).get(f"/providers/{contract.provider.pk}/"))
    assert "visible to platform staff only" in html
    assert 'data-factor="on_time"' in html


def test_the_dashboard_shows_my_credit_with_its_factors(reviewed):
    provider_html = page(english(provider_user(reviewed)).get("/dashboard/"))
    assert 'id="credit"' in provider_html
    assert "Your credit" in provider_html
    assert f'data-credit-entry="provider-{reviewed.provider.pk}"' in provider_html
    assert "1 of 1 milestones delivered by their due date" not in provider_html  # two milestones
    assert "2 of 2 milestones delivered by their due date" in provider_html
    assert 'data-factor="identity"' in provider_html
    # The provider does not manage the poster, so its factors are not theirs to see.
    assert f'data-credit-entry="poster-{reviewed.organization.pk}"' not in provider_html

    owner_html = page(english(poster_owner(reviewed)).get("/dashboard/"))
    assert f'data-credit-entry="poster-{reviewed.organization.pk}"' in owner_html
    assert "deliveries decided within the review window" in owner_html
    assert f'data-credit-entry="provider-{reviewed.provider.pk}"' not in owner_html


def test_a_plain_member_does_not_see_the_organizations_factors(reviewed):
    member = UserFactory()
    make_org_member(member, reviewed.organization, Membership.Role.MEMBER)
    html = page(english(member).get("/dashboard/"))
    assert f'data-credit-entry="poster-{reviewed.organization.pk}"' not in html
    assert not shows_factors(html)


def test_a_firm_owner_sees_the_firms_provider_credit():
    profile = ProviderProfileFactory(firm=True)
    owner = Membership.objects.get(organization=profile.organization, role="owner").user
    html = page(english(owner).get("/dashboard/"))
    assert f'data-credit-entry="provider-{profile.pk}"' in html


def test_someone_with_neither_role_has_no_credit_section():
    html = page(english(UserFactory()).get("/dashboard/"))
    assert 'id="credit"' not in html
    OrganizationFactory()  # someone else's organization changes nothing
    assert 'id="credit"' not in page(english(UserFactory()).get("/dashboard/"))


def test_the_credit_badge_is_described_in_text(reviewed):
    html = page(english().get(f"/providers/{reviewed.provider.pk}/"))
    assert 'class="visually-hidden">Credit grade' in html
