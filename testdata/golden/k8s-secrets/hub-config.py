# jupyterhub_config.py snippet rendered by hubctl from k8s-secrets.yaml (JupyterHub 5.5).
# No secret is written here: the hub reads each one when it starts.
import os


def _hubctl_secret_env(name, setting):
    value = os.environ.get(name, "")
    if not value:
        raise RuntimeError(f"hubctl: {setting} is read from the environment variable {name}, which is not set")
    return value


c = get_config()  # noqa: F821

c.JupyterHub.authenticator_class = "generic-oauth"
c.GenericOAuthenticator.login_service = "NBGallery"
c.GenericOAuthenticator.client_id = "gallery-app"
c.GenericOAuthenticator.oauth_callback_url = "https://hub.example.org/hub/oauth_callback"
c.GenericOAuthenticator.authorize_url = "https://gallery.example.org/oauth/authorize"
c.GenericOAuthenticator.token_url = "https://gallery.example.org/oauth/token"
c.GenericOAuthenticator.userdata_url = "https://gallery.example.org/oauth/userinfo"
c.GenericOAuthenticator.scope = ["read"]
c.GenericOAuthenticator.username_claim = "user_name"
c.GenericOAuthenticator.manage_groups = True
c.GenericOAuthenticator.auth_state_groups_key = "oauth_user.org"
c.GenericOAuthenticator.allowed_groups = ["analysts"]
c.GenericOAuthenticator.client_secret = _hubctl_secret_env("OAUTH_CLIENT_SECRET", "login.clientSecret")

# hubctl owns this list: add services to hubctl.yaml rather than here.
c.JupyterHub.services = [
    {
        "name": "nbviewer",
        "url": "http://nbviewer:8080",
        "api_token": _hubctl_secret_env("HUBCTL_NBVIEWER_API_TOKEN", "services.nbviewer.apiToken"),
        "oauth_client_id": "service-nbviewer",
        "oauth_redirect_uri": "https://hub.example.org/services/nbviewer/oauth_callback",
    },
    {
        "name": "announcements",
        "url": "http://announcements:8888",
        "api_token": _hubctl_secret_env("HUBCTL_ANNOUNCEMENTS_API_TOKEN", "services.announcements.apiToken"),
        "oauth_client_id": "service-announcements",
        "oauth_redirect_uri": "https://hub.example.org/services/announcements/oauth_callback",
    },
]

c.JupyterHub.load_roles = [
    {
        "name": "user",
        "scopes": ["self", "access:services!service=nbviewer", "access:services!service=announcements"],
    },
]
