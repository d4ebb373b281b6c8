"""gunicorn settings of the stack's MLflow server (entrypoint.py passes `-c` with this file).

`mlflow server --gunicorn-opts` serves MLflow's Flask app directly. The default, uvicorn, serves
a FastAPI app wrapping the same Flask app behind ~10 ASGI middlewares and a WSGI bridge through
a thread pool: its event loop held the GIL for 73 % of the time, the Flask handlers 26 %. Under
gunicorn the same 100 candidate runs cost the server 23–31 % less CPU (README.md, "Why gunicorn").
The number of workers comes from `mlflow server --workers` (compose: 2).
"""

import os

# fair_accept.py: gunicorn's threaded worker ("gthread"), spreading connections over workers.
worker_class = "fair_accept.FairThreadWorker"
# Threads per worker; keep-alive connections wait in the worker's poller between requests and
# hold no thread. 4 covers the training CLI's 8 runs in flight over 2 workers (2 or 8 measured
# the same CPU per request).
threads = 4
# gunicorn's default is 2 s; Node's fetch (undici) reuses an idle connection for up to 4 s, so
# a request sent as the server closed it would fail. uvicorn's 5 s, which the clients were
# tested against.
keepalive = 5
# The heartbeat file every worker touches on each loop turn: in memory, not on the container's
# overlay filesystem (gunicorn's advice for Docker).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
# No runtime control socket ($HOME/.gunicorn/gunicorn.ctl, for `gunicornc`): nothing here
# resizes workers at run time, and servers sharing a home (tests, benches) would share the path.
control_socket_disable = True


def post_worker_init(worker):
    # After the app is loaded: the line stack/test/mlflow-workers.integ.test.ts waits for.
    worker.log.info("Worker ready (pid: %s)", worker.pid)
