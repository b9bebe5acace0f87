# jupyterhub_config.py snippet rendered by hubctl from base-path.yaml (JupyterHub 6.1).
# This file holds secrets (--inline-secrets): keep it out of version control.


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

# hubctl owns this list: add services to hubctl.yaml rather than here.
c.JupyterHub.services = [
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
]

c.JupyterHub.load_roles = [
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
]
