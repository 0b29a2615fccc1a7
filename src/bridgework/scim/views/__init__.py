"""The SCIM 2.0 endpoints under /scim/v2/ (RFC 7644), one module per kind of resource."""
