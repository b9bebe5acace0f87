# jupyterhub_config.py snippet rendered by hubctl from nbgallery.yaml (JupyterHub 5.5).
# No secret is written here: the hub reads each one when it starts.
import os
from pathlib import Path
from traitlets.config import LazyConfigValue


def _hubctl_secret_env(name, setting):
    value = os.environ.get(name, "")
    if not value:
        raise RuntimeError(f"hubctl: {setting} is read from the environment variable {name}, which is not set")
    return value


def _hubctl_path(path):
    # Relative paths are relative to this configuration file.
    return Path(__file__).parent / path


def _hubctl_secret_file(path, setting):
    value = _hubctl_path(path).read_text().rstrip("\r\n")
    if not value:
        raise RuntimeError(f"hubctl: {setting} is read from the file {path}, which is empty")
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
c.GenericOAuthenticator.login_service = "Example Gallery"
c.GenericOAuthenticator.client_id = "3c1e0e4b9a7d4f0c8e2f5a6b7c8d9e0f"
c.GenericOAuthenticator.oauth_callback_url = "https://hub.example.org/hub/oauth_callback"
c.GenericOAuthenticator.authorize_url = "https://gallery.example.org/oauth/authorize"
c.GenericOAuthenticator.token_url = "https://gallery.example.org/oauth/token"
c.GenericOAuthenticator.userdata_url = "https://gallery.example.org/oauth/userinfo"
c.GenericOAuthenticator.scope = ["read"]
c.GenericOAuthenticator.username_claim = "user_name"
c.GenericOAuthenticator.allow_all = True
c.GenericOAuthenticator.admin_users = ["alice"]
c.GenericOAuthenticator.client_secret = _hubctl_secret_env("OAUTH_CLIENT_SECRET", "login.clientSecret")
c.GenericOAuthenticator.http_request_kwargs = {"ca_certs": str(_hubctl_path("gallery-ca.pem"))}

# Added to the services configured elsewhere (see _HubctlEntries).
c.JupyterHub.services = _HubctlEntries(c.JupyterHub, "services", "nbgallery.yaml", [
    {
        "name": "nbviewer",
        "url": "http://nbviewer:8080",
        "api_token": _hubctl_secret_env("NBVIEWER_API_TOKEN", "services.nbviewer.apiToken"),
        "oauth_client_id": "service-nbviewer",
        "oauth_redirect_uri": "https://hub.example.org/services/nbviewer/oauth_callback",
        "oauth_no_confirm": True,
    },
])

# Added to the roles configured elsewhere (see _HubctlEntries).
c.JupyterHub.load_roles = _HubctlEntries(c.JupyterHub, "load_roles", "nbgallery.yaml", [
    {
        "name": "user",
        "scopes": ["self", "access:services!service=nbviewer"],
    },
])
