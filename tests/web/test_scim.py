"""Directory sync by SCIM 2.0, checked with the RFCs' own examples and Entra ID's requests.

RFC 7644 section 3.3 (create), 3.4.2.2 (filtering), 3.4.2.4 (paging), 3.5.2 (PATCH), 3.6
(delete), 3.12 (errors); Entra ID's documented provisioning requests (capitalised ``op``,
``"active": "False"`` as a string, the manager as a bare id).
"""

from __future__ import annotations

import pytest
from django.test import Client

from bridgework.directory.models import Network, Organisation, Person
from bridgework.scim.errors import ERROR_SCHEMA
from bridgework.scim.models import ScimToken
from bridgework.scim.services import scim_token_create
from bridgework.scim.users import ENTERPRISE_SCHEMA, USER_SCHEMA
from tests.web.scim_client import BJENSEN, SCIM, Scim


@pytest.fixture
def scim_a(network_a: Network) -> Scim:
    return Scim(network_a)


@pytest.fixture
def scim_b(network_b: Network) -> Scim:
    return Scim(network_b)


def error(response, status: int, scim_type: str | None = None) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == SCIM
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)
    if scim_type:
        assert body["scimType"] == scim_type
    return body["detail"]


# Entra ID's create request, as its SCIM guide documents it.
ENTRA_USER = {
    "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA],
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
    "active": True,
    "emails": [{"primary": True, "type": "work", "value": "Test_User_fd0ea19b@testuser.com"}],
    "meta": {"resourceType": "User"},
    "name": {
        "formatted": "givenName familyName",
        "familyName": "familyName",
        "givenName": "givenName",
    },
    "roles": [],
}


# --- authentication and tenancy ---------------------------------------------------------


@pytest.mark.django_db
def test_without_a_valid_token_every_endpoint_answers_401(scim_a):
    for path in ("Users", "Users/1", "Groups", "ServiceProviderConfig", "Schemas"):
        assert "bearer token" in error(Client().get(f"/scim/v2/{path}"), 401)
        bad = Client(HTTP_AUTHORIZATION="Bearer not-a-token").get(f"/scim/v2/{path}")
        assert bad["WWW-Authenticate"].startswith("Bearer")
        error(bad, 401)
    assert scim_a.get("Users").status_code == 200


@pytest.mark.django_db
def test_a_revoked_token_stops_working(scim_a, network_a):
    token = ScimToken.objects.get(network=network_a)
    token.revoked_at = token.created_at
    token.save()
    error(scim_a.get("Users"), 401)


@pytest.mark.django_db
def test_tokens_are_stored_hashed(scim_a):
    token = ScimToken.objects.get()
    assert scim_a.plain not in token.token_digest
    assert len(token.token_digest) == 64


@pytest.mark.django_db
def test_one_networks_token_never_reads_or_writes_anothers_people(scim_a, scim_b, network_a):
    theirs = Person.objects.filter(network=network_a).first()
    path = f"Users/{theirs.pk}"
    emails_b = {r["userName"] for r in scim_b.get("Users").json()["Resources"]}
    assert emails_b
    assert all(e.endswith("@beta.example") for e in emails_b)
    assert scim_b.get("Users", filter=f'userName eq "{theirs.email}"').json()["totalResults"] == 0
    error(scim_b.get(path), 404)
    error(scim_b.put(path, BJENSEN), 404)
    error(scim_b.patch(path, {"op": "replace", "path": "active", "value": False}), 404)
    error(scim_b.delete(path), 404)
    theirs.refresh_from_db()
    assert theirs.active
    assert theirs.name == "alpha Manager"
    # Nor through references: a manager or a group member from the other network.
    body = dict(BJENSEN, **{ENTERPRISE_SCHEMA: {"manager": {"value": str(theirs.pk)}}})
    assert "manager" in error(scim_b.post("Users", body), 400, "invalidValue")
    group_b = scim_b.get("Groups").json()["Resources"][0]["id"]
    added = scim_b.patch(
        f"Groups/{group_b}", {"op": "add", "path": "members", "value": [{"value": str(theirs.pk)}]}
    )
    assert "members" in error(added, 400, "invalidValue")
    org_a = Organisation.objects.filter(network=network_a).first()
    error(scim_b.get(f"Groups/{org_a.pk}"), 404)
    theirs.refresh_from_db()
    assert theirs.organisation == org_a


# --- Users: create, read, filter, page ----------------------------------------------------


