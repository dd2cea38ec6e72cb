#!/usr/bin/env python3
"""Load generator for alertd's benchmark (bench/bench.py runs it as its own
process). Prints ONE JSON object on stdout at the end; progress on stderr.

  udp            --target H:P --count N (--fingerprints K | --distinct)
  tcp            --target H:P --count N (--fingerprints K | --distinct) [--connections C] [--status resolved]
  unix           --path P     --count N (--fingerprints K | --distinct) [--connections C]
  http           --url URL --count N --per-request M [--connections C] (--fingerprints K | --distinct)
                 [--format alertmanager|native]
  page-latency   --send-url URL --sink-port P --count N   (SEV1 alert → webhook page received)
  attach-latency --url BASE --udp H:P --count N            (alert of an open incident → on it)

Payloads are rendered before the clock starts where they fit in memory, so
the sender measures alertd, not Python's string formatting.
"""
import argparse
import http.server
import json
import os
import socket
import sys
import threading
import time
import uuid

SUMMARY_PAD = "disk usage above threshold on volume /var/lib/data (load generator)"


def native(run, f, severity="warning", check=None, host=None, status="firing"):
    return json.dumps({
        "check": check or f"bench_check_{f}", "host": host or f"bench-host-{f % 100}", "source": "alertd-loadgen",
        "severity": severity, "summary": f"bench alert {f}: {SUMMARY_PAD}", "status": status,
        "labels": {"team": "bench", "env": "lab", "service": f"svc-{f % 50}", "run": run},
    }, separators=(",", ":"))


def alertmanager(run, f, starts_at):
    return json.dumps({
        "labels": {"alertname": f"bench_check_{f}", "instance": f"bench-host-{f % 100}", "severity": "warning",
                   "team": "bench", "run": run},
        "annotations": {"summary": f"bench alert {f}: {SUMMARY_PAD}"},
        "startsAt": starts_at, "generatorURL": "http://loadgen.local/graph",
    }, separators=(",", ":"))


def fingerprint_of(args, i):
    return i if args.distinct else i % args.fingerprints


