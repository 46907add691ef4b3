"""Each learner's Jupyter server on the class hub (hub/jupyterhub_config.py passes this file).

JupyterHub lets through anyone holding access:servers for this server; by default that is full
use, code included. Here the owner keeps full use, and anyone else (the class-results service)
may only read files, and only with the custom scope custom:jupyter_server:read:contents.
"""
import os

from jupyterhub.singleuser.extension import JupyterHubAuthorizer


class OwnerOrReadResults(JupyterHubAuthorizer):
    def is_authorized(self, handler, user, action, resource):
        if not super().is_authorized(handler, user, action, resource):
            return False
        owner = os.environ["JUPYTERHUB_USER"]
        if user.hub_user.get("kind", "user") == "user" and user.hub_user["name"] == owner:
            return True
        wanted = {f"custom:jupyter_server:read:contents!user={owner}",
                  f"custom:jupyter_server:read:contents!server={owner}/{os.environ.get('JUPYTERHUB_SERVER_NAME', '')}"}
        return action == "read" and resource == "contents" and bool(self.hub_auth.check_scopes(wanted, user.hub_user))


c = get_config()  # noqa: F821 (Jupyter provides it)
c.ServerApp.authorizer_class = OwnerOrReadResults
