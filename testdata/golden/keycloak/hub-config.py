# jupyterhub_config.py snippet rendered by hubctl from keycloak.yaml (JupyterHub 6.1).
# No secret is written here: the hub reads each one when it starts.
import os
from traitlets.config import LazyConfigValue


def _hubctl_secret_env(name, setting):
    value = os.environ.get(name, "")
    if not value:
        raise RuntimeError(f"hubctl: {setting} is read from the environment variable {name}, which is not set")
    return value


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

c.JupyterHub.authenticator_class = "generic-oauth"
c.GenericOAuthenticator.login_service = "Keycloak"
c.GenericOAuthenticator.client_id = "jupyterhub"
c.GenericOAuthenticator.oauth_callback_url = "https://hub.example.org/hub/oauth_callback"
c.GenericOAuthenticator.authorize_url = "https://id.example.org/realms/jupyter/protocol/openid-connect/auth"
c.GenericOAuthenticator.token_url = "https://id.example.org/realms/jupyter/protocol/openid-connect/token"
c.GenericOAuthenticator.userdata_url = "https://id.example.org/realms/jupyter/protocol/openid-connect/userinfo"
c.GenericOAuthenticator.scope = ["openid", "profile", "email"]
c.GenericOAuthenticator.username_claim = "preferred_username"
c.GenericOAuthenticator.manage_groups = True
c.GenericOAuthenticator.auth_state_groups_key = "oauth_user.groups"
c.GenericOAuthenticator.allowed_groups = ["staff", "students"]
c.GenericOAuthenticator.admin_users = ["admin"]
c.GenericOAuthenticator.client_secret = _hubctl_secret_env("OAUTH_CLIENT_SECRET", "login.clientSecret")

# Added to the services configured elsewhere (see _HubctlEntries).
c.JupyterHub.services = _HubctlEntries(c.JupyterHub, "services", "keycloak.yaml", [
    {
        "name": "announcements",
        "url": "http://announcements:8888",
        "api_token": _hubctl_secret_env("ANNOUNCEMENTS_API_TOKEN", "services.announcements.apiToken"),
        "oauth_client_id": "service-announcements",
        "oauth_redirect_uri": "https://hub.example.org/services/announcements/oauth_callback",
        "timeout": 60,
    },
])

# Added to the roles configured elsewhere (see _HubctlEntries).
c.JupyterHub.load_roles = _HubctlEntries(c.JupyterHub, "load_roles", "keycloak.yaml", [
    {
        "name": "user",
        "scopes": ["self", "access:services!service=announcements"],
    },
])
