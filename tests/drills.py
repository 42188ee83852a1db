"""What the fault drills stand up and break: their own Postgres and Redis,
a client that speaks to the service as Heroku's router would, and load.

Each drill owns its servers (in temporary folders), so it can stop, freeze
and restart them; the machine's shared Postgres and Redis are never touched.
Redis listens on a free loopback port and is frozen with SIGSTOP. Postgres
runs in a network namespace of its own, reached over a veth pair, and is
frozen by dropping every packet on that link: a frozen host or a network
partition, as a client sees one. (A SIGSTOPped server on a live kernel would
not do: the kernel still acknowledges its TCP data, which no client-side TCP
setting can tell from a slow query.)
"""

import http.client
import ipaddress
import itertools
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from harness import ROUTER_HEADERS, free_port, skip_or_fail

CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def process_tree(pid: int) -> list[int]:
    """`pid` and every process below it."""
    tree = [pid]
    for parent in tree:
        children = Path(f"/proc/{parent}/task/{parent}/children")
        if children.exists():
            tree += [int(child) for child in children.read_text().split()]
    return tree


class Link:
    """The network between this machine and a server: the server runs in a
    network namespace of its own, joined to this one through a bridge in a
    third namespace (the switch), on a private /30. Names are random, so two
    test processes never share one.

    `cut()` makes the switch drop every frame both ways (a queue that holds
    none), `mend()` lets them pass again: a partition, in which both ends
    send as usual and hear nothing. The drop is in the switch, not at either
    end: a packet dropped by a machine's own queue would tell its TCP stack
    so (it then retries in silence, keepalives included), which no partition
    does. The neighbour entries are fixed, so the partition stays silent
    rather than turn into local "no route to host" errors when ARP gives up.
    """

    def __init__(self):
        for command in ("ip", "tc"):
            if not shutil.which(command):
                skip_or_fail(f"no {command} (iproute2): the Postgres drills need it")
        token = secrets.token_hex(4)
        self.namespace, self.switch = f"drill-pg-{token}", f"drill-sw-{token}"
        # Interface names have 15 characters at most.
        self.outside, self.inside = f"dpg{token}h", f"dpg{token}s"
        self.ports = (f"dpg{token}a", f"dpg{token}b")
        subnet = unused_subnet()
        self.outside_address, self.address = (str(host) for host in subnet.hosts())
        self.prefix = subnet.prefixlen
        self.is_cut = False
        self.set_up = False

    def up(self) -> None:
        self.set_up = True  # from here on, close() has something to remove
        port_to_outside, port_to_inside = self.ports
        ip("netns", "add", self.namespace)
        ip("netns", "add", self.switch)
        ip("link", "add", self.outside, "type", "veth", "peer", "name", port_to_outside,
           "netns", self.switch)
        ip("-n", self.namespace, "link", "add", self.inside, "type", "veth", "peer", "name",
           port_to_inside, "netns", self.switch)
        ip("-n", self.switch, "link", "add", "bridge", "type", "bridge")
        for port in self.ports:
            ip("-n", self.switch, "link", "set", port, "master", "bridge", "up")
        ip("-n", self.switch, "link", "set", "bridge", "up")
        ip("addr", "add", f"{self.outside_address}/{self.prefix}", "dev", self.outside)
        ip("link", "set", self.outside, "up")
        ip("-n", self.namespace, "addr", "add", f"{self.address}/{self.prefix}", "dev",
           self.inside)
        ip("-n", self.namespace, "link", "set", self.inside, "up")
        ip("-n", self.namespace, "link", "set", "lo", "up")
        ip("neigh", "replace", self.address, "lladdr", mac_address(self.inside, self.namespace),
           "dev", self.outside, "nud", "permanent")
        ip("-n", self.namespace, "neigh", "replace", self.outside_address, "lladdr",
           mac_address(self.outside), "dev", self.inside, "nud", "permanent")

    def run_inside(self, command: list[str]) -> list[str]:
        """`command`, to be run in the server's namespace."""
        return ["ip", "netns", "exec", self.namespace, *command]

    def cut(self) -> None:
        for port in self.ports:
            tc(self.switch, "qdisc", "add", "dev", port, "root", "pfifo", "limit", "0")
        self.is_cut = True

    def mend(self) -> None:
        for port in self.ports:
            tc(self.switch, "qdisc", "del", "dev", port, "root", check=False)
        self.is_cut = False

    def close(self) -> None:
        """Remove both namespaces and every link, whatever state they were
        left in (deleting one end of a veth pair deletes both)."""
        if not self.set_up:
            return
        for namespace in (self.namespace, self.switch):
            ip("netns", "del", namespace, check=False)
        ip("link", "del", self.outside, check=False)
        self.set_up = False


