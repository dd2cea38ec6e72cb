#!/usr/bin/env python3
"""alertd's benchmark (`make bench`): the real alertd, driven by a separate
load-generating process (bench/loadgen.py), side by side with Alertmanager
on the HTTP cases.

Every case starts a fresh alertd (fresh SQLite file) so repeats are
independent; each is repeated and the median reported. For each figure it
records the rate, alertd's CPU per alert (from /proc/PID/stat) and its RSS,
plus how much CPU everything else on the machine used meanwhile (the
machine is shared: compare CPU per alert when it was busy).

It reports; it does not judge. See docs/benchmarks.md.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---------------------------------------------------------------- /proc

def proc_cpu_seconds(pid):
    """utime + stime of a process, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_rss_bytes(pid):
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE


def machine_busy_seconds():
    """CPU-seconds all processors spent not idle, since boot."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / CLK_TCK


def udp_rcvbuf_errors():
    with open("/proc/net/snmp") as f:
        lines = [l.split() for l in f if l.startswith("Udp:")]
    header, values = lines[0], lines[1]
    return int(values[header.index("RcvbufErrors")])


def percentile(samples, p):
    ordered = sorted(samples)
    if not ordered:
        return None
    rank = max(1, int(round(p / 100 * len(ordered) + 0.4999)))
    return ordered[min(rank, len(ordered)) - 1]


# ---------------------------------------------------------------- alertd

def held_pages_config():
    """Business hours on one day that is neither today nor tomorrow (UTC):
    every SEV3/SEV4 page (the load generator's alerts are `warning`) is
    queued in the outbox and held, whatever the time of day. Otherwise a
    run inside the embedded default's business hours also delivers a page
    per new incident (a second commit each, and the dispatcher's reads),
    and the figures would depend on when the benchmark ran; Alertmanager
    in the same run notifies nobody. SEV1/SEV2 page at once as ever
    (page-latency)."""
    day = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=3)).strftime("%a").lower()
    return f'business_hours: {{ timezone: UTC, days: [{day}], start: "00:00", end: "00:01" }}\n'


class Alertd:
    """The real alertd on a config of this benchmark, in a temp dir, with a
    NOTIFY_SOCKET this benchmark owns (to time READY=1)."""

    def __init__(self, bindir, workdir, extra_config="", keep_state=False, max_queued=None):
        self.bindir, self.dir = bindir, workdir
        os.makedirs(os.path.join(workdir, "state"), exist_ok=True)
        if not keep_state:
            for name in os.listdir(os.path.join(workdir, "state")):
                os.remove(os.path.join(workdir, "state", name))
        limits = f"limits: {{ max_queued: {max_queued} }}\n" if max_queued else ""
        # Ports picked here rather than 0, because the log level that keeps
        # alertd quiet under load also hides its "listening on" lines.
        self.ports = {"ingest-udp": free_port(socket.SOCK_DGRAM), "ingest-tcp": free_port(), "http": free_port()}
        self.config = os.path.join(workdir, "alertd.yaml")
        with open(self.config, "w") as f:
            f.write(f"""listen:
  - {{ name: ingest-udp, udp: "127.0.0.1:{self.ports['ingest-udp']}" }}
  - {{ name: ingest-tcp, tcp: "127.0.0.1:{self.ports['ingest-tcp']}" }}
  - {{ name: ingest-unix, unix: "{workdir}/ingest.sock" }}
  - {{ name: http, http: "127.0.0.1:{self.ports['http']}" }}
storage: {{ sqlite: "{workdir}/state/alertd.sqlite" }}
control: {{ socket: "{workdir}/control.sock" }}
log: {{ level: warning }}
{held_pages_config()}{limits}{extra_config}""")
        self.process = None

    def start(self):
        notify_path = os.path.join(self.dir, "notify.sock")
        if os.path.exists(notify_path):
            os.remove(notify_path)
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        env = dict(os.environ, NOTIFY_SOCKET=notify_path)
        self.log_path = os.path.join(self.dir, "alertd.log")
        log = open(self.log_path, "w")
        started = time.monotonic()
        self.process = subprocess.Popen(
            [os.path.join(self.bindir, "alertd"), "--config", self.config],
            stdout=subprocess.DEVNULL, stderr=log, env=env)
        notify.settimeout(0.2)
        deadline = started + 600
        while True:
            try:
                message = notify.recv(4096).decode()
                if "READY=1" in message.split("\n"):
                    self.ready_seconds = time.monotonic() - started
                    break
            except socket.timeout:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"alertd exited with {self.process.returncode}: {open(self.log_path).read()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError("alertd did not send READY=1 in 600 s")
        notify.close()
        return self

    @property
    def pid(self):
        return self.process.pid

    def cpu(self):
        return proc_cpu_seconds(self.pid)

    def rss(self):
        return proc_rss_bytes(self.pid)

    def metrics(self):
        text = urllib.request.urlopen(f"http://127.0.0.1:{self.ports['http']}/metrics", timeout=30).read().decode()
        values = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                try:
                    values[name] = float(value)
                except ValueError:
                    pass
        return values

    def received(self, listener):
        return sum(v for k, v in self.metrics().items()
                   if k.startswith("alertd_alerts_received_total{") and f'listener="{listener}"' in k)

    def committed(self):
        return self.metrics().get("alertd_alerts_committed_total", 0)

    def stop(self, kill=False):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Alertmanager:
    """Debian's prometheus-alertmanager on loopback: no cluster, one null
    receiver, group_wait longer than any run (so it only ingests)."""

    def __init__(self, workdir):
        self.dir = workdir
        os.makedirs(workdir, exist_ok=True)
        with open(os.path.join(workdir, "alertmanager.yml"), "w") as f:
            f.write("route: { receiver: none, group_wait: 1h, group_interval: 1h, repeat_interval: 24h }\n"
                    "receivers: [{ name: none }]\n")
        self.port = free_port()
        self.process = subprocess.Popen(
            [shutil.which("prometheus-alertmanager") or "/usr/bin/prometheus-alertmanager",
             f"--config.file={workdir}/alertmanager.yml", f"--storage.path={workdir}/data",
             f"--web.listen-address=127.0.0.1:{self.port}", "--cluster.listen-address="],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(workdir, "alertmanager.log"), "w"))
        wait_until(lambda: http_ok(f"http://127.0.0.1:{self.port}/-/ready"), 60, "Alertmanager ready")

    @property
    def pid(self):
        return self.process.pid

    def stop(self):
        self.process.kill()
        self.process.wait()


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http_ok(url):
    try:
        return urllib.request.urlopen(url, timeout=2).status == 200
    except Exception:
        return False


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)


# ---------------------------------------------------------------- load generator

LOADGEN = [sys.executable, os.path.join(ROOT, "bench", "loadgen.py")]


def loadgen(bindir, args, timeout=900):
    """Runs the load generator (bench/loadgen.py, its own process) to completion; returns its JSON."""
    process = subprocess.Popen(LOADGEN + [str(a) for a in args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        raise RuntimeError(f"loadgen {args} took longer than {timeout}s")
    try:
        result = json.loads(out.decode().strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        raise RuntimeError(f"loadgen {args} printed no JSON (exit {process.returncode}): {err.decode()[-2000:]}")
    if process.returncode != 0:
        result.setdefault("errors", []).append(err.decode()[-500:])
    return result


class Meter:
    """CPU of the measured server, of everything else, and wall time, between start() and stop()."""

    def __init__(self, pid):
        self.pid = pid

    def start(self):
        self.t0, self.cpu0, self.busy0 = time.monotonic(), proc_cpu_seconds(self.pid), machine_busy_seconds()
        self.children0 = os.times().children_user + os.times().children_system
        return self

    def stop(self):
        self.wall = time.monotonic() - self.t0
        self.cpu = proc_cpu_seconds(self.pid) - self.cpu0
        children = os.times().children_user + os.times().children_system - self.children0
        self.others = max(0.0, machine_busy_seconds() - self.busy0 - self.cpu - children)
        return self


def wait_counted(daemon, expected, settle=2.0, timeout=600):
    """Waits until alertd has committed `expected` alerts (through the
    pipeline and on disk), or the count has not moved for `settle` seconds
    (datagrams lost). Returns the count and when it last moved."""
    last, last_change = -1, time.monotonic()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        count = daemon.committed()
        now = time.monotonic()
        if count != last:
            last, last_change = count, now
        if count >= expected or now - last_change > settle:
            return count, last_change
        time.sleep(0.05)
    return last, last_change


# ---------------------------------------------------------------- cases

def case_stream(ctx, mode, distinct):
    """UDP / TCP / Unix native JSON: repeated (1,000 fingerprints) or distinct."""
    count = ctx.size(1_000_000 if not distinct else 200_000, 20_000)
    daemon = Alertd(ctx.bindir, ctx.workdir("alertd")).start()
    try:
        listener = {"udp": "ingest-udp", "tcp": "ingest-tcp", "unix": "ingest-unix"}[mode]
        target = (["--path", os.path.join(daemon.dir, "ingest.sock")] if mode == "unix"
                  else ["--target", f"127.0.0.1:{daemon.ports[listener]}"])
        shape = ["--distinct"] if distinct else ["--fingerprints", 1000]
        drops0 = udp_rcvbuf_errors()
        meter = Meter(daemon.pid).start()
        sent = loadgen(ctx.bindir, [mode] + target + ["--count", count] + shape)
        counted, done_at = wait_counted(daemon, count)
        received = daemon.received(listener)
        meter.stop()
        # From the first byte sent: the load generator renders every payload
        # before its clock starts (seconds for a million), and alertd is idle
        # meanwhile. `started_at` is its time.monotonic(), one clock for
        # every process on the machine.
        wall = done_at - sent.get("started_at", meter.t0)
        return {
            "sent": sent.get("sent"), "counted": int(counted), "lost": int(sent.get("sent", count) - received),
            "rcvbuf_errors": udp_rcvbuf_errors() - drops0 if mode == "udp" else None,
            "alerts_per_s": counted / wall if wall > 0 else None, "sender_rate": sent.get("rate"),
            "cpu_us_per_alert": meter.cpu / counted * 1e6 if counted else None,
            "rss_mb": daemon.rss() / 1e6, "others_cpu_s": meter.others, "wall_s": wall,
        }
    finally:
        daemon.stop()


def case_http(ctx, per_request, distinct, server):
    """POST /api/v2/alerts, the same load against alertd or Alertmanager."""
    count = ctx.size(100_000 if per_request == 1 else 1_000_000, 5_000)
    connections = ctx.http_connections
    if server == "alertd":
        target = Alertd(ctx.bindir, ctx.workdir("alertd")).start()
        url = f"http://127.0.0.1:{target.ports['http']}/api/v2/alerts"
    else:
        target = Alertmanager(ctx.workdir("alertmanager"))
        url = f"http://127.0.0.1:{target.port}/api/v2/alerts"
    try:
        shape = ["--distinct"] if distinct else ["--fingerprints", 1000]
        meter = Meter(target.pid).start()
        result = loadgen(ctx.bindir, ["http", "--url", url, "--count", count, "--per-request", per_request,
                                      "--connections", connections] + shape)
        meter.stop()
        ok = result.get("status", {}).get("200", 0) * per_request
        wall = result.get("seconds") or meter.wall  # from the first request to the last answer
        return {
            "sent": result.get("sent"), "answered_200": ok, "status": result.get("status"),
            "retries": result.get("retries"),
            "alerts_per_s": ok / wall if wall else None,
            "cpu_us_per_alert": meter.cpu / ok * 1e6 if ok else None,
            "alerts_per_cpu_s": ok / meter.cpu if meter.cpu else None,
            "request_ms": result.get("latency_ms"),
            "rss_mb": proc_rss_bytes(target.pid) / 1e6, "others_cpu_s": meter.others, "wall_s": wall,
        }
    finally:
        target.stop()


def case_page_latency(ctx):
    """A new SEV1 alert → the webhook sink has the page (durable commit included)."""
    sink_port = free_port()
    extra = f"""receivers:
  oncall:
    - webhook: {{ url: "http://127.0.0.1:{sink_port}/page" }}
"""
    daemon = Alertd(ctx.bindir, ctx.workdir("alertd"), extra_config=extra).start()
    try:
        result = loadgen(ctx.bindir, ["page-latency", "--send-url", f"http://127.0.0.1:{daemon.ports['http']}/api/v1/alerts",
                                      "--sink-port", sink_port, "--count", ctx.size(1000, 50)])
        return {"count": result.get("count"), "received": result.get("received"),
                "page_ms": result.get("page_ms"), "ack_ms": result.get("ack_ms"), "errors": result.get("errors")}
    finally:
        daemon.stop()


def case_attach_latency(ctx):
    """A new alert of an already-open incident (UDP) → on the incident."""
    extra = """rules:
  - name: attach-by-host
    match: ['check =~ "attach_.*"']
    group_by: [host]
"""
    daemon = Alertd(ctx.bindir, ctx.workdir("alertd"), extra_config=extra).start()
    try:
        result = loadgen(ctx.bindir, ["attach-latency", "--url", f"http://127.0.0.1:{daemon.ports['http']}",
                                      "--udp", f"127.0.0.1:{daemon.ports['ingest-udp']}", "--count", ctx.size(1000, 50)])
        return {"count": result.get("count"), "ms": result.get("ms"), "errors": result.get("errors")}
    finally:
        daemon.stop()


def case_memory_and_recovery(ctx):
    """RSS with N distinct open alerts; READY=1 with them stored; after kill -9 under load; and with
    N incidents stored of which none of those is open (a store's usual history)."""
    count = ctx.size(1_000_000, 20_000)
    workdir = ctx.workdir("alertd-big")
    daemon = Alertd(ctx.bindir, workdir).start()
    result = {"alerts": count}
    try:
        base = daemon.rss()
        meter = Meter(daemon.pid).start()
        big = ["--count", count, "--distinct", "--connections", 2, "--run", "big"]
        sent = loadgen(ctx.bindir, ["tcp", "--target", f"127.0.0.1:{daemon.ports['ingest-tcp']}"] + big, timeout=3600)
        counted, done_at = wait_counted(daemon, count, settle=10, timeout=3600)
        meter.stop()
        rss = settled_rss(daemon)
        result.update({
            "counted": int(counted), "open_incidents": open_incidents(daemon),
            "rss_base_mb": base / 1e6, "rss_mb": rss / 1e6, "bytes_per_alert": (rss - base) / max(counted, 1),
            "distinct_alerts_per_s": counted / (done_at - sent.get("started_at", meter.t0)), "cpu_us_per_alert": meter.cpu / max(counted, 1) * 1e6,
        })
        daemon.stop()
        db = os.path.join(workdir, "state", "alertd.sqlite")
        result["store_mb"] = os.path.getsize(db) / 1e6

        daemon = Alertd(ctx.bindir, workdir, keep_state=True).start()
        result["ready_s_clean_restart"] = daemon.ready_seconds
        result["rss_after_restart_mb"] = daemon.rss() / 1e6

        # kill -9 while an HTTP sender is being answered; every 200 must survive.
        url = f"http://127.0.0.1:{daemon.ports['http']}/api/v1/alerts"
        before = open_incidents(daemon)
        sender = subprocess.Popen(
            LOADGEN + ["http", "--format", "native", "--stop-on-error", "--url", url,
             "--count", str(ctx.size(200_000, 5_000)), "--per-request", "10", "--connections", "4", "--distinct",
             "--run", "kill9"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        wait_until(lambda: open_incidents(daemon) > before + ctx.size(2_000, 200), 120, "load under way")
        daemon.stop(kill=True)
        out, _ = sender.communicate(timeout=300)
        lines = out.decode().strip().splitlines()
        sent = json.loads(lines[-1]) if lines else {}
        acked = sent.get("status", {}).get("200", 0) * 10
        daemon = Alertd(ctx.bindir, workdir, keep_state=True).start()
        result["ready_s_after_kill9"] = daemon.ready_seconds
        stored = open_incidents(daemon) - before
        result.update({"kill9_acked": acked, "kill9_stored": stored, "kill9_lost": max(0, acked - stored)})

        # History: the N alerts resolve (their incidents with them), then a restart reads
        # only what is still open or may reopen, however many incidents the store holds.
        loadgen(ctx.bindir, ["tcp", "--target", f"127.0.0.1:{daemon.ports['ingest-tcp']}", "--status", "resolved"] + big,
                timeout=3600)
        _, resolved_at = wait_counted(daemon, count, settle=10, timeout=3600)
        result["open_incidents_history"] = open_incidents(daemon)
        daemon.stop()
        # Auto-resolved incidents may reopen for `reopen_within` (15m by default), so start-up
        # loads them too: restart with a short window once it has passed for all of them.
        window = 5
        time.sleep(max(0.0, resolved_at + window + 1 - time.monotonic()))
        daemon = Alertd(ctx.bindir, workdir, extra_config=f"incidents: {{ reopen_within: {window}s }}\n",
                        keep_state=True).start()
        result["ready_s_history"] = daemon.ready_seconds
    finally:
        daemon.stop()
    return result


def settled_rss(daemon, quiet=2.0, timeout=15.0):
    """RSS at rest: alertd gives a burst's freed memory back once idle for a
    second, so wait until RSS has not fallen for `quiet` seconds."""
    rss, low_at = daemon.rss(), time.monotonic()
    deadline = time.monotonic() + timeout
    while time.monotonic() - low_at < quiet and time.monotonic() < deadline:
        time.sleep(0.25)
        now_rss = daemon.rss()
        if now_rss < rss:
            rss, low_at = now_rss, time.monotonic()
    return rss


def open_incidents(daemon):
    return int(sum(v for k, v in daemon.metrics().items() if k.startswith("alertd_incidents_open{")))


def case_microbench(ctx):
    """The listener's and the pipeline's per-alert work in tight loops on one
    thread (bench/microbench): the steadiest figure on a noisy machine."""
    binary = os.path.join(ctx.bindir, "alertd-microbench")
    if not os.path.exists(binary):
        return {"errors": [f"{binary} not built (swift build -c release --product alertd-microbench)"]}
    count = ctx.size(400_000, 20_000)
    out = subprocess.run([binary, str(count)], capture_output=True, timeout=600, check=True).stdout
    return json.loads(out.decode().strip().splitlines()[-1])


# ---------------------------------------------------------------- driver

CASES = {
    "udp-repeated": lambda ctx: case_stream(ctx, "udp", False),
    "tcp-repeated": lambda ctx: case_stream(ctx, "tcp", False),
    "unix-repeated": lambda ctx: case_stream(ctx, "unix", False),
    "tcp-distinct": lambda ctx: case_stream(ctx, "tcp", True),
    "unix-distinct": lambda ctx: case_stream(ctx, "unix", True),
    "http-1-distinct": lambda ctx: case_http(ctx, 1, True, "alertd"),
    "http-1-repeated": lambda ctx: case_http(ctx, 1, False, "alertd"),
    "http-100-distinct": lambda ctx: case_http(ctx, 100, True, "alertd"),
    "http-100-repeated": lambda ctx: case_http(ctx, 100, False, "alertd"),
    "am-http-1-distinct": lambda ctx: case_http(ctx, 1, True, "alertmanager"),
    "am-http-1-repeated": lambda ctx: case_http(ctx, 1, False, "alertmanager"),
    "am-http-100-distinct": lambda ctx: case_http(ctx, 100, True, "alertmanager"),
    "am-http-100-repeated": lambda ctx: case_http(ctx, 100, False, "alertmanager"),
    "page-latency": case_page_latency,
    "attach-latency": case_attach_latency,
    "memory-recovery": case_memory_and_recovery,
    "microbench": case_microbench,
}
ONCE = {"memory-recovery"}  # too long to repeat


class Context:
    def __init__(self, bindir, quick, root, scale=1.0, http_connections=8):
        self.bindir, self.quick, self.root, self.scale = bindir, quick, root, scale
        self.http_connections = http_connections

    def size(self, full, quick):
        return quick if self.quick else max(quick, int(full * self.scale))

    def workdir(self, name):
        path = os.path.join(self.root, name)
        os.makedirs(path, exist_ok=True)
        return path


def median_of(runs):
    """Median of every numeric figure across repeats (nested dicts too)."""
    merged = {}
    for key in runs[0]:
        values = [r.get(key) for r in runs]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            merged[key] = statistics.median(values)
        elif all(isinstance(v, dict) for v in values) and values and all(
                all(isinstance(x, (int, float)) for x in v.values()) for v in values):
            merged[key] = {k: statistics.median([v.get(k, 0) for v in values]) for k in values[0]}
        else:
            merged[key] = values[-1]
    return merged


def fmt(value, digits=1):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def print_table(results):
    rows = []
    for name, r in results.items():
        if "alerts_per_s" in r:
            rows.append((name, fmt(r.get("alerts_per_s"), 0), fmt(r.get("cpu_us_per_alert"), 2),
                         fmt(r.get("rss_mb"), 0), fmt(r.get("lost", "")) if "lost" in r else "",
                         fmt(r.get("others_cpu_s"), 1)))
    print(f"{'case':<24}{'alerts/s':>12}{'CPU µs/alert':>14}{'RSS MB':>9}{'lost':>8}{'others CPU s':>14}")
    for row in rows:
        print(f"{row[0]:<24}{row[1]:>12}{row[2]:>14}{row[3]:>9}{row[4]:>8}{row[5]:>14}")
    for shape in ("1-distinct", "1-repeated", "100-distinct", "100-repeated"):
        a, m = results.get(f"http-{shape}"), results.get(f"am-http-{shape}")
        if a and m and a.get("alerts_per_cpu_s") and m.get("alerts_per_cpu_s"):
            print(f"HTTP {shape:<14} alertd/Alertmanager alerts per CPU-second: "
                  f"{a['alerts_per_cpu_s'] / m['alerts_per_cpu_s']:.1f}x "
                  f"({fmt(a['alerts_per_cpu_s'], 0)} vs {fmt(m['alerts_per_cpu_s'], 0)})")
    for name in ("page-latency", "attach-latency"):
        r = results.get(name)
        if r:
            key = "page_ms" if name == "page-latency" else "ms"
            ms = r.get(key) or {}
            print(f"{name:<24} p50 {fmt(ms.get('p50'), 2)} ms  p99 {fmt(ms.get('p99'), 2)} ms  "
                  f"max {fmt(ms.get('max'), 2)} ms  (n={r.get('count')})")
    r = results.get("microbench")
    if r and "decode_ns_per_alert" in r:
        print(f"microbench: decode {fmt(r['decode_ns_per_alert'], 0)} ns/alert (listener), "
              f"Alertmanager body of 100 {fmt(r.get('alertmanager_decode_ns_per_alert'), 0)} ns/alert, "
              f"repeat {fmt(r['repeat_ns_per_alert'], 0)} ns/alert (pipeline, short of the commit), "
              f"{fmt(r.get('commit_ns_per_alert'), 0)} ns/alert with it (thread CPU)")
        print(f"microbench: new incident {fmt(r.get('open_ns_per_alert'), 0)} ns/alert (pipeline, short of the commit), "
              f"{fmt(r.get('open_commit_ns_per_alert'), 0)} ns/alert with it")
    r = results.get("memory-recovery")
    if r:
        print(f"memory: {fmt(r.get('counted'), 0)} open alerts, {fmt(r.get('bytes_per_alert'), 0)} bytes RSS each "
              f"({fmt(r.get('rss_mb'), 0)} MB); distinct ingest {fmt(r.get('distinct_alerts_per_s'), 0)}/s")
        print(f"recovery: READY=1 in {fmt(r.get('ready_s_clean_restart'), 2)} s with them stored; "
              f"after kill -9 under load {fmt(r.get('ready_s_after_kill9'), 2)} s; "
              f"acked {fmt(r.get('kill9_acked'), 0)}, lost {fmt(r.get('kill9_lost'), 0)}")
        print(f"history: READY=1 in {fmt(r.get('ready_s_history'), 2)} s once they resolved "
              f"({fmt(r.get('open_incidents_history'), 0)} still open)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build", "release"), help="directory with the alertd to measure")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each case; the median is reported")
    parser.add_argument("--quick", action="store_true", help="small counts, for a smoke run")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every case's alert count (e.g. 0.3 for a shorter run)")
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated: " + ", ".join(CASES))
    parser.add_argument("--http-connections", type=int, default=8,
                        help="keep-alive connections of the HTTP cases (alertd commits the requests that wait together)")
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "results"), help="where the JSON goes")
    args = parser.parse_args()
    names = [n for n in args.cases.split(",") if n]
    unknown = [n for n in names if n not in CASES]
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)}")
    if any(n.startswith("am-") for n in names) and not shutil.which("prometheus-alertmanager"):
        print("prometheus-alertmanager is not installed: skipping the Alertmanager cases", file=sys.stderr)
        names = [n for n in names if not n.startswith("am-")]

    root = tempfile.mkdtemp(prefix="alertd-bench-")
    ctx = Context(os.path.abspath(args.bin), args.quick, root, args.scale, args.http_connections)
    results, raw = {}, {}
    try:
        for name in names:
            runs = []
            for attempt in range(1 if name in ONCE else args.repeat):
                print(f"… {name} run {attempt + 1}", file=sys.stderr, flush=True)
                runs.append(CASES[name](ctx))
            raw[name], results[name] = runs, median_of(runs)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    print_table(results)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, f"{stamp}{'-quick' if args.quick else ''}.json")
    with open(path, "w") as f:
        json.dump({"at": stamp, "machine": {"cpus": os.cpu_count(), "kernel": platform.release(),
                                            "load_avg_at_end": os.getloadavg()},
                   "quick": args.quick, "scale": args.scale, "repeat": args.repeat, "http_connections": args.http_connections, "median": results, "runs": raw},
                  f, indent=1)
    print(f"figures written to {os.path.relpath(path, os.getcwd())}")


if __name__ == "__main__":
    main()
