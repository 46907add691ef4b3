"""deploy/ and binder/, checked as far as they can be without Kubernetes or Docker: the Zero to
JupyterHub values parse, every key is one the pinned chart documents (deploy/z2jh-chart-keys.txt),
every JupyterHub setting names a real configurable of the installed packages, the class-results
role is the same as `make hub`'s, and the repo2docker environment installs this course."""
from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from traitlets.config import Config

ROOT = Path(__file__).resolve().parent.parent
VALUES = yaml.safe_load((ROOT / "deploy" / "config.yaml").read_text(encoding="utf-8"))
KEYS = [line.strip() for line in (ROOT / "deploy" / "z2jh-chart-keys.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")]
CONFIGURABLES = {"JupyterHub": "jupyterhub.app", "Authenticator": "jupyterhub.auth",
                 "FirstUseAuthenticator": "firstuseauthenticator"}


def paths(node, prefix=()):
    """Every key path of a values file, as tuples (lists are values, not keys)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield prefix + (str(key),)
            yield from paths(value, prefix + (str(key),))


def documented(path: tuple[str, ...]) -> bool:
    for key in KEYS:
        parts = key.split(".")
        for i, part in enumerate(parts):
            if part == "**":
                return True
            if i >= len(path) or (part != "*" and part != path[i]):
                break
        else:
            if len(parts) == len(path):
                return True
    return False


def test_every_key_in_the_values_is_one_the_pinned_chart_documents():
    assert "jupyterhub 4.4.0" in (ROOT / "deploy" / "z2jh-chart-keys.txt").read_text(encoding="utf-8")
    undocumented = [".".join(p) for p in paths(VALUES) if not documented(p)]
    assert not undocumented, f"not keys of the chart: {undocumented}"
    # The check can fail: a misspelt key and one at the wrong level are caught.
    assert not documented(("singleuser", "memroy", "limit")) and not documented(("cull", "timeout", "seconds"))
    for must in (("hub", "config", "JupyterHub", "authenticator_class"), ("singleuser", "image", "name"),
                 ("singleuser", "lifecycleHooks", "postStart"), ("cull", "timeout"), ("singleuser", "memory", "limit")):
        assert must in set(paths(VALUES)), f"{'.'.join(must)}: the class needs it"


@pytest.mark.parametrize("name", sorted(VALUES["hub"]["config"]))
def test_every_jupyterhub_setting_names_a_real_option(name):
    cls = getattr(importlib.import_module(CONFIGURABLES[name]), name)
    for trait in VALUES["hub"]["config"][name]:
        assert cls.class_traits(config=True).get(trait) is not None, f"{name}.{trait} is not an option of {cls}"


def hub_config(tmp_path, monkeypatch) -> Config:
    monkeypatch.setenv("PEACEOPS_HUB_DIR", str(tmp_path))
    config = Config()
    exec(compile((ROOT / "hub" / "jupyterhub_config.py").read_text(encoding="utf-8"), "jupyterhub_config.py", "exec"),
         {"get_config": lambda: config, "__file__": str(ROOT / "hub" / "jupyterhub_config.py")})
    return config


def test_kubernetes_and_make_hub_give_the_results_service_the_same_narrow_role(tmp_path, monkeypatch):
    local = hub_config(tmp_path, monkeypatch)
    role = next(r for r in local.JupyterHub.load_roles if r["name"] == "class-results")
    assert sorted(VALUES["hub"]["loadRoles"]["class-results"]["scopes"]) == sorted(role["scopes"])
    assert VALUES["hub"]["config"]["JupyterHub"]["custom_scopes"].keys() == local.JupyterHub.custom_scopes.keys()
    assert local.JupyterHub.authenticator_class == VALUES["hub"]["config"]["JupyterHub"]["authenticator_class"]
    assert not {"admin:users", "admin:servers", "servers", "users"} & set(role["scopes"])


def test_the_repo2docker_environment_installs_this_course():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = [line.strip() for line in (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    local = [line for line in lines if line.startswith(".")]
    assert local == [".[lab]"] and "lab" in project["optional-dependencies"]
    pinned = {Requirement(line).name: Requirement(line).specifier for line in lines if not line.startswith(".")}
    hub_extra = {Requirement(r).name: Requirement(r).specifier for r in project["optional-dependencies"]["hub"]}
    assert pinned["nbgitpuller"] == hub_extra["nbgitpuller"]
    assert "jupyterhub" in pinned  # jupyterhub-singleuser, which a hub starts in each server
    runtime = (ROOT / "binder" / "runtime.txt").read_text(encoding="utf-8").strip()
    version = re.fullmatch(r"python-(\d+\.\d+)", runtime).group(1)
    assert Requirement(f"python{project['requires-python']}").specifier.contains(version), runtime
