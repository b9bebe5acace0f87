"""Print, as JSON, what a hub configuration means for hubctl's purposes: the
authenticator, its traits, the services and the roles, with secrets and the
CA bundle resolved to their values. The tests compare the output for the two
renderings of one spec.

hub-config runs on a bare python3 (no traitlets): a small stand-in for
traitlets' Config records what the configuration sets, and one for its
LazyConfigValue (which hub-config's snippet extends) applies what was added
to the default list. chart runs in the chart's hub pod (pkg/testbed's
RunInPod), with the hub image's Python and real traitlets: it loads the
chart's own jupyterhub_config.py as JupyterHub would.

  effective_config.py hub-config FILE
  effective_config.py chart FILE
"""

import contextlib
import json
import os
import sys
import types


class Section(dict):
    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name)

    def __setattr__(self, name, value):
        self[name] = value


class Config(dict):
    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self.setdefault(name, Section())

    def __setattr__(self, name, value):
        self[name] = value

    def __getitem__(self, name):
        return self.setdefault(name, Section())


class LazyConfigValue:
    def __init__(self):
        self._extend = []

    def extend(self, other):
        self._extend.extend(other)

    def append(self, obj):
        self._extend.append(obj)

    def get_value(self, initial):
        return initial + self._extend


def listed(section, key):
    value = section.get(key, [])
    return value.get_value([]) if isinstance(value, LazyConfigValue) else value


def load_hub_config(path):
    for name in ("traitlets", "traitlets.config"):
        sys.modules[name] = types.ModuleType(name)
    sys.modules["traitlets.config"].LazyConfigValue = LazyConfigValue
    c = Config()
    namespace = {"c": c, "get_config": lambda: c, "__file__": os.path.abspath(path)}
    with open(path) as f:
        exec(compile(f.read(), path, "exec"), namespace)
    return c, lambda p: p


def load_chart(path):
    global LazyConfigValue
    from traitlets.config.loader import LazyConfigValue as RealLazyConfigValue
    from traitlets.config.loader import PyFileConfigLoader

    LazyConfigValue = RealLazyConfigValue
    loader = PyFileConfigLoader(os.path.basename(path), os.path.dirname(path))
    # The chart's configuration says what it loads on standard output,
    # which is this script's answer.
    with contextlib.redirect_stdout(sys.stderr):
        c = loader.load_config()
    return c, lambda p: p


def effective(c, container_path):
    jh = c.get("JupyterHub", {})
    login = None
    # Without a login the chart keeps its default (dummy) authenticator, and
    # a bare jupyterhub_config.py sets none: both mean "not configured here".
    if jh.get("authenticator_class") == "generic-oauth":
        traits = dict(c.get("GenericOAuthenticator", {}))
        # OAuthenticator's default for client_secret.
        traits.setdefault("client_secret", os.environ.get("OAUTH_CLIENT_SECRET", ""))
        kwargs = traits.get("http_request_kwargs")
        if kwargs and "ca_certs" in kwargs:
            with open(container_path(kwargs["ca_certs"])) as f:
                traits["http_request_kwargs"] = dict(kwargs, ca_certs=f.read())
        login = {"authenticator_class": jh["authenticator_class"], "GenericOAuthenticator": traits}
    base_url = jh.get("base_url", "/")
    return {
        "base_url": base_url if base_url.endswith("/") else base_url + "/",
        "login": login,
        "services": sorted(
            (s for s in listed(jh, "services") if s["name"] != "jupyterhub-idle-culler"), key=lambda s: s["name"]
        ),
        "load_roles": sorted(
            (r for r in listed(jh, "load_roles") if r["name"] != "jupyterhub-idle-culler"), key=lambda r: r["name"]
        ),
    }


def main(argv):
    if argv[1] == "hub-config":
        c, paths = load_hub_config(argv[2])
    elif argv[1] == "chart":
        c, paths = load_chart(argv[2])
    else:
        raise SystemExit(__doc__)
    json.dump(effective(c, paths), sys.stdout, indent=2, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv)