def mac_address(device: str, namespace: str = "") -> str:
    command = ["ip", *(["-n", namespace] if namespace else []), "-j", "link", "show", device]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(output)[0]["address"]


def ip(*args: str, check: bool = True) -> None:
    run_network_command(["ip", *args], check)


def tc(namespace: str, *args: str, check: bool = True) -> None:
    run_network_command(["tc", "-n", namespace, *args], check)


def run_network_command(command: list[str], check: bool) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: {result.stderr.strip()}")


def unused_subnet() -> ipaddress.IPv4Network:
    """A random /30 of 10.231.0.0/16 that no address on this machine is in."""
    taken = subprocess.run(
        ["ip", "-o", "-4", "addr", "show"], capture_output=True, text=True, check=True
    ).stdout
    addresses = [ipaddress.ip_interface(word).network for word in taken.split() if "/" in word]
    subnets = list(ipaddress.ip_network("10.231.0.0/16").subnets(new_prefix=30))
    while True:
        subnet = secrets.choice(subnets)
        if not any(subnet.overlaps(network) for network in addresses):
            return subnet


class OwnPostgres:
    """A throwaway PostgreSQL cluster, run as the postgres user in a network
    namespace of its own (see Link): `freeze()` cuts the network to it."""

    PORT = 5432  # the namespace is the server's alone

    def __init__(self):
        bindir = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True
        ).stdout.strip()
        if not bindir or not Path(bindir, "initdb").exists():
            skip_or_fail("no PostgreSQL server binaries (pg_config --bindir)")
        if os.geteuid() != 0 or not shutil.which("runuser"):
            skip_or_fail("the drills start Postgres as the postgres user: run them as root")
        self.bin = Path(bindir)
        self.link = Link()
        self.folder = Path(tempfile.mkdtemp(prefix="drill-postgres-"))
        self.data = self.folder / "data"
        # Not loopback: the service would require TLS, which this server has not.
        self.url = f"postgresql://postgres@{self.link.address}:{self.PORT}/postgres?sslmode=disable"
        try:
            shutil.chown(self.folder, "postgres", "postgres")
            self.link.up()
            self.as_postgres(
                "initdb", "--auth=trust", "--username=postgres", "--no-sync", "-D", str(self.data)
            )
            # initdb trusts loopback only; the service connects over the link.
            with open(self.data / "pg_hba.conf", "a") as hba:
                hba.write(f"host all all {self.link.outside_address}/32 trust\n")
            self.start()
        except BaseException:
            self.close()
            raise

    def as_postgres(self, program: str, *args: str) -> None:
        """Run a server program as the postgres user inside the namespace: the
        server pg_ctl starts stays there."""
        command = ["runuser", "-u", "postgres", "--", str(self.bin / program), *args]
        subprocess.run(
            self.link.run_inside(command),
            check=True,
            capture_output=True,
            cwd=self.folder,
            timeout=60,
        )

    def start(self) -> None:
        options = (
            f"-c port={self.PORT} -c listen_addresses={self.link.address} "
            f"-c unix_socket_directories={self.folder} -c fsync=off "
            "-c max_connections=100 -c shared_buffers=32MB"
        )
        self.as_postgres(
            "pg_ctl", "start", "--wait", "-D", str(self.data), "-l", str(self.folder / "log"),
            "-o", options,
        )

    def stop(self) -> None:
        """A fast shutdown: sessions are ended, as in a failover or restart."""
        self.as_postgres("pg_ctl", "stop", "--wait", "-m", "fast", "-D", str(self.data))

    def freeze(self) -> None:
        """A network partition: every packet to and from the server is
        dropped, and the server goes on running, unaware."""
        self.link.cut()

    def thaw(self) -> None:
        self.link.mend()

    def count(self, sql: str) -> int:
        import psycopg

        with psycopg.connect(self.url, connect_timeout=5) as connection:
            return connection.execute(sql).fetchone()[0]

    def close(self) -> None:
        try:
            if self.link.is_cut:
                self.thaw()
            if (self.data / "postmaster.pid").exists():
                self.as_postgres("pg_ctl", "stop", "-m", "immediate", "-D", str(self.data))
        finally:
            self.link.close()
            shutil.rmtree(self.folder, ignore_errors=True)


