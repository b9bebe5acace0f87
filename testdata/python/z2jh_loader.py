"""Turn Zero-to-JupyterHub helm values into JupyterHub configuration, the way
the chart does it, so hubctl's tests can run rendered helm values on a real
hub without Kubernetes.

Written from the chart's documented behaviour (jupyterhub/files/hub/
jupyterhub_config.py and z2jh.py, chart 4.x; ../shared/reference/z2jh.md §3):

- values are the chart's values.yaml deep-merged with the user's (done by the
  caller, as helm does);
- hub.extraEnv becomes the hub's environment; valueFrom.secretKeyRef reads the
  named Kubernetes Secret;
- hub.existingSecret is mounted at .../existing-secret/ and hub.extraFiles at
  their mountPath (both under files_root here);
- services get api_token from get_secret_value("hub.services.KEY.apiToken"),
  existing Secret first, then the chart's own Secret, which holds the
  explicit api_token/apiToken or a random token;
- the culler service and role come first when cull.enabled, then
  hub.services, then hub.loadRoles;
- hub.config sections update c (lowercase sections are fatal, a few keys are
  popped), then hub.extraConfig runs in sorted key order.
"""

import json
import os
import secrets
import sys

# Paths in the hub container.
SECRET_DIR = "/usr/local/etc/jupyterhub/secret/"
EXISTING_SECRET_DIR = "/usr/local/etc/jupyterhub/existing-secret/"

CAMEL_SHORTCUTS = {
    "concurrentSpawnLimit": "concurrent_spawn_limit",
    "activeServerLimit": "active_server_limit",
    "baseUrl": "base_url",
    "allowNamedServers": "allow_named_servers",
    "namedServerLimitPerUser": "named_server_limit_per_user",
    "authenticatePrometheus": "authenticate_prometheus",
    "redirectToServer": "redirect_to_server",
    "shutdownOnLogout": "shutdown_on_logout",
    "templatePaths": "template_paths",
    "templateVars": "template_vars",
}

POPPED_CONFIG_KEYS = {
    "JupyterHub": ["proxy_auth_token", "cookie_secret", "services"],
    "ConfigurableHTTPProxy": ["auth_token"],
    "CryptKeeper": ["keys"],
}


def _get(values, dotted, default=None):
    node = values
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def _path(files_root, container_path):
    return os.path.join(files_root, container_path.lstrip("/"))


def install(values, cluster_secrets, files_root):
    """Do the Kubernetes side: the chart's Secret, the existing Secret, extra
    files and the environment. cluster_secrets maps Secret name -> {key: value}
    for Secrets that exist in the namespace (hubctl's, and any other)."""
    hub = values.get("hub", {})
    chart_secret = {}
    for key, service in (hub.get("services") or {}).items():
        token = service.get("api_token") or service.get("apiToken") or secrets.token_hex(32)
        chart_secret[f"hub.services.{key}.apiToken"] = token
    mounts = [(SECRET_DIR, chart_secret)]
    existing = hub.get("existingSecret")
    if existing:
        if existing not in cluster_secrets:
            raise SystemExit(f"z2jh_loader: hub.existingSecret {existing} does not exist")
        mounts.append((EXISTING_SECRET_DIR, cluster_secrets[existing]))
    for directory, data in mounts:
        os.makedirs(_path(files_root, directory), exist_ok=True)
        for key, value in data.items():
            with open(os.path.join(_path(files_root, directory), key), "w") as f:
                f.write(value)
    for name, spec in (hub.get("extraFiles") or {}).items():
        target = _path(files_root, spec["mountPath"])
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w") as f:
            f.write(spec.get("stringData", ""))
    env = hub.get("extraEnv") or {}
    if isinstance(env, list):
        env = {item["name"]: item for item in env}
    for name, value in env.items():
        if isinstance(value, str):
            os.environ[name] = value
            continue
        if not isinstance(value, dict):
            raise SystemExit(f"?.extraEnv.{name} had an unexpected type ({type(value).__name__})")
        ref = value["valueFrom"]["secretKeyRef"]
        os.environ[name] = cluster_secrets[ref["name"]][ref["key"]]


def get_secret_value(files_root, key):
    for directory in (EXISTING_SECRET_DIR, SECRET_DIR):
        path = os.path.join(_path(files_root, directory), key)
        if os.path.exists(path):
            with open(path) as f:
                return f.read()
    raise Exception(f"{key} not found in either k8s Secret!")


def configure(c, values, files_root):
    """Do the hub side: what the chart's jupyterhub_config.py does with c."""
    hub = values.get("hub", {})
    for camel, snake in CAMEL_SHORTCUTS.items():
        if hub.get(camel) is not None:
            setattr(c.JupyterHub, snake, hub[camel])

    c.JupyterHub.services = []
    c.JupyterHub.load_roles = []
    if _get(values, "cull.enabled"):
        c.JupyterHub.services.append({"name": "jupyterhub-idle-culler", "command": ["python3", "-m", "jupyterhub_idle_culler"]})
        scopes = ["list:users", "read:users:activity", "read:servers", "delete:servers"]
        if _get(values, "cull.users"):
            scopes.append("admin:users")
        c.JupyterHub.load_roles.append({"name": "jupyterhub-idle-culler", "scopes": scopes, "services": ["jupyterhub-idle-culler"]})

    for key, service in (hub.get("services") or {}).items():
        service = dict(service)
        service.setdefault("name", key)
        service.pop("apiToken", None)
        service["api_token"] = get_secret_value(files_root, f"hub.services.{key}.apiToken")
        c.JupyterHub.services.append(service)

    for key, role in (hub.get("loadRoles") or {}).items():
        role = dict(role)
        role.setdefault("name", key)
        c.JupyterHub.load_roles.append(role)

    for section, settings in (hub.get("config") or {}).items():
        settings = dict(settings)
        for popped in POPPED_CONFIG_KEYS.get(section, []):
            settings.pop(popped, None)
        if not section[:1].isupper():
            print(f"FATAL: Invalid hub.config section name: {section}.", file=sys.stderr)
            sys.exit(1)
        c[section].update(settings)

    for key, code in sorted((hub.get("extraConfig") or {}).items()):
        exec(code, {"c": c, "__name__": "z2jh_extra_config"})


def load(c, values_file, cluster_secrets_file, files_root, container_paths=False):
    """The whole chart path, for a jupyterhub_config.py to call.

    With container_paths, a CA bundle that the configuration names by its
    path inside the hub container is looked up under files_root instead,
    where install() put the container's files: the one place a hub outside
    Kubernetes cannot read the configuration as written."""
    with open(values_file) as f:
        values = json.load(f)
    with open(cluster_secrets_file) as f:
        cluster_secrets = json.load(f)
    install(values, cluster_secrets, files_root)
    configure(c, values, files_root)
    kwargs = c.GenericOAuthenticator.get("http_request_kwargs")
    if container_paths and kwargs and kwargs.get("ca_certs", "").startswith("/usr/local/etc/jupyterhub/"):
        c.GenericOAuthenticator.http_request_kwargs = dict(kwargs, ca_certs=_path(files_root, kwargs["ca_certs"]))
