"""A client holding one network's API token, for the API tests."""

from __future__ import annotations

from django.test import Client

from bridgework.api.models import Scope
from bridgework.api.services import api_token_create
from bridgework.directory.models import Network

ALL_SCOPES = tuple(Scope.values)


class Api:
    """Calls ``/api/v1/...`` with ``Authorization: Bearer <token>``."""

    def __init__(self, network: Network, scopes=ALL_SCOPES, name: str = "test") -> None:
        self.token, self.plain = api_token_create(
            network=network, name=name, scopes=scopes, created_by=None
        )
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {self.plain}")

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1/{path}", params)

    def json(self, path: str, **params):
        response = self.get(path, **params)
        assert response.status_code == 200, (path, response.status_code, response.content[:500])
        return response.json()
