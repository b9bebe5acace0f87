# jupyterhub_config.py snippet rendered by hubctl from base-path.yaml (JupyterHub 6.1).
# This file holds secrets (--inline-secrets): keep it out of version control.
from traitlets.config import LazyConfigValue


class _HubctlEntries(LazyConfigValue):
    # hubctl's services or roles, added to those configured before this file
    # or in the file that load_subconfig()s it. An entry named like one of
    # hubctl's must be identical (this file loaded twice) and is kept once.

    def __init__(self, section, key, source, entries):
        super().__init__()
        self.key, self.source, self.names = key, source, {e["name"] for e in entries}
        before = section[key] if key in section else []
        if isinstance(before, LazyConfigValue):  # .append() to the unset list
            before = before.get_value([])
        self.extend(before + entries)

    def get_value(self, initial):
        value, ours = [], {}
        for entry in super().get_value(initial):
            name = entry.get("name")
            if name in ours and ours[name] != entry:
                kind = "service" if self.key == "services" else "role"
                where = f"{self.source} services.{name}" if kind == "service" else self.source
                raise ValueError(
                    f"hubctl: {kind} {name!r} is defined both in this configuration and by hubctl ({where}): remove one"
                )
            if name not in ours:
                value.append(entry)
            if name in self.names:
                ours[name] = entry
        return value


c = get_config()  # noqa: F821

c.JupyterHub.base_url = "/jupyter/"

c.JupyterHub.authenticator_class = "generic-oauth"
c.GenericOAuthenticator.login_service = "Example: Auth"
c.GenericOAuthenticator.client_id = "12345"
c.GenericOAuthenticator.oauth_callback_url = "https://example.org/jupyter/hub/oauth_callback"
c.GenericOAuthenticator.authorize_url = "https://auth.example.org/oauth/authorize"
c.GenericOAuthenticator.token_url = "https://auth.example.org/oauth/token"
c.GenericOAuthenticator.userdata_url = "https://auth.example.org/api/user"
c.GenericOAuthenticator.scope = ["read:user"]
c.GenericOAuthenticator.username_claim = "login"
c.GenericOAuthenticator.allowed_users = ["alice", "bob"]
c.GenericOAuthenticator.allow_existing_users = True
c.GenericOAuthenticator.admin_users = ["alice"]
c.GenericOAuthenticator.validate_server_cert = False
c.GenericOAuthenticator.client_secret = "client-secret-from-a-file"

# Added to the services configured elsewhere (see _HubctlEntries).
c.JupyterHub.services = _HubctlEntries(c.JupyterHub, "services", "base-path.yaml", [
    {
        "name": "grader",
        "url": "http://grader.jhub.svc:9000",
        "api_token": "grader-token-0123456789abcdef",
        "oauth_client_id": "service-grader",
        "oauth_redirect_uri": "https://example.org/jupyter/services/grader/oauth_callback",
        "oauth_no_confirm": True,
        "display": False,
        "timeout": 45,
    },
    {
        "name": "reporter",
        "api_token": "reporter-token-0123456789",
    },
])

# Added to the roles configured elsewhere (see _HubctlEntries).
c.JupyterHub.load_roles = _HubctlEntries(c.JupyterHub, "load_roles", "base-path.yaml", [
    {
        "name": "grader",
        "description": "API permissions of service grader (hubctl)",
        "scopes": ["list:users", "read:users!group=students", "start:servers"],
        "services": ["grader"],
    },
    {
        "name": "grader-users",
        "description": "Users who may use service grader (hubctl)",
        "scopes": ["access:services!service=grader"],
        "users": ["alice"],
        "groups": ["teachers"],
    },
    {
        "name": "reporter",
        "description": "API permissions of service reporter (hubctl)",
        "scopes": ["read:users:activity", "read:hub"],
        "services": ["reporter"],
    },
    {
        "name": "observers",
        "description": "Read-only view of users and servers",
        "scopes": ["read:users", "read:servers"],
        "groups": ["staff"],
        "services": ["reporter"],
    },
])
