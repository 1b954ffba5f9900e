"""Who may open what. Every route states its rule (lms/access.py); this walks all of them."""

from __future__ import annotations

import re

import pytest

from lms.access import PUBLIC, SIGNED_IN

ROLES = ("anonymous", "trainee", "instructor", "admin")
# Flask's own static route serves files under static/ (the same files nginx serves).
FRAMEWORK_ROUTES = {"static"}


def rule_of(app, endpoint: str) -> str | None:
    return getattr(app.view_functions[endpoint], "access_rule", None)


def test_every_route_declares_who_may_use_it(app):
    missing = [rule.endpoint for rule in app.url_map.iter_rules()
               if rule.endpoint not in FRAMEWORK_ROUTES and rule_of(app, rule.endpoint) is None]
    assert missing == [], f"routes without an access rule from lms/access.py: {missing}"


def sample_path(rule) -> str:
    values = {"slug": "shop-basics", "item_slug": "choose-product", "path": "shelf.svg", "filename": "app.css"}
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: values.get(m.group(1), "1"), rule.rule)


def expected(rule_text: str, role: str) -> str:
    if rule_text == PUBLIC:
        return "open"
    if role == "anonymous":
        return "sign-in"
    if rule_text == SIGNED_IN:
        return "open"
    allowed = rule_text.removeprefix("role:").split(",")
    return "open" if role in allowed else "forbidden"


def outcome(response) -> str:
    if response.status_code == 302 and "/login" in response.headers.get("Location", ""):
        return "sign-in"
    if response.status_code == 403:
        return "forbidden"
    return "open"


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix_for_every_route(app, client, auth, make_user, courses, role):
    if role != "anonymous":
        auth.login(make_user(role))
    mismatches = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in FRAMEWORK_ROUTES or rule.endpoint == "accounts.logout":
            continue
        declared = rule_of(app, rule.endpoint)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(sample_path(rule), method=method)
        want, got = expected(declared, role), outcome(response)
        if want != got and not (want == "open" and response.status_code in (200, 302, 304, 400, 404, 405)):
            mismatches.append(f"{method} {rule.rule}: {role} expected {want}, got {response.status_code}")
    assert mismatches == []


def test_a_script_in_a_display_name_is_inert(client, auth, make_user, courses):
    user = make_user(name='<script>alert(1)</script><img src=x onerror=alert(2)>')
    auth.login(user)
    client.post("/courses/shop-basics/enrol")
    for path in ("/", "/my", "/courses/shop-basics/", "/courses/shop-basics/choose-product"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path


# Pages whose rule is part of what they are: a change to one of these rules is a decision, not a refactoring.
STAFF_ONLY = {
    "studio.guide": "role:admin,instructor",  # the authoring guide: instructors and administrators, not trainees
    "tasks.queue": "role:admin,instructor",  # work waiting for review (which workshop: lms/cohorts/policy.py)
    "tasks.all_waiting": "role:admin",  # every workshop's and no workshop's work
    "tasks.review": "role:admin,instructor",  # scoring work (whose: lms/tasks/policy.py, else 404)
    "tasks.photo": "signed_in",  # the trainee's own, their instructors', administrators' (lms/tasks/policy.py)
    "tasks.send": "signed_in",  # a trainee's own work on a task of a course they are enrolled in
}


@pytest.mark.parametrize(("endpoint", "rule"), sorted(STAFF_ONLY.items()))
def test_staff_pages_keep_their_rule(app, endpoint, rule):
    assert rule_of(app, endpoint) == rule
