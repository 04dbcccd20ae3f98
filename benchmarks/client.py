"""The load generator, run as its own process (`python -m benchmarks.client`) so that it never
shares a CPU budget or a GIL with the servers' measurements.

It reads one job as JSON on stdin: `{"port", "requests": [{method, path, body, headers}],
"concurrency", "seconds", "rate"}` and writes `{"done", "errors", "latencies_ms", "elapsed"}`
on stdout. With `rate` null it runs closed-loop (each of `concurrency` connections sends its
next request as soon as the last one is answered: capacity); with a rate it sends at that
fixed pace (open loop: latency at a given load). Requests go round-robin through the list, so
lookups vary their keys."""

import http.client
import itertools
import json
import sys
import threading
import time


def run(job: dict) -> dict:
    port = job["port"]
    requests = job["requests"]
    concurrency = job["concurrency"]
    deadline = time.perf_counter() + job["seconds"]
    rate = job.get("rate")
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    start = time.perf_counter()

    def send(index: int) -> None:
        spec = requests[index % len(requests)]
        body = json.dumps(spec["body"]).encode() if spec.get("body") is not None else None
        headers = {"Content-Type": "application/json", **spec.get("headers", {})}
        began = time.perf_counter()
        ok = False
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request(spec["method"], spec["path"], body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            ok = response.status == spec.get("status", 200)
            connection.close()
        except OSError:
            ok = False
        elapsed = (time.perf_counter() - began) * 1000
        with lock:
            latencies.append(elapsed)
            if not ok:
                errors[0] += 1

    def worker(slot: int) -> None:
        while True:
            index = next(counter)
            if rate:
                due = start + index / rate
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
            if time.perf_counter() >= deadline:
                return
            send(index)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "done": len(latencies),
        "errors": errors[0],
        "latencies_ms": latencies,
        "elapsed": time.perf_counter() - start,
    }


if __name__ == "__main__":
    json.dump(run(json.load(sys.stdin)), sys.stdout)
