#!/usr/bin/env python3
"""Load benchmark of `newsfind serve` (not a test): searches per second, latency
percentiles and the server's peak memory, with 1, 8 and 64 concurrent clients.

    bench/serve_load.py --archive /work/archive37k            # indexes it into a temp dir
    bench/serve_load.py --index DIR [--seconds 20] [--clients 1,8,64]

Starts the release binary (`target/release/newsfind serve`) on 127.0.0.1 port 0, warms
it up, then for each client count runs that many keep-alive HTTP/1.1 clients for a fixed
time. Each client sends the page's request (`/api/search?q=…&limit=20&facets=1`) and,
in a second round, the CLI's default (`limit=10`, no facets), with queries taken in turn
from bench/queries.txt (the same file bench/run uses), each client starting at another
place. A request counts when its whole response is read; any status but 200 is an error.
Peak RSS is the kernel's high-water mark (VmHWM) of the server process, read once the
round ends; RssAnon (heap) and RssFile (mapped index pages) are sampled every 100 ms and
their maxima reported. The client is this one Python process (asyncio, one core at most):
its own CPU time is printed beside the figures, so a saturated client shows.

Prints a Markdown table on stdout and the raw figures as JSON on stderr.
"""
import argparse
import asyncio
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def queries():
    out = []
    with open(os.path.join(REPO, "bench", "queries.txt"), encoding="utf-8") as f:
        for line in f:
            words = shlex.split(line)
            if words and not any(w.startswith("-") for w in words):
                out.append(" ".join(words))
    return out


def status_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def client(host, port, paths, start, deadline, latencies, errors):
    reader, writer = await asyncio.open_connection(host, port)
    i = start
    try:
        while time.perf_counter() < deadline:
            path = paths[i % len(paths)]
            i += 1
            t0 = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            m = re.search(rb"(?i)content-length:\s*(\d+)", head)
            await reader.readexactly(int(m.group(1)) if m else 0)
            latencies.append(time.perf_counter() - t0)
            if status != 200:
                errors.append(status)
    finally:
        writer.close()


async def round_(host, port, paths, clients, seconds):
    latencies, errors = [], []
    deadline = time.perf_counter() + seconds
    step = max(1, len(paths) // clients)
    t0 = time.perf_counter()
    await asyncio.gather(*(client(host, port, paths, c * step, deadline, latencies, errors) for c in range(clients)))
    return latencies, errors, time.perf_counter() - t0


async def sample_memory(pid, peaks, stop):
    while not stop.is_set():
        peaks["anon"] = max(peaks["anon"], status_kb(pid, "RssAnon"))
        peaks["file"] = max(peaks["file"], status_kb(pid, "RssFile"))
        try:
            await asyncio.wait_for(stop.wait(), 0.1)
        except asyncio.TimeoutError:
            pass


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def measure(host, port, pid, paths, clients, seconds):
    peaks = {"anon": 0, "file": 0}
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_memory(pid, peaks, stop))
    cpu0, own0 = cpu_seconds(pid), time.process_time()
    latencies, errors, wall = await round_(host, port, paths, clients, seconds)
    cpu1, own1 = cpu_seconds(pid), time.process_time()
    stop.set()
    await sampler
    return {
        "clients": clients,
        "requests": len(latencies),
        "errors": len(errors),
        "error_statuses": sorted(set(errors)),
        "per_second": len(latencies) / wall,
        "p50_ms": 1000 * pct(latencies, 50),
        "p99_ms": 1000 * pct(latencies, 99),
        "mean_ms": 1000 * statistics.mean(latencies),
        "server_cpu_s": cpu1 - cpu0,
        "client_cpu_s": own1 - own0,
        "wall_s": wall,
        "vmhwm_mb": status_kb(pid, "VmHWM") / 1024,
        "rss_anon_peak_mb": peaks["anon"] / 1024,
        "rss_file_peak_mb": peaks["file"] / 1024,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--archive", help="archive to index into a temp dir first")
    ap.add_argument("--index", help="an existing index")
    ap.add_argument("--binary", default=os.path.join(REPO, "target", "release", "newsfind"))
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--clients", default="1,8,64")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="newsfind-serve-bench-")
    index = args.index
    if not index:
        if not args.archive:
            sys.exit("give --archive or --index")
        index = os.path.join(work, "index")
        t0 = time.time()
        subprocess.run([args.binary, "index", args.archive, "--index", index, "-q"], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"indexed {args.archive} in {time.time() - t0:.0f} s", file=sys.stderr)
    server = subprocess.Popen([args.binary, "serve", "--index", index, "--addr", "127.0.0.1:0"],
                              stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        line = server.stderr.readline()
        m = re.search(r"http://(127\.0\.0\.1):(\d+)/", line)
        if not m:
            sys.exit(f"no address from the server: {line!r}")
        host, port = m.group(1), int(m.group(2))
        qs = queries()
        # The same searches in-process, one at a time (`newsfind query-bench`): what a
        # search costs without HTTP, measured in the same run.
        baseline = {}
        for shape, flags in [("page (limit=20, facets=1)", " -n 20 --facets"), ("cli default (limit=10)", "")]:
            qfile = os.path.join(work, "queries.txt")
            with open(qfile, "w", encoding="utf-8") as f:
                f.writelines(shlex.quote(q) + flags + "\n" for q in qs)
            out = subprocess.run([args.binary, "query-bench", qfile, "--index", index, "--rounds", "3"],
                                 capture_output=True, text=True, check=True).stdout
            baseline[shape] = json.loads(out)
            print(json.dumps({"in_process": shape, **baseline[shape]}), file=sys.stderr)
        shapes = {
            "page (limit=20, facets=1)": [f"/api/search?{urllib.parse.urlencode({'q': q, 'limit': 20, 'facets': 1})}" for q in qs],
            "cli default (limit=10)": [f"/api/search?{urllib.parse.urlencode({'q': q})}" for q in qs],
        }
        results = []
        for shape, paths in shapes.items():
            asyncio.run(round_(host, port, paths, 4, 3))  # warm-up: page cache, allocator
            for clients in [int(c) for c in args.clients.split(",")]:
                r = asyncio.run(measure(host, port, server.pid, paths, clients, args.seconds))
                r["request"] = shape
                results.append(r)
                print(json.dumps(r), file=sys.stderr)
        print(f"\nIndex: {index}; {len(qs)} queries from bench/queries.txt, {args.seconds:.0f} s per row.\n")
        print("\nIn-process, one search at a time (`newsfind query-bench --rounds 3`, same queries, same run):\n")
        print("| request | p50 ms | p99 ms | mean ms | = searches/s on one core |")
        print("|---|---:|---:|---:|---:|")
        for shape, b in baseline.items():
            a = b["all"] if "all" in b else b
            print(f"| {shape} | {a['p50_ms']:.1f} | {a['p99_ms']:.1f} | {a['mean_ms']:.2f} | {1000 / a['mean_ms']:.0f} |")
        print()
        print("| request | clients | searches/s | p50 ms | p99 ms | errors | server CPU s | client CPU s | peak RSS MB (VmHWM) | heap peak MB (RssAnon) | mapped index peak MB (RssFile) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in results:
            print(f"| {r['request']} | {r['clients']} | {r['per_second']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} | "
                  f"{r['server_cpu_s']:.1f} | {r['client_cpu_s']:.1f} | {r['vmhwm_mb']:.0f} | {r['rss_anon_peak_mb']:.0f} | {r['rss_file_peak_mb']:.0f} |")
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if not args.index:
            subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