@pytest.mark.django_db
def test_create_user_as_in_rfc_7644_section_3_3(scim_a, network_a):
    response = scim_a.post("Users", BJENSEN)
    assert response.status_code == 201, response.content
    assert response["Content-Type"] == SCIM
    body = response.json()
    assert response["Location"] == body["meta"]["location"]
    assert body["meta"]["location"].endswith(f"/scim/v2/Users/{body['id']}")
    assert body["userName"] == "bjensen@example.com"
    assert body["externalId"] == "bjensen"
    assert body["name"]["givenName"] == "Barbara"
    assert body["active"] is True
    person = Person.objects.get(network=network_a, email="bjensen@example.com")
    assert person.name == "Barbara Jensen"
    assert str(person.pk) == body["id"]
    assert scim_a.get(f"Users/{body['id']}").json() == body


@pytest.mark.django_db
def test_the_rfc_example_without_an_email_is_refused_naming_username(scim_a, network_a):
    detail = error(scim_a.post("Users", dict(BJENSEN, userName="bjensen")), 400, "invalidValue")
    assert detail.startswith("userName:")
    assert "not a valid email address" in detail
    assert not Person.objects.filter(name="Barbara Jensen").exists()


@pytest.mark.django_db
def test_entra_create_request_uses_the_work_email(scim_a, network_a):
    response = scim_a.post("Users", ENTRA_USER)
    assert response.status_code == 201, response.content
    person = Person.objects.get(network=network_a, email="Test_User_fd0ea19b@testuser.com")
    assert person.name == "givenName familyName"
    # Entra then finds the user by its own userName.
    found = scim_a.get("Users", filter=f'userName eq "{ENTRA_USER["userName"]}"').json()
    assert found["totalResults"] == 1
    assert found["Resources"][0]["id"] == str(person.pk)
    assert (
        scim_a.get("Users", filter=f'externalId eq "{ENTRA_USER["externalId"]}"').json()[
            "totalResults"
        ]
        == 1
    )


@pytest.mark.django_db
def test_creating_the_same_username_twice_is_a_uniqueness_error(scim_a):
    assert scim_a.post("Users", BJENSEN).status_code == 201
    detail = error(scim_a.post("Users", BJENSEN), 409, "uniqueness")
    assert "bjensen@example.com" in detail
    # And for someone who came from a people file.
    error(scim_a.post("Users", dict(BJENSEN, userName="STAFF@alpha.example")), 409, "uniqueness")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "attribute", "words"),
    [
        ({"timezone": "Europe/Londn"}, "timezone", "did you mean Europe/London"),
        ({"emails": [{"value": "not-an-email", "primary": True}]}, "emails", "not a valid email"),
        (
            {ENTERPRISE_SCHEMA: {"department": "Ward 3"}},
            "department",
            "a team needs an organisation",
        ),
        ({"name": {}, "displayName": ""}, "displayName", "a name is required"),
        ({"title": "x" * 500}, "title", "the limit is"),
        ({"active": "maybe"}, "active", "true or false"),
        ({"userName": ""}, "userName", "is required"),
        ({"title": 12}, "title", "must be a string"),
    ],
)
def test_the_people_file_rules_apply_with_the_attribute_named(scim_a, change, attribute, words):
    detail = error(scim_a.post("Users", {**BJENSEN, **change}), 400, "invalidValue")
    assert attribute in detail
    assert words in detail
    assert not Person.objects.filter(email="bjensen@example.com").exists()


@pytest.mark.django_db
def test_filters_from_rfc_7644_section_3_4_2_2(scim_a):
    scim_a.post("Users", dict(BJENSEN, title="Tour Guide"))
    scim_a.post("Users", dict(BJENSEN, userName="jsmith@example.com", externalId="js", title=""))

    def total(expression: str) -> int:
        response = scim_a.get("Users", filter=expression)
        assert response.status_code == 200, response.content
        return response.json()["totalResults"]

    assert total('userName eq "bjensen@example.com"') == 1
    assert total('UserName EQ "BJENSEN@example.com"') == 1  # names and operators ignore case
    assert total('userName sw "j"') == 1
    assert total('userName co "example.com"') == 2
    assert total('userName ew "@example.com"') == 2
    assert total("title pr") == 1
    assert total('title pr and userName sw "b"') == 1
    assert total('title pr or userName sw "j"') == 2
    assert total('not (userName sw "b") and userName co "example.com"') == 1
    assert total('externalId eq "bjensen"') == 1
    assert total('externalId eq "BJENSEN"') == 0  # externalId is caseExact
    assert total('emails.value eq "jsmith@example.com"') == 1
    assert total('name.familyName co "jensen"') == 2
    assert total('meta.lastModified gt "2011-05-13T04:42:34Z"') >= 2
    assert total("active eq true") >= 2
    assert "cannot filter on nickName" in error(
        scim_a.get("Users", filter='nickName eq "Babs"'), 400, "invalidFilter"
    )
    error(scim_a.get("Users", filter="userName eq"), 400, "invalidFilter")
    error(scim_a.get("Users", filter='userName zz "x"'), 400, "invalidFilter")


