"""Python peer of bench/src/tracking.bench.ts: MLflow's own MlflowClient logs the same candidate
runs (the bodies our client sent, read from RUNS_JSON) under PARENT_RUN_ID, one run per task
on a ThreadPoolExecutor of THREADS (the same number in flight as ours): create_run with the
tags, log_batch with the params and metrics, set_terminated FINISHED. Prints one JSON line
with the logging time (import and client set-up excluded).
Usage: mlflow_log_runs.py TRACKING_URI RUNS_JSON PARENT_RUN_ID THREADS"""
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

try:
    import mlflow
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param
except ImportError as error:  # the bench records the peer as unavailable
    print(json.dumps({"available": False, "reason": f"import failed: {error}"}))
    sys.exit(0)


def main():
    tracking_uri, runs_json, parent_run_id, threads = sys.argv[1:5]
    with open(runs_json, encoding="utf-8") as source:
        runs = json.load(source)
    client = MlflowClient(tracking_uri=tracking_uri)

    def log(run):
        tags = dict(run["tags"], **{"mlflow.parentRunId": parent_run_id})
        created = client.create_run(
            run["experiment_id"], start_time=run["start_time"], tags=tags, run_name=run["run_name"]
        )
        run_id = created.info.run_id
        client.log_batch(
            run_id,
            metrics=[Metric(m["key"], m["value"], m["timestamp"], m["step"]) for m in run["metrics"]],
            params=[Param(k, v) for k, v in run["params"].items()],
            synchronous=True,
        )
        client.set_terminated(run_id, status="FINISHED", end_time=run["end_time"])
        return run_id

    started, cpu_started = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(max_workers=int(threads)) as pool:
        run_ids = list(pool.map(log, runs))
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    print(json.dumps({"available": True, "seconds": seconds, "cpuSeconds": cpu_seconds, "runs": len(run_ids), "mlflow": mlflow.__version__}))


if __name__ == "__main__":
    main()
