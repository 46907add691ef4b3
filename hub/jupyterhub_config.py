"""JupyterHub for a class on one machine: `make hub` (tools/hub.py) starts it with this file.

Settings come from environment variables that tools/hub.py sets (and documents):
PEACEOPS_HUB_ROSTER, PEACEOPS_HUB_DIR (state: database, secrets, learners' homes), PEACEOPS_HUB_IP, PEACEOPS_HUB_PORT,
PEACEOPS_HUB_API_PORT, PEACEOPS_HUB_PROXY_API_PORT, PEACEOPS_HUB_TEACHER, PEACEOPS_HUB_MEM_LIMIT,
PEACEOPS_HUB_IDLE_MINUTES and PEACEOPS_RESULTS_TOKEN (the class-results service's token).

Who may do what:
- the learners on the teacher's roster log in, choosing their password the first time
  (FirstUseAuthenticator); the teacher does the same under the teacher's name, and is the admin;
- each learner's server runs as the same OS user as the hub, home PEACEOPS_HUB_DIR/homes/<name>
  (SimpleLocalProcessSpawner): fine for one trusted machine and for the tests, not a wall
  between learners (README, "The classroom on JupyterHub");
- the class-results service may list the users and READ files in their servers, nothing else
  (no running code, no writing): see hub/jupyter_server_config.py.
"""
import os
import resource
import sys
from pathlib import Path

from jupyterhub.spawner import SimpleLocalProcessSpawner

c = get_config()  # noqa: F821 (JupyterHub provides it)
here = Path(__file__).resolve().parent
root = here.parent
state = Path(os.environ.get("PEACEOPS_HUB_DIR", root / "_hub")).resolve()
state.mkdir(parents=True, exist_ok=True)
teacher = os.environ.get("PEACEOPS_HUB_TEACHER", "teacher")

# Network: the proxy faces learners; the hub's own API and the proxy's API stay on loopback.
c.JupyterHub.ip = os.environ.get("PEACEOPS_HUB_IP", "127.0.0.1")
c.JupyterHub.port = int(os.environ.get("PEACEOPS_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("PEACEOPS_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('PEACEOPS_HUB_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.command = [str(root / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "cookie_secret")

# Accounts: the teacher's roster (PEACEOPS_HUB_ROSTER, one learner's name a line; more can be
# added at /hub/admin), each learner choosing a password at their first login (FirstUseAuthenticator).
# Nobody else can log in.
roster = Path(os.environ.get("PEACEOPS_HUB_ROSTER", state / "roster.txt"))
learners = {line.strip().lower() for line in roster.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.lstrip().startswith("#")} if roster.exists() else set()
c.JupyterHub.authenticator_class = "firstuseauthenticator.FirstUseAuthenticator"
c.FirstUseAuthenticator.dbm_path = str(state / "passwords.dbm")
c.FirstUseAuthenticator.create_users = False      # a name not on the roster cannot log in
c.FirstUseAuthenticator.min_password_length = 8
c.Authenticator.admin_users = {teacher}
c.Authenticator.allowed_users = learners | {teacher}
c.Authenticator.allow_existing_users = True       # learners the teacher adds at /hub/admin may log in


class ClassroomSpawner(SimpleLocalProcessSpawner):
    """A learner's server as a local process, with a ceiling on each process's memory.

    A local process cannot be given a share of the machine the way a container can: mem_limit is
    applied as each process's data-size limit (RLIMIT_DATA, so a runaway kernel fails with a
    MemoryError instead of taking the machine down), and cpu_limit is not enforced at all."""

    def make_preexec_fn(self, name):
        prepare_home = super().make_preexec_fn(name)
        limit = self.mem_limit

        def preexec():
            prepare_home()
            if limit:
                resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
        return preexec


c.JupyterHub.spawner_class = ClassroomSpawner
c.ClassroomSpawner.home_dir_template = str(state / "homes" / "{username}")
c.Spawner.mem_limit = os.environ.get("PEACEOPS_HUB_MEM_LIMIT", "2G")
c.Spawner.default_url = "/lab"
c.Spawner.cmd = [str(Path(sys.executable).with_name("jupyterhub-singleuser"))]
c.Spawner.args = [f"--config={here / 'jupyter_server_config.py'}"] + (["--allow-root"] if os.getuid() == 0 else [])
c.Spawner.environment = {"JUPYTERHUB_SINGLEUSER_EXTENSION": "1"}
# 30 learners logging in at once on 2 cores: each server needs a few seconds of CPU to start, so
# the last ones wait. Let all of them start (no limit below the class size) and wait long enough
# (measured with make bench-hub: README, capacity table) rather than fail them after the default 60 s.
c.JupyterHub.concurrent_spawn_limit = 100
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300
c.JupyterHub.init_spawners_timeout = 60

# Scopes. A learner has full use of their own server. The class-results service (the teacher's
# class-results notebook uses its token) can list users and read files in their servers:
#   list:users    the names of the learners, to know whose results to fetch;
#   access:servers                          to be let through to a learner's server at all;
#   custom:jupyter_server:read:contents     which hub/jupyter_server_config.py checks: read a file
#                                           through the contents API, and nothing else there.
c.JupyterHub.custom_scopes = {
    "custom:jupyter_server:read:contents": {
        "description": "Read files in a learner's server (the course's class-results loader)."},
}
c.JupyterHub.load_roles = [
    {"name": "class-results", "description": "Read the learners' results files, nothing else",
     "scopes": ["list:users", "access:servers", "custom:jupyter_server:read:contents"],
     "services": ["class-results"]},
    {"name": "idle-culler", "description": "Stop servers left idle",
     "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
     "services": ["idle-culler"]},
]
idle_minutes = int(os.environ.get("PEACEOPS_HUB_IDLE_MINUTES", "60"))
c.JupyterHub.services = [
    {"name": "idle-culler",
     "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={idle_minutes * 60}",
                 f"--cull-every={max(60, idle_minutes * 15)}"]},
]
if os.environ.get("PEACEOPS_RESULTS_TOKEN"):
    c.JupyterHub.services.append({"name": "class-results", "api_token": os.environ["PEACEOPS_RESULTS_TOKEN"]})


# Where the teacher's server reaches the proxy (on this machine: loopback when it listens everywhere).
public_url = f"http://{c.JupyterHub.ip if c.JupyterHub.ip not in ('0.0.0.0', '::', '') else '127.0.0.1'}:{c.JupyterHub.port}"


def give_the_teacher_the_class(spawner):
    """The teacher's server gets the hub's address and the class-results token, which the
    class-results notebook reads; no learner's server does."""
    if spawner.user.name == teacher and os.environ.get("PEACEOPS_RESULTS_TOKEN"):
        spawner.environment.update({"PEACEOPS_HUB_URL": public_url,
                                    "PEACEOPS_RESULTS_TOKEN": os.environ["PEACEOPS_RESULTS_TOKEN"]})


c.Spawner.pre_spawn_hook = give_the_teacher_the_class