@pytest.mark.django_db
def test_paging_with_start_index_and_count(scim_a, network_a):
    for n in range(5):
        scim_a.post("Users", dict(BJENSEN, userName=f"p{n}@example.com", externalId=f"p{n}"))
    everyone = Person.objects.filter(network=network_a).count()
    first = scim_a.get("Users", startIndex="1", count="3").json()
    second = scim_a.get("Users", startIndex="4", count="3").json()
    assert first["totalResults"] == second["totalResults"] == everyone
    assert first["itemsPerPage"] == 3
    assert first["startIndex"] == 1
    assert second["startIndex"] == 4
    ids = [r["id"] for r in first["Resources"] + second["Resources"]]
    assert len(set(ids)) == len(ids) == min(6, everyone)
    none = scim_a.get("Users", count="0").json()
    assert none["totalResults"] == everyone
    assert none["Resources"] == []
    assert scim_a.get("Users", startIndex="0", count="1").json()["startIndex"] == 1
    error(scim_a.get("Users", count="many"), 400, "invalidValue")


# --- Users: PUT, PATCH, DELETE ----------------------------------------------------------


@pytest.mark.django_db
def test_put_replaces_the_user(scim_a):
    user_id = scim_a.post("Users", dict(BJENSEN, title="Tour Guide")).json()["id"]
    replacement = {
        **BJENSEN,
        "name": {"givenName": "Babs", "familyName": "Jensen"},
        "timezone": "Europe/London",
        ENTERPRISE_SCHEMA: {"organization": "Riverbend Health", "department": "Discharge"},
    }
    body = scim_a.put(f"Users/{user_id}", replacement).json()
    person = Person.objects.get(pk=user_id)
    assert person.name == "Babs Jensen"
    assert person.job_title == ""  # not in the PUT: cleared
    assert person.time_zone == "Europe/London"
    assert person.organisation.name == "Riverbend Health"
    assert person.team.name == "Discharge"
    assert body[ENTERPRISE_SCHEMA]["department"] == "Discharge"
    assert body["groups"][0]["display"] == "Riverbend Health"


@pytest.mark.django_db
def test_patch_examples_of_rfc_7644_section_3_5_2(scim_a):
    user_id = scim_a.post("Users", BJENSEN).json()["id"]
    # Replace without a path; attributes the directory does not keep (nickName) are ignored.
    response = scim_a.patch(
        f"Users/{user_id}",
        {
            "op": "replace",
            "value": {
                "emails": [{"value": "babs@example.com", "type": "work", "primary": True}],
                "nickName": "Babs",
            },
        },
    )
    assert response.status_code == 200, response.content
    assert Person.objects.get(pk=user_id).email == "babs@example.com"
    # Add a title, then remove it.
    scim_a.patch(f"Users/{user_id}", {"op": "add", "path": "title", "value": "Tour Guide"})
    assert Person.objects.get(pk=user_id).job_title == "Tour Guide"
    scim_a.patch(f"Users/{user_id}", {"op": "remove", "path": "title"})
    assert Person.objects.get(pk=user_id).job_title == ""
    # Replace a sub-attribute.
    scim_a.patch(f"Users/{user_id}", {"op": "replace", "path": "name.givenName", "value": "Babs"})
    assert Person.objects.get(pk=user_id).name == "Babs Jensen"
    # An invalid value in one operation writes nothing of the others.
    bad = scim_a.patch(
        f"Users/{user_id}",
        {"op": "replace", "path": "title", "value": "Chief"},
        {"op": "replace", "path": "timezone", "value": "Mars/Olympus"},
    )
    assert "timezone" in error(bad, 400, "invalidValue")
    assert Person.objects.get(pk=user_id).job_title == ""
    error(scim_a.patch(f"Users/{user_id}", {"op": "remove"}), 400, "noTarget")
    error(scim_a.patch(f"Users/{user_id}", {"op": "move", "path": "title"}), 400, "invalidSyntax")
    error(
        scim_a.patch(f"Users/{user_id}", {"op": "replace", "path": "id", "value": "9"}),
        400,
        "mutability",
    )
    no_schema = scim_a.send("patch", f"Users/{user_id}", {"Operations": []})
    error(no_schema, 400, "invalidSyntax")


