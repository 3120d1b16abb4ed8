"""A role at sign-up, and what it changes: navigation, dashboard, the onboarding checklists."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.accounts.factories import (
    OrganizationFactory,
    ProviderProfileFactory,
    UserFactory,
)
from tests.bids.factories import BidFactory
from tests.tasks.factories import TaskFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Qz7!mountain-river"


def signup(client: Client, **extra: str):
    body = {
        "email": "newcomer@example.com",
        "name": "新人",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **extra,
    }
    return client.post(reverse("account_signup"), body)


@pytest.mark.parametrize("role", ["poster", "provider"])
def test_sign_up_stores_the_chosen_role(settings, role: str) -> None:
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    response = signup(Client(), role=role)
    assert response.status_code == 302
    assert User.objects.get(email="newcomer@example.com").role == role


def test_sign_up_without_a_role_is_a_form_error_and_creates_nobody() -> None:
    response = signup(Client(headers={"accept-language": "en"}))
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(email="newcomer@example.com").exists()


def test_sign_up_refuses_both_as_a_first_choice() -> None:
    response = signup(Client(), role="both")
    assert response.status_code == 200
    assert not User.objects.filter(email="newcomer@example.com").exists()


def nav(client: Client) -> str:
    page = client.get("/dashboard/", headers={"accept-language": "en"}).content.decode()
    return page[page.index('class="main-nav"') : page.index("</nav>")]


def test_the_navigation_follows_the_role() -> None:
    poster = UserFactory(role=User.Role.POSTER)
    provider = UserFactory(role=User.Role.PROVIDER)
    both = UserFactory(role=User.Role.BOTH)
    clients = {}
    for user in (poster, provider, both):
        clients[user.role] = Client()
        clients[user.role].force_login(user)
    poster_nav, provider_nav, both_nav = (nav(clients[r]) for r in ("poster", "provider", "both"))
    assert "Find providers" in poster_nav
    assert "My bids" not in poster_nav
    assert "Provider profile" not in poster_nav
    assert "My bids" in provider_nav
    assert "Provider profile" in provider_nav
    assert "Find providers" not in provider_nav
    assert "Organizations" not in provider_nav
    assert all(word in both_nav for word in ("My bids", "Find providers", "Provider profile"))
    provider_page = clients["provider"].get("/dashboard/").content.decode()
    assert "header-post" not in provider_page  # no "Post a task" for a provider


def checklist_steps(client: Client, role: str) -> dict[str, bool]:
    page = client.get("/dashboard/").content.decode()
    start = page.find(f'data-checklist="{role}"')
    if start < 0:
        return {}
    section = page[start : page.index("</section>", start)]
    steps = {}
    for chunk in section.split('data-step="')[1:]:
        key = chunk.split('"', 1)[0]
        steps[key] = 'data-done="true"' in chunk.split(">", 1)[0]
    return steps


def test_a_new_poster_sees_the_poster_checklist_in_order_and_no_provider_card() -> None:
    user = UserFactory(role=User.Role.POSTER)
    client = Client()
    client.force_login(user)
    steps = checklist_steps(client, "poster")
    assert list(steps) == ["organization", "org_verification", "first_task"]
    assert not any(steps.values())
    assert checklist_steps(client, "provider") == {}
    assert 'id="provider-status"' not in client.get("/dashboard/").content.decode()


def test_the_poster_checklist_ticks_as_things_exist() -> None:
    user = UserFactory(role=User.Role.POSTER)
    organization = OrganizationFactory(owner=user, verified=True)
    client = Client()
    client.force_login(user)
    assert checklist_steps(client, "poster") == {
        "organization": True,
        "org_verification": True,
        "first_task": False,
    }
    TaskFactory(organization=organization, created_by=user)
    # All done: the checklist leaves the dashboard.
    assert checklist_steps(client, "poster") == {}


def test_the_provider_checklist_ticks_profile_skills_and_first_bid() -> None:
    user = UserFactory(role=User.Role.PROVIDER)
    client = Client()
    client.force_login(user)
    assert list(checklist_steps(client, "provider")) == [
        "profile",
        "skills",
        "verification",
        "first_bid",
    ]
    profile = ProviderProfileFactory(user=user)
    steps = checklist_steps(client, "provider")
    assert steps["profile"] is True
    assert steps["first_bid"] is False
    BidFactory(provider=profile)
    assert checklist_steps(client, "provider")["first_bid"] is True
    assert checklist_steps(client, "poster") == {}


def test_the_role_can_be_changed_later_on_the_profile_page() -> None:
    user = UserFactory(role=User.Role.PROVIDER, name="王芳")
    client = Client()
    client.force_login(user)
    response = client.post("/me/", {"name": "王芳", "language": "zh-hans", "role": "both"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.role == User.Role.BOTH
    bad = client.post("/me/", {"name": "王芳", "language": "zh-hans", "role": "admin"})
    assert bad.status_code == 200
    user.refresh_from_db()
    assert user.role == User.Role.BOTH


def test_the_api_shows_and_changes_the_role_of_the_caller_only() -> None:
    user = UserFactory(role=User.Role.POSTER)
    other = UserFactory(role=User.Role.PROVIDER)
    client = Client()
    client.force_login(user)
    assert client.get("/api/v1/me/").json()["role"] == "poster"
    response = client.patch("/api/v1/me/", {"role": "both"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["role"] == "both"
    bad = client.patch("/api/v1/me/", {"role": "root"}, content_type="application/json")
    assert bad.status_code == 400
    other.refresh_from_db()
    assert other.role == User.Role.PROVIDER
    user.refresh_from_db()
    assert user.role == User.Role.BOTH
