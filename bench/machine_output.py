#!/usr/bin/env python3
"""Memory and time of machine output (`-f paths`, `-f jsonl`) on every hit of an index,
newsfind next to a peer build of newsfind (e.g. the one before streaming), same run.

    bench/machine_output.py --index DIR --peer OLD_NEWSFIND [--newsfind NEW] [--runs 3]

Each command is `newsfind search '*' -n 1000000 -f FORMAT` (a limit both builds take).
Per build and format: median user and system CPU seconds, wall seconds, peak RSS (GNU
time), and peak anonymous RSS (sampled from /proc every 10 ms: the heap, without the
memory-mapped index), and whether both builds printed the same bytes. Prints a Markdown
table with the ratios new / peer. Wall times depend on the machine's load: compare the
CPU columns first.
"""
import argparse
import hashlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def run_once(binary, index, fmt):
    """One run: (user s, sys s, wall s, max RSS kB, peak anon kB, sha of stdout)."""
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile("r") as timing:
        cmd = ["/usr/bin/time", "-v", "-o", timing.name, binary, "search", "*",
               "-n", "1000000", "-f", fmt, "--index", index]
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL)
        peak = [0]

        def sample():
            # The child of /usr/bin/time is newsfind.
            while proc.poll() is None:
                try:
                    children = open(f"/proc/{proc.pid}/task/{proc.pid}/children").read().split()
                    for pid in children:
                        for line in open(f"/proc/{pid}/status"):
                            if line.startswith("RssAnon:"):
                                peak[0] = max(peak[0], int(line.split()[1]))
                except OSError:
                    pass
                time.sleep(0.01)

        sampler = threading.Thread(target=sample)
        sampler.start()
        proc.wait()
        sampler.join()
        text = timing.read()
        out.seek(0)
        digest = hashlib.sha256(out.read()).hexdigest()

    def field(name):
        m = re.search(rf"{re.escape(name)}: (.+)", text)
        if not m:
            sys.exit(f"no {name!r} in the output of /usr/bin/time:\n{text}")
        return m.group(1).strip()

    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    parts = [float(p) for p in wall.split(":")]
    wall_s = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    return (float(field("User time (seconds)")), float(field("System time (seconds)")),
            wall_s, int(field("Maximum resident set size (kbytes)")), peak[0], digest)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True)
    ap.add_argument("--peer", required=True, help="the newsfind build to compare with")
    ap.add_argument("--newsfind", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "newsfind"))
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    if not os.path.exists("/usr/bin/time"):
        sys.exit("needs GNU time (/usr/bin/time): apt-get install time")
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    print(f"index {a.index}; {a.runs} runs each, medians; load average {load} at the start\n")
    print("| format | build | hits | user s | sys s | wall s | peak RSS MB | peak anon MB | same output |")
    print("|---|---|---|---|---|---|---|---|---|")
    for fmt in ["paths", "jsonl"]:
        rows = {}
        for name, binary in [("peer", a.peer), ("newsfind", a.newsfind)]:
            runs = [run_once(binary, a.index, fmt) for _ in range(a.runs)]
            med = [statistics.median(r[i] for r in runs) for i in range(5)]
            rows[name] = (med, runs[0][5])
        hits = subprocess.run([a.newsfind, "search", "*", "-n", "0", "-f", "json", "--index", a.index],
                              capture_output=True, text=True).stdout
        total = re.search(r'"total":(\d+)', hits).group(1)
        same = "yes" if rows["peer"][1] == rows["newsfind"][1] else "NO"
        for name in ["peer", "newsfind"]:
            m = rows[name][0]
            print(f"| {fmt} | {name} | {int(total):,} | {m[0]:.2f} | {m[1]:.2f} | {m[2]:.2f} | "
                  f"{m[3] / 1024:.0f} | {m[4] / 1024:.0f} | {same} |")
        p, n = rows["peer"][0], rows["newsfind"][0]
        cpu = (n[0] + n[1]) / max(p[0] + p[1], 1e-9)
        print(f"| {fmt} | **newsfind / peer** | | **CPU {cpu:.2f}×** | | {n[2] / max(p[2], 1e-9):.2f}× | "
              f"{n[3] / max(p[3], 1):.2f}× | **{n[4] / max(p[4], 1):.2f}×** | |")


if __name__ == "__main__":
    main()