@pytest.mark.django_db
def test_entra_patch_shapes_are_accepted(scim_a, network_a):
    user_id = scim_a.post("Users", ENTRA_USER).json()["id"]
    manager = Person.objects.get(network=network_a, email="manager@alpha.example")
    response = scim_a.patch(
        f"Users/{user_id}",
        {"op": "Add", "path": "displayName", "value": "Updated Name"},
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "updated@testuser.com"},
        {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
        {"op": "Add", "path": f"{ENTERPRISE_SCHEMA}:manager", "value": str(manager.pk)},
        {"op": "Add", "path": f"{ENTERPRISE_SCHEMA}:organization", "value": "Alpha Agency"},
        {"op": "Add", "path": f"{ENTERPRISE_SCHEMA}:department", "value": "Night shift"},
        {"op": "Replace", "path": 'addresses[type eq "work"].locality', "value": "Leeds"},
    )
    assert response.status_code == 200, response.content
    person = Person.objects.get(pk=user_id)
    assert person.email == "updated@testuser.com"
    assert person.name == "givenName updatedFamilyName"
    assert person.manager == manager
    assert person.team.name == "Night shift"
    assert person.team.organisation == person.organisation
    assert response.json()[ENTERPRISE_SCHEMA]["manager"]["value"] == str(manager.pk)
    # Entra deactivates with a string.
    scim_a.patch(f"Users/{user_id}", {"op": "Replace", "path": "active", "value": "False"})
    assert Person.objects.get(pk=user_id).active is False
    scim_a.patch(f"Users/{user_id}", {"op": "Replace", "path": "active", "value": "True"})
    assert Person.objects.get(pk=user_id).active is True
    scim_a.patch(f"Users/{user_id}", {"op": "Remove", "path": f"{ENTERPRISE_SCHEMA}:manager"})
    assert Person.objects.get(pk=user_id).manager is None
    # Their own manager is refused with the attribute named.
    own = scim_a.patch(
        f"Users/{user_id}", {"op": "Add", "path": f"{ENTERPRISE_SCHEMA}:manager", "value": user_id}
    )
    assert "manager" in error(own, 400, "invalidValue")


@pytest.mark.django_db
def test_delete_deactivates_and_the_user_can_be_created_again(scim_a):
    user_id = scim_a.post("Users", BJENSEN).json()["id"]
    response = scim_a.delete(f"Users/{user_id}")
    assert response.status_code == 204
    person = Person.objects.get(pk=user_id)  # still in the directory
    assert person.active is False
    error(scim_a.get(f"Users/{user_id}"), 404)
    assert (
        scim_a.get("Users", filter='userName eq "bjensen@example.com"').json()["totalResults"] == 0
    )
    again = scim_a.post("Users", BJENSEN)
    assert again.status_code == 201
    assert again.json()["id"] == user_id
    assert Person.objects.get(pk=user_id).active is True


@pytest.mark.django_db
def test_bad_json_and_methods_are_scim_errors(scim_a):
    response = scim_a.client.post("/scim/v2/Users", data="{not json", content_type=SCIM)
    error(response, 400, "invalidSyntax")
    error(scim_a.client.delete("/scim/v2/Users"), 405)
    error(scim_a.get("Users/abc"), 404)


# --- Groups: organisations ---------------------------------------------------------------


