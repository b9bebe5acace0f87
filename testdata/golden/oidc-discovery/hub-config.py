# jupyterhub_config.py snippet rendered by hubctl from oidc-discovery.yaml (JupyterHub 5.5).
# No secret is written here: the hub reads each one when it starts.
import os


def _hubctl_secret_env(name, setting):
    value = os.environ.get(name, "")
    if not value:
        raise RuntimeError(f"hubctl: {setting} is read from the environment variable {name}, which is not set")
    return value


c = get_config()  # noqa: F821

c.JupyterHub.authenticator_class = "generic-oauth"
c.GenericOAuthenticator.client_id = "jupyterhub"
c.GenericOAuthenticator.oauth_callback_url = "https://hub.example.org/hub/oauth_callback"
c.GenericOAuthenticator.authorize_url = "https://id.example.org/realms/jupyter/protocol/openid-connect/auth"
c.GenericOAuthenticator.token_url = "https://id.example.org/realms/jupyter/protocol/openid-connect/token"
c.GenericOAuthenticator.userdata_url = "https://id.example.org/realms/jupyter/protocol/openid-connect/userinfo"
c.GenericOAuthenticator.scope = ["openid", "profile", "email"]
c.GenericOAuthenticator.username_claim = "preferred_username"
c.GenericOAuthenticator.allow_all = True
c.GenericOAuthenticator.client_secret = _hubctl_secret_env("OAUTH_CLIENT_SECRET", "login.clientSecret")
