# jupyterhub_config.py snippet rendered by hubctl from nbviewer.yaml (JupyterHub 5.5).
# No secret is written here: the hub reads each one when it starts.
import os


def _hubctl_secret_env(name, setting):
    value = os.environ.get(name, "")
    if not value:
        raise RuntimeError(f"hubctl: {setting} is read from the environment variable {name}, which is not set")
    return value


c = get_config()  # noqa: F821

# hubctl owns this list: add services to hubctl.yaml rather than here.
c.JupyterHub.services = [
    {
        "name": "nbviewer",
        "url": "http://nbviewer:8080",
        "api_token": _hubctl_secret_env("NBVIEWER_API_TOKEN", "services.nbviewer.apiToken"),
        "oauth_client_id": "service-nbviewer",
        "oauth_redirect_uri": "https://jupyterhub.example.com/services/nbviewer/oauth_callback",
        "oauth_no_confirm": True,
    },
]

c.JupyterHub.load_roles = [
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
]
