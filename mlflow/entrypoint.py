#!/usr/bin/env python3
"""Entry point of the stack's MLflow tracking server (the mlflow/ image, and `pnpm run stack`).

Reads the environment the VM bootstrap writes (names in @wine/stack-contract STACK_ENV):
MLFLOW_BACKEND_STORE_URI (PostgreSQL), MLFLOW_ARTIFACTS_DESTINATION (wasbs:// in Azure, a
directory locally), MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD (the basic-auth admin)
and MLFLOW_SERVER_ALLOWED_HOSTS. Then:

1. writes the basic-auth config to a private temp file (the user store lives in the backend
   database, next to MLflow's own tables; the password never goes into a file);
2. creates the admin user, or resets its password and admin flag to the environment's, so a
   password rotated in Key Vault takes effect at the next start (MLflow itself only reads the
   configured password when it creates the user);
3. execs `mlflow server --app-name basic-auth` with artifacts proxied through the server, so
   clients never hold storage credentials. Extra arguments are passed on (e.g. --workers 2).
   MLflow's Flask app runs under gunicorn with gunicorn.conf.py (threaded workers, keep-alive)
   instead of MLflow's default uvicorn + FastAPI, whose ASGI layers and WSGI bridge cost more
   CPU per request than the tracking work itself (README.md, "Why gunicorn"); an explicit
   --gunicorn-opts, --uvicorn-opts or --waitress-opts replaces that.

Exit code 2 and one line on stderr for a missing or invalid variable.
"""

import os
import secrets
import shlex
import sys
import tempfile

# Successful credential checks are cached (HMAC of the password, per worker) for this long.
AUTH_CACHE_TTL_SECONDS = 60
# gunicorn.conf.py and fair_accept.py (its worker class) are next to this file.
HERE = os.path.dirname(os.path.abspath(__file__))
GUNICORN_CONFIG = os.path.join(HERE, "gunicorn.conf.py")
SERVER_OPTION_FLAGS = ("--uvicorn-opts", "--gunicorn-opts", "--waitress-opts")
DEFAULT_ALLOWED_HOSTS = "mlflow,mlflow:5000,localhost,localhost:5000,127.0.0.1,127.0.0.1:5000"


def fail(message: str) -> None:
    print(f"mlflow entrypoint: {message}", file=sys.stderr)
    sys.exit(2)


def required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if value == "":
        fail(f"{name} is not set (see .env.sample, 'MLflow server')")
    return value


def sqlalchemy_uri(uri: str) -> str:
    """postgresql:// means psycopg 3 to SQLAlchemy 2.1; the image ships psycopg2."""
    for prefix in ("postgresql://", "postgres://"):
        if uri.startswith(prefix):
            return "postgresql+psycopg2://" + uri[len(prefix) :]
    return uri


def write_auth_config(database_uri: str, username: str) -> str:
    directory = tempfile.mkdtemp(prefix="mlflow-auth-")
    path = os.path.join(directory, "basic_auth.ini")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(
            "[mlflow]\n"
            "default_permission = READ\n"
            f"database_uri = {database_uri.replace('%', '%%')}\n"
            f"admin_username = {username}\n"
            "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n"
            # Without it every request pays a scrypt password check (~0.1-0.2 s of CPU): 100
            # candidate runs (300 requests) took 234-286 s and 70 s of server CPU, with it 7-8 s
            # and 3-4 s, as without auth. A password changed through the API applies at once in
            # the worker that changed it, in the others within the TTL; a restart clears it.
            f"auth_cache_ttl_seconds = {AUTH_CACHE_TTL_SECONDS}\n"
        )
    return path


def sync_admin(database_uri: str, username: str, password: str) -> str:
    from mlflow.server.auth.sqlalchemy_store import SqlAlchemyStore

    store = SqlAlchemyStore()
    store.init_db(database_uri)
    if not store.has_user(username, use_primary=True):
        store.create_user(username, password, is_admin=True)
        return "created"
    if store.authenticate_user(username, password, use_primary=True):
        store.update_user(username, is_admin=True)
        return "unchanged"
    store.update_user(username, password=password, is_admin=True)
    return "password reset from the environment"


def main(argv: list[str]) -> None:
    username = required("MLFLOW_TRACKING_USERNAME")
    password = required("MLFLOW_TRACKING_PASSWORD")
    if len(password) < 12:
        fail("MLFLOW_TRACKING_PASSWORD must have at least 12 characters (MLflow's rule)")
    backend = sqlalchemy_uri(required("MLFLOW_BACKEND_STORE_URI"))
    artifacts = required("MLFLOW_ARTIFACTS_DESTINATION")
    allowed_hosts = os.environ.get("MLFLOW_SERVER_ALLOWED_HOSTS", "").strip() or DEFAULT_ALLOWED_HOSTS
    host = os.environ.get("MLFLOW_HOST", "0.0.0.0")
    port = os.environ.get("MLFLOW_PORT", "5000")

    config_path = write_auth_config(backend, username)
    outcome = sync_admin(backend, username, password)
    print(f"mlflow entrypoint: basic-auth admin '{username}': {outcome}", file=sys.stderr)

    env = dict(os.environ)
    env["MLFLOW_AUTH_CONFIG_PATH"] = config_path
    # The user exists now, so MLflow's own bootstrap only checks these.
    env["MLFLOW_AUTH_ADMIN_USERNAME"] = username
    env["MLFLOW_AUTH_ADMIN_PASSWORD"] = password
    # Signs the UI's CSRF tokens; one value for all workers of this start is enough.
    env.setdefault("MLFLOW_FLASK_SERVER_SECRET_KEY", secrets.token_hex(32))
    # Host-header check (DNS rebinding): the Flask app and the FastAPI one both read it from
    # here; `mlflow server --allowed-hosts` refuses to run with --gunicorn-opts.
    env["MLFLOW_SERVER_ALLOWED_HOSTS"] = allowed_hosts
    # gunicorn's workers import fair_accept (gunicorn.conf.py's worker class) from here.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (HERE, env.get("PYTHONPATH", "")) if p)
    chosen = any(a.split("=", 1)[0] in SERVER_OPTION_FLAGS for a in argv)
    server_opts = [] if chosen else ["--gunicorn-opts", f"-c {shlex.quote(GUNICORN_CONFIG)}"]
    args = [
        sys.executable, "-m", "mlflow", "server",
        "--app-name", "basic-auth",
        "--backend-store-uri", backend,
        "--artifacts-destination", artifacts,
        "--serve-artifacts",
        "--host", host,
        "--port", port,
        *server_opts,
        *argv,
    ]  # fmt: skip
    os.execve(sys.executable, args, env)


if __name__ == "__main__":
    main(sys.argv[1:])