@pytest.mark.django_db
def test_groups_are_organisations_with_their_people_as_members(scim_a, network_a):
    babs = scim_a.post("Users", BJENSEN).json()["id"]
    jim = scim_a.post("Users", dict(BJENSEN, userName="jim@example.com", externalId="j")).json()[
        "id"
    ]
    created = scim_a.post(
        "Groups",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Tour Guides",
            "externalId": "tg-1",
            "members": [{"value": babs}],
        },
    )
    assert created.status_code == 201, created.content
    group_id = created.json()["id"]
    organisation = Organisation.objects.get(pk=group_id, network=network_a)
    assert organisation.name == "Tour Guides"
    assert Person.objects.get(pk=babs).organisation == organisation
    # RFC 7644 section 3.5.2.1: add a member; 3.5.2.2: remove one, then all.
    scim_a.patch(f"Groups/{group_id}", {"op": "add", "path": "members", "value": [{"value": jim}]})
    members = {m["value"] for m in scim_a.get(f"Groups/{group_id}").json()["members"]}
    assert members == {babs, jim}
    scim_a.patch(f"Groups/{group_id}", {"op": "remove", "path": f'members[value eq "{babs}"]'})
    assert Person.objects.get(pk=babs).organisation is None
    assert Person.objects.get(pk=jim).organisation == organisation
    # Entra ID's remove, with the members as the value.
    scim_a.patch(
        f"Groups/{group_id}", {"op": "Remove", "path": "members", "value": [{"value": jim}]}
    )
    assert not Person.objects.filter(organisation=organisation).exists()
    scim_a.patch(f"Groups/{group_id}", {"op": "Add", "path": "members", "value": [{"value": jim}]})
    scim_a.patch(f"Groups/{group_id}", {"op": "remove", "path": "members"})
    assert not Person.objects.filter(organisation=organisation).exists()
    # Rename; Entra's lookup by displayName without members.
    scim_a.patch(f"Groups/{group_id}", {"op": "Replace", "path": "displayName", "value": "Guides"})
    found = scim_a.get(
        "Groups", filter='displayName eq "Guides"', excludedAttributes="members"
    ).json()
    assert found["totalResults"] == 1
    assert "members" not in found["Resources"][0]
    assert found["Resources"][0]["externalId"] == "tg-1"


@pytest.mark.django_db
def test_group_put_delete_and_uniqueness(scim_a, network_a):
    babs = scim_a.post("Users", BJENSEN).json()["id"]
    group = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Guides"}
    group_id = scim_a.post("Groups", group).json()["id"]
    error(scim_a.post("Groups", dict(group, displayName="GUIDES")), 409, "uniqueness")
    body = scim_a.put(f"Groups/{group_id}", dict(group, members=[{"value": babs}])).json()
    assert [m["value"] for m in body["members"]] == [babs]
    assert scim_a.delete(f"Groups/{group_id}").status_code == 204
    error(scim_a.get(f"Groups/{group_id}"), 404)
    assert Organisation.objects.filter(pk=group_id).exists()  # kept for past results
    assert Person.objects.get(pk=babs).organisation is None
    assert scim_a.post("Groups", group).json()["id"] == group_id


# --- discovery -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_service_provider_config_resource_types_and_schemas(scim_a):
    config = scim_a.get("ServiceProviderConfig").json()
    assert config["patch"]["supported"] is True
    assert config["filter"] == {"supported": True, "maxResults": 200}
    assert config["bulk"]["supported"] is False
    types = scim_a.get("ResourceTypes").json()
    assert {t["id"] for t in types["Resources"]} == {"User", "Group"}
    assert scim_a.get("ResourceTypes/User").json()["schemaExtensions"][0]["schema"] == (
        ENTERPRISE_SCHEMA
    )
    schemas = scim_a.get("Schemas").json()
    assert {s["id"] for s in schemas["Resources"]} >= {USER_SCHEMA, ENTERPRISE_SCHEMA}
    user = scim_a.get(f"Schemas/{USER_SCHEMA}").json()
    assert "userName" in {a["name"] for a in user["attributes"]}
    error(scim_a.get("Schemas/urn:nothing"), 404)


# --- the owner's token page ---------------------------------------------------------------


@pytest.mark.django_db
def test_owner_creates_a_token_shown_once_and_revokes_it(owner, coordinator, network_a):
    assert coordinator.get("/n/alpha/sync/").status_code == 403
    response = owner.post("/n/alpha/sync/", {"name": "Entra ID provisioning"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    plain = page.split('<code id="new-token">')[1].split("</code>")[0]
    assert len(plain) >= 43
    token = ScimToken.objects.get(network=network_a, name="Entra ID provisioning")
    assert plain not in token.token_digest
    assert plain not in owner.get("/n/alpha/sync/").content.decode()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert api.get("/scim/v2/Users").status_code == 200
    assert owner.post("/n/alpha/sync/revoke/", {"token": token.pk}).status_code == 302
    assert api.get("/scim/v2/Users").status_code == 401


@pytest.mark.django_db
def test_another_networks_token_cannot_be_revoked_from_here(owner, network_a, network_b):
    token_b, _plain = scim_token_create(network=network_b, name="b", created_by=None)
    assert owner.post("/n/alpha/sync/revoke/", {"token": token_b.pk}).status_code == 404
    token_b.refresh_from_db()
    assert token_b.revoked_at is None
