# jupyterhub_config.py snippet rendered by hubctl from nbviewer.yaml (JupyterHub 5.5).
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

# Added to the services configured elsewhere (see _HubctlEntries).
c.JupyterHub.services = _HubctlEntries(c.JupyterHub, "services", "nbviewer.yaml", [
    {
        "name": "nbviewer",
        "url": "http://nbviewer:8080",
        "api_token": _hubctl_secret_env("NBVIEWER_API_TOKEN", "services.nbviewer.apiToken"),
        "oauth_client_id": "service-nbviewer",
        "oauth_redirect_uri": "https://jupyterhub.example.com/services/nbviewer/oauth_callback",
        "oauth_no_confirm": True,
    },
])

# Added to the roles configured elsewhere (see _HubctlEntries).
c.JupyterHub.load_roles = _HubctlEntries(c.JupyterHub, "load_roles", "nbviewer.yaml", [
    {
        "name": "nbviewer",
        "description": "API permissions of service nbviewer (hubctl)",
        "scopes": ["list:users", "read:users:activity"],
        "services": ["nbviewer"],
    },
    {
        "name": "nbviewer-users",
        "description": "Users who may use service nbviewer (hubctl)",
        "scopes": ["access:services!service=nbviewer"],
        "groups": ["researchers"],
    },
])
