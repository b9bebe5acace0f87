# jupyterhub_config.py snippet rendered by hubctl from keycloak.yaml (JupyterHub 6.1).
# No secret is written here: the hub reads each one when it starts.
import os


def _hubctl_secret_env(name, setting):
    value = os.environ.get(name, "")
    if not value:
        raise RuntimeError(f"hubctl: {setting} is read from the environment variable {name}, which is not set")
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

# hubctl owns this list: add services to hubctl.yaml rather than here.
c.JupyterHub.services = [
    {
        "name": "announcements",
        "url": "http://announcements:8888",
        "api_token": _hubctl_secret_env("ANNOUNCEMENTS_API_TOKEN", "services.announcements.apiToken"),
        "oauth_client_id": "service-announcements",
        "oauth_redirect_uri": "https://hub.example.org/services/announcements/oauth_callback",
        "timeout": 60,
    },
]

c.JupyterHub.load_roles = [
    {
        "name": "user",
        "scopes": ["self", "access:services!service=announcements"],
    },
]
