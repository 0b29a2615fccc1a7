"""The JSON API: read-only, per-network bearer tokens with scopes, over the pages' selectors."""