class OwnRedis:
    """A throwaway redis-server on a free port, with no persistence."""

    def __init__(self):
        if not shutil.which("redis-server"):
            skip_or_fail("no redis-server on PATH")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket_to(self.port) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        pytest.fail("redis-server did not answer within 10 s")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def close(self) -> None:
        if self.process.poll() is None:
            self.thaw()
            self.process.kill()
            self.process.wait(timeout=10)


def socket_to(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=1)


@dataclass
class Answer:
    """One request of a load run."""

    name: str
    started: float
    ended: float
    status: int | None = None  # None: no HTTP answer at all
    error: str = ""  # the exception's class when there was no answer
    retry_after: str | None = None
    body: bytes = b""  # kept for error answers only
    sent: object = None  # the request body, to match writes with rows

    @property
    def seconds(self) -> float:
        return self.ended - self.started


class RouterClient:
    """HTTP as Heroku's router speaks it to a dyno: X-Forwarded-Proto https and
    the client's address. Cookies are carried by hand: they are Secure, and a
    cookie jar would not send them over the router's plain-HTTP hop."""

    def __init__(self, url: str, timeout: float = 35, address: str = "127.0.0.1"):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.timeout = timeout
        self.headers = {**ROUTER_HEADERS, "X-Forwarded-For": address}
        self.cookies: dict[str, str] = {}
        self.connection = None

    def request(self, method, path, body=None, headers=None, keep_alive=True, cookies=True):
        """(status, headers, body); raises OSError or HTTPException without an answer."""
        sent = {**self.headers, **(headers or {})}
        if self.cookies and cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if not keep_alive:
            sent["Connection"] = "close"
        if isinstance(body, dict):
            body = urlencode(body)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            # A browser's form post over HTTPS names its page; Flask-WTF
            # refuses one that does not (a forged cross-site post).
            sent.setdefault("Referer", f"https://{self.host}:{self.port}{path}")
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            self.connection.request(method, path, body=body, headers=sent)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if not keep_alive or response.will_close:
            self.close()
        return response.status, response.headers, data

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def form_token(self, path: str) -> str:
        status, _, page = self.request("GET", path)
        assert status == 200, (path, status)
        return CSRF_TOKEN.search(page.decode()).group(1)

    def log_in(self, email: str, password: str) -> int:
        token = self.form_token("/auth/login")
        data = {"email": email, "password": password, "csrf_token": token}
        return self.request("POST", "/auth/login", data)[0]

    def timed(
        self, name, method, path, body=None, headers=None, keep_alive=True, cookies=True
    ) -> Answer:
        started = time.monotonic()
        try:
            status, answer_headers, data = self.request(
                method, path, body, headers, keep_alive, cookies
            )
        except (OSError, http.client.HTTPException) as error:
            return Answer(name, started, time.monotonic(), error=type(error).__name__)
        return Answer(
            name, started, time.monotonic(), status, retry_after=answer_headers["Retry-After"],
            body=data if status >= 400 else b"",
        )


@dataclass
class Request:
    name: str
    method: str
    path: str
    body: object = None
    headers: dict = field(default_factory=dict)
    anonymous: bool = False  # sent without the visitor's cookies


class Load:
    """`connections` clients, each sending the plan's requests in turn until
    `seconds` have passed or `stop()` is called: bounded in count and time."""

    def __init__(self, url, plan, connections, seconds, cookies=None, keep_alive=True):
        self.url, self.plan = url, plan
        self.connections, self.seconds = connections, seconds
        self.cookies = cookies or {}
        self.keep_alive = keep_alive
        self.answers: list[Answer] = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.client, args=(n,)) for n in range(connections)]

    def client(self, number: int) -> None:
        client = RouterClient(self.url)
        client.cookies = dict(self.cookies)
        deadline = time.monotonic() + self.seconds
        for turn in itertools.count(number):
            if self.stopping.is_set() or time.monotonic() > deadline:
                break
            request = self.plan(turn)
            body = request.body() if callable(request.body) else request.body
            answer = client.timed(
                request.name, request.method, request.path, body, request.headers,
                self.keep_alive, cookies=not request.anonymous,
            )
            answer.sent = body
            self.answers.append(answer)
            if answer.status is None:
                time.sleep(0.05)  # refused or reset: do not spin
        client.close()

    def __enter__(self):
        self.started = time.monotonic()
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info):
        if exc_info[0] is not None:
            self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=self.seconds + 60)
        self.ended = time.monotonic()

    def stop(self):
        self.stopping.set()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0
