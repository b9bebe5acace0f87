# jupyterhub_config.py snippet rendered by hubctl from base-path.yaml (JupyterHub 6.1).
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
c.GenericOAuthenticator.client_secret = _hubctl_secret_file("secrets/client-secret.txt", "login.clientSecret")

# Added to the services configured elsewhere (see _HubctlEntries).
c.JupyterHub.services = _HubctlEntries(c.JupyterHub, "services", "base-path.yaml", [
    {
        "name": "grader",
        "url": "http://grader.jhub.svc:9000",
        "api_token": _hubctl_secret_file("secrets/grader-token.txt", "services.grader.apiToken"),
        "oauth_client_id": "service-grader",
        "oauth_redirect_uri": "https://example.org/jupyter/services/grader/oauth_callback",
        "oauth_no_confirm": True,
        "display": False,
        "timeout": 45,
    },
    {
        "name": "reporter",
        "api_token": _hubctl_secret_env("REPORTER_API_TOKEN", "services.reporter.apiToken"),
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
