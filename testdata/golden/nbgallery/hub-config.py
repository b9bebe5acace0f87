# jupyterhub_config.py snippet rendered by hubctl from nbgallery.yaml (JupyterHub 5.5).
# No secret is written here: the hub reads each one when it starts.
import os
from pathlib import Path


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

# hubctl owns this list: add services to hubctl.yaml rather than here.
c.JupyterHub.services = [
    {
        "name": "nbviewer",
        "url": "http://nbviewer:8080",
        "api_token": _hubctl_secret_env("NBVIEWER_API_TOKEN", "services.nbviewer.apiToken"),
        "oauth_client_id": "service-nbviewer",
        "oauth_redirect_uri": "https://hub.example.org/services/nbviewer/oauth_callback",
        "oauth_no_confirm": True,
    },
]

c.JupyterHub.load_roles = [
    {
        "name": "user",
        "scopes": ["self", "access:services!service=nbviewer"],
    },
]