def percentiles(samples):
    if not samples:
        return {}
    ordered = sorted(samples)

    def rank(p):
        return ordered[min(len(ordered), max(1, int(-(-p * len(ordered) // 100)))) - 1]
    return {"p50": rank(50), "p90": rank(90), "p99": rank(99), "max": ordered[-1]}


def host_port(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


# ------------------------------------------------------------------ datagrams and streams

def run_udp(args):
    payloads = [native(args.run, fingerprint_of(args, i)).encode() for i in range(args.count)]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8 << 20)
    sock.connect(host_port(args.target))
    send = sock.send
    start = time.monotonic()
    errors = 0
    for payload in payloads:
        try:
            send(payload)
        except OSError:  # ECONNREFUSED from an earlier ICMP, ENOBUFS
            errors += 1
    seconds = time.monotonic() - start
    sent = args.count - errors
    return {"mode": "udp", "sent": sent, "seconds": seconds, "rate": sent / seconds, "send_errors": errors,
            "started_at": start}


def run_stream(args, family, address):
    per = [args.count // args.connections + (1 if c < args.count % args.connections else 0)
           for c in range(args.connections)]
    chunks, offset = [], 0
    for count in per:
        lines = [native(args.run, fingerprint_of(args, offset + i), status=args.status) for i in range(count)]
        chunks.append(("\n".join(lines) + "\n").encode())
        offset += count
    sockets = []
    for _ in range(args.connections):
        s = socket.socket(family, socket.SOCK_STREAM)
        s.connect(address)
        sockets.append(s)
    start = time.monotonic()

    def send(s, data):
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)

    threads = [threading.Thread(target=send, args=(s, d)) for s, d in zip(sockets, chunks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - start
    for s in sockets:  # alertd closes once it has read everything
        s.settimeout(30)
        try:
            while s.recv(4096):
                pass
        except OSError:
            pass
        s.close()
    return {"mode": args.mode, "sent": args.count, "seconds": seconds, "rate": args.count / seconds,
            "started_at": start}


# ------------------------------------------------------------------ HTTP

class Connection:
    """One keep-alive HTTP/1.1 connection on a plain socket."""

    def __init__(self, host, port):
        self.address = (host, port)
        self.sock = None

    def request(self, method, path, body=b"", headers=()):
        if self.sock is None:
            self.sock = socket.create_connection(self.address)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buffer = b""
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.address[0]}\r\nContent-Length: {len(body)}\r\n"
        head += "Content-Type: application/json\r\n" + "".join(f"{h}\r\n" for h in headers) + "\r\n"
        self.sock.sendall(head.encode() + body)
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        fields = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
        length = int(fields.get("content-length", "0"))
        while len(rest) < length:
            rest += self._recv()
        body, self.buffer = rest[:length], rest[length:]
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, fields, body

    def _recv(self):
        data = self.sock.recv(1 << 16)
        if not data:
            raise ConnectionError("connection closed by the server")
        return data

    def _fill(self):
        self.buffer += self._recv()

    def close(self):
        if self.sock:
            self.sock.close()
        self.sock = None


def url_parts(url):
    rest = url.split("://", 1)[1]
    hostport, _, path = rest.partition("/")
    host, port = host_port(hostport)
    return host, port, "/" + path


def run_http(args):
    host, port, path = url_parts(args.url)
    starts_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    requests = []
    for first in range(0, args.count, args.per_request):
        n = min(args.per_request, args.count - first)
        if args.format == "alertmanager":
            items = [alertmanager(args.run, fingerprint_of(args, first + i), starts_at) for i in range(n)]
        else:
            items = [native(args.run, fingerprint_of(args, first + i)) for i in range(n)]
        requests.append(("[" + ",".join(items) + "]").encode())
    lock = threading.Lock()
    status_counts, latencies, retries, errors = {}, [], [0], []
    next_index = [0]
    headers = [args.header] if args.header else []

    def worker():
        connection = Connection(host, port)
        mine = []
        while True:
            with lock:
                index = next_index[0]
                next_index[0] += 1
            if index >= len(requests):
                break
            body = requests[index]
            while True:
                began = time.monotonic()
                try:
                    status, fields, _ = connection.request("POST", path, body, headers)
                except OSError as error:
                    connection.close()
                    with lock:
                        errors.append(str(error))
                        status_counts["error"] = status_counts.get("error", 0) + 1
                    if args.stop_on_error:
                        return
                    break
                mine.append((time.monotonic() - began) * 1000)
                if status in (429, 503):
                    with lock:
                        retries[0] += 1
                    time.sleep(max(0.1, float(fields.get("retry-after", "0") or 0)))
                    continue
                with lock:
                    status_counts[str(status)] = status_counts.get(str(status), 0) + 1
                break
        connection.close()
        with lock:
            latencies.extend(mine)

    start = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(args.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - start
    result = {"mode": "http", "sent": args.count, "requests": len(requests), "seconds": seconds,
              "rate": args.count / seconds, "started_at": start, "status": status_counts, "retries": retries[0],
              "latency_ms": percentiles(latencies)}
    if errors:
        result["errors"] = errors[:5]
    return result


# ------------------------------------------------------------------ latency

class Sink:
    """A webhook receiver on loopback recording when each body arrived."""

    def __init__(self, port):
        self.arrivals = {}
        self.condition = threading.Condition()
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                at = time.monotonic()
                with sink.condition:
                    sink.arrivals.setdefault(body, at)
                    sink.condition.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, marker, deadline):
        needle = marker.encode()
        with self.condition:
            while True:
                for body, at in self.arrivals.items():
                    if needle in body:
                        return at
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self.condition.wait(remaining)


def run_page_latency(args):
    sink = Sink(args.sink_port)
    host, port, path = url_parts(args.send_url)
    connection = Connection(host, port)
    page_ms, ack_ms, errors = [], [], []
    for i in range(args.count):
        check = f"lat_{args.run}_{i}"
        body = native(args.run, i, severity="critical", check=check, host=f"lat-host-{i}").encode()
        sent = time.monotonic()
        status, _, _ = connection.request("POST", path, body)
        answered = time.monotonic()
        if status != 200:
            errors.append(f"alert {i}: HTTP {status}")
            continue
        at = sink.wait_for(f'"{check}"', sent + args.timeout)
        if at is None:
            errors.append(f"alert {i}: no page within {args.timeout}s")
            continue
        page_ms.append((at - sent) * 1000)
        ack_ms.append((answered - sent) * 1000)
        time.sleep(args.interval_ms / 1000)
    result = {"mode": "page-latency", "count": args.count, "received": len(page_ms),
              "page_ms": percentiles(page_ms), "ack_ms": percentiles(ack_ms)}
    if errors:
        result["errors"] = errors[:5]
    return result


def run_attach_latency(args):
    """A new alert of an already-open incident, by UDP: the time until
    `GET /api/v1/incidents/ID` shows it. A fresh incident (opened over HTTP,
    not timed) takes every 20 alerts, so the incident read back stays small
    and the figure is the attach, not the rendering of a huge incident."""
    host, port, _ = url_parts(args.url + "/")
    connection = Connection(host, port)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.connect(host_port(args.udp))
    samples, errors = [], []
    incident, group = None, None
    for i in range(1, args.count + 1):
        if (i - 1) % 20 == 0:
            group = f"attach-host-{args.run}-{i}"
            _, _, body = connection.request(
                "POST", "/api/v1/alerts", native(args.run, 0, check=f"attach_{args.run}_{i}_0", host=group).encode())
            incident = json.loads(body)["alerts"][0]["incident"]
        check = f'"attach_{args.run}_{i}"'
        sent = time.monotonic()
        udp.send(native(args.run, i, check=f"attach_{args.run}_{i}", host=group).encode())
        deadline = sent + 10
        while True:
            _, _, body = connection.request("GET", f"/api/v1/incidents/{incident}")
            if check.encode() in body:
                samples.append((time.monotonic() - sent) * 1000)
                break
            if time.monotonic() > deadline:
                errors.append(f"alert {i} not on incident #{incident} within 10 s")
                break
    result = {"mode": "attach-latency", "count": args.count, "incident": incident, "ms": percentiles(samples)}
    if errors:
        result["errors"] = errors[:5]
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["udp", "tcp", "unix", "http", "page-latency", "attach-latency"])
    parser.add_argument("--target")
    parser.add_argument("--path")
    parser.add_argument("--url")
    parser.add_argument("--send-url")
    parser.add_argument("--udp")
    parser.add_argument("--sink-port", type=int)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--fingerprints", type=int)
    parser.add_argument("--distinct", action="store_true")
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--per-request", type=int, default=1)
    parser.add_argument("--format", choices=["alertmanager", "native"], default="alertmanager")
    parser.add_argument("--header")
    parser.add_argument("--interval-ms", type=float, default=2)
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--stop-on-error", action="store_true", help="http: a worker stops at its first refused connection")
    parser.add_argument("--status", choices=["firing", "resolved"], default="firing",
                        help="tcp/unix: the alerts' status (resolve a run's alerts with its --run)")
    parser.add_argument("--run", default=uuid.uuid4().hex[:8], help="goes into every alert, so runs stay distinct")
    args = parser.parse_args()
    if args.mode in ("udp", "tcp", "unix", "http") and not args.distinct and not args.fingerprints:
        parser.error("give --fingerprints K or --distinct")
    if args.mode == "udp":
        result = run_udp(args)
    elif args.mode == "tcp":
        result = run_stream(args, socket.AF_INET, host_port(args.target))
    elif args.mode == "unix":
        result = run_stream(args, socket.AF_UNIX, args.path)
    elif args.mode == "http":
        result = run_http(args)
    elif args.mode == "page-latency":
        result = run_page_latency(args)
    else:
        result = run_attach_latency(args)
    print(json.dumps(result), flush=True)
    sys.exit(1 if result.get("errors") else 0)


if __name__ == "__main__":
    main()
