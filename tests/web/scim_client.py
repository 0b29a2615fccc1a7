"""A SCIM client for the tests, and the RFC's example user."""

from __future__ import annotations

import json

from django.test import Client

from bridgework.directory.models import Network
from bridgework.scim.services import scim_token_create
from bridgework.scim.users import PATCH_SCHEMA, USER_SCHEMA

SCIM = "application/scim+json"


class Scim:
    """A SCIM client holding one network's bearer token."""

    def __init__(self, network: Network) -> None:
        _token, self.plain = scim_token_create(network=network, name="test", created_by=None)
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {self.plain}")

    def get(self, path: str, **params: str):
        return self.client.get(f"/scim/v2/{path}", params)

    def send(self, method: str, path: str, body: object):
        return getattr(self.client, method)(
            f"/scim/v2/{path}", data=json.dumps(body), content_type=SCIM
        )

    def post(self, path: str, body: object):
        return self.send("post", path, body)

    def put(self, path: str, body: object):
        return self.send("put", path, body)

    def patch(self, path: str, *operations: dict):
        return self.send("patch", path, {"schemas": [PATCH_SCHEMA], "Operations": list(operations)})

    def delete(self, path: str):
        return self.client.delete(f"/scim/v2/{path}")


# RFC 7644 section 3.3, with an email address as userName (the directory keys on email).
BJENSEN = {
    "schemas": [USER_SCHEMA],
    "userName": "bjensen@example.com",
    "externalId": "bjensen",
    "name": {
        "formatted": "Ms. Barbara J Jensen III",
        "familyName": "Jensen",
        "givenName": "Barbara",
    },
}
