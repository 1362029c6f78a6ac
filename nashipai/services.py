"""The local stack: real Apache Kafka (KRaft) and QuestDB as background JVM processes.

No Docker needed: Maven fetches the server jars (``infra/pom.xml``) once; ``up`` formats the
KRaft storage once, starts both with bounded heaps, and waits until they really answer
(Kafka metadata through the AdminClient, QuestDB over HTTP and the PostgreSQL wire).
Logs, PID files and data live under the data folder. ``down`` stops exactly the processes
``up`` started, by PID, after checking the PID still belongs to them.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from base64 import b64encode
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import BinaryIO

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from nashipai.config import Settings
from nashipai.questdb import generate_credentials, load_credentials

INFRA_DIR = Path(__file__).resolve().parent.parent / "infra"
_MARKER = "-Dnashipai.service="


class ServiceError(RuntimeError):
    """A service could not be set up or started; the message says what to do."""


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    pid: int | None
    running: bool
    healthy: bool
    address: str
    detail: str = ""


@dataclass(frozen=True)
class _Service:
    name: str
    ports: dict[str, int]  # setting name -> port
    address: str


class LocalStack:
    """Kafka and QuestDB of one data folder, on the ports of one :class:`Settings`."""

    def __init__(self, settings: Settings, console: Console | None = None) -> None:
        self.settings = settings
        self.console = console or Console(stderr=True)
        self.data_dir = settings.data_dir.resolve()
        self.jars_dir = settings.services.jars_dir.resolve()
        svc = settings.services
        self._services = {
            "kafka": _Service(
                "kafka",
                {"kafka_port": svc.kafka_port, "kafka_controller_port": svc.kafka_controller_port},
                f"127.0.0.1:{svc.kafka_port}",
            ),
            "questdb": _Service(
                "questdb",
                {
                    "questdb_http_port": svc.questdb_http_port,
                    "questdb_pg_port": svc.questdb_pg_port,
                    "questdb_ilp_port": svc.questdb_ilp_port,
                    "questdb_min_http_port": svc.questdb_min_http_port,
                },
                f"http://127.0.0.1:{svc.questdb_http_port} (console, REST, ILP/HTTP), "
                f"postgresql://127.0.0.1:{svc.questdb_pg_port}/qdb",
            ),
        }

    # -- paths ------------------------------------------------------------------------------

    def _pid_file(self, name: str) -> Path:
        return self.data_dir / "run" / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.data_dir / "logs" / f"{name}.log"

    # -- public API -------------------------------------------------------------------------

    def up(self) -> dict[str, str]:
        """Start whatever is not running; returns ``{service: "started" | "already running"}``."""
        check_java()
        self.fetch_jars()
        generate_credentials(self.settings)
        outcome: dict[str, str] = {}
        for name, start in (("kafka", self._start_kafka), ("questdb", self._start_questdb)):
            if self.pid(name) is not None:
                outcome[name] = "already running"
                continue
            self._check_ports(self._services[name])
            start()
            outcome[name] = "started"
        self.wait_healthy()
        return outcome

    def down(self, timeout: float = 30.0) -> dict[str, str]:
        """Stop the processes ``up`` started; returns ``{service: "stopped" | "not running"}``."""
        outcome: dict[str, str] = {}
        for name in self._services:
            pid = self.pid(name)
            if pid is None:
                outcome[name] = "not running"
                continue
            os.kill(pid, signal.SIGTERM)
            if not _wait(lambda pid=pid: not _alive(pid), timeout):  # type: ignore[misc]
                os.kill(pid, signal.SIGKILL)
                _wait(lambda pid=pid: not _alive(pid), 10)  # type: ignore[misc]
            self._pid_file(name).unlink(missing_ok=True)
            outcome[name] = "stopped"
        return outcome

    def status(self) -> list[ServiceStatus]:
        """Whether each service runs (by PID) and answers its health check."""
        result = []
        for name, service in self._services.items():
            pid = self.pid(name)
            healthy, detail = self._health(name) if pid is not None else (False, "stopped")
            result.append(ServiceStatus(name, pid, pid is not None, healthy, service.address, detail))
        return result

    def pid(self, name: str) -> int | None:
        """The PID of our running ``name`` process, or None (a stale PID file is removed)."""
        path = self._pid_file(name)
        if not path.exists():
            return None
        pid = int(path.read_text().strip() or 0)
        if pid and _alive(pid) and self._owns(pid, name):
            return pid
        path.unlink(missing_ok=True)
        return None

    def wait_healthy(self) -> None:
        """Wait until both services answer, or raise :class:`ServiceError` pointing at the logs."""
        deadline = time.monotonic() + self.settings.services.start_timeout_s
        for name in self._services:
            detail = ""
            while time.monotonic() < deadline:
                if self.pid(name) is None:
                    raise ServiceError(f"{name} exited during start-up; see {self.log_file(name)}")
                healthy, detail = self._health(name)
                if healthy:
                    break
                time.sleep(0.5)
            else:
                raise ServiceError(
                    f"{name} did not become healthy in {self.settings.services.start_timeout_s}s "
                    f"({detail}); see {self.log_file(name)}"
                )

    # -- jars -------------------------------------------------------------------------------

    def fetch_jars(self) -> None:
        """Copy the Kafka and QuestDB jars with Maven unless this pom's set is already there."""
        pom = INFRA_DIR / "pom.xml"
        stamp = self.jars_dir / ".pom-sha256"
        digest = hashlib.sha256(pom.read_bytes()).hexdigest()
        if stamp.exists() and stamp.read_text() == digest:
            return
        mvn = shutil.which("mvn")
        if mvn is None:
            raise ServiceError("Maven is needed to fetch the Kafka and QuestDB jars: apt-get install maven")
        staging = self.jars_dir.with_name(self.jars_dir.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        command = [mvn, "-B", "-q", "-f", str(pom), "dependency:copy-dependencies",
                   f"-DoutputDirectory={staging}"]
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=self.console, transient=True) as progress:
            task = progress.add_task("fetching Kafka and QuestDB jars with Maven", total=None)
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            while process.poll() is None:
                jars = len(list(staging.glob("*.jar")))
                progress.update(task, description=f"fetching Kafka and QuestDB jars with Maven: {jars} jars")
                time.sleep(0.3)
        if process.returncode != 0:
            output = process.stdout.read() if process.stdout else ""
            raise ServiceError(f"Maven could not fetch the jars (exit {process.returncode}):\n{output[-3000:]}")
        shutil.rmtree(self.jars_dir, ignore_errors=True)
        staging.rename(self.jars_dir)
        stamp.write_text(digest)

    def _kafka_classpath(self) -> str:
        jars = sorted(str(jar) for jar in self.jars_dir.glob("*.jar") if not jar.name.startswith("questdb-"))
        return os.pathsep.join(jars)

    def _questdb_jar(self) -> Path:
        jars = sorted(self.jars_dir.glob("questdb-*.jar"))
        if not jars:
            raise ServiceError(f"no questdb jar in {self.jars_dir}; remove the folder to fetch again")
        return jars[-1]

    # -- starting ---------------------------------------------------------------------------

    def _start_kafka(self) -> None:
        svc = self.settings.services
        base = self.data_dir / "kafka"
        config = base / "server.properties"
        _render(INFRA_DIR / "kafka" / "server.properties", config, kafka_port=svc.kafka_port,
                controller_port=svc.kafka_controller_port, log_dirs=base / "data",
                partitions=self.settings.kafka.partitions)
        java = ["java", f"-Xmx{svc.kafka_heap}", f"-Xms{svc.kafka_heap}",
                f"-Dlog4j2.configurationFile={INFRA_DIR / 'kafka' / 'log4j2.yaml'}",
                "-cp", self._kafka_classpath()]
        if not (base / "data" / "meta.properties").exists():
            cluster_id = subprocess.run([*java, "kafka.tools.StorageTool", "random-uuid"],
                                        check=True, capture_output=True, text=True).stdout.strip()
            formatted = subprocess.run(
                [*java, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(config)],
                capture_output=True, text=True)
            if formatted.returncode != 0:
                raise ServiceError(f"formatting the KRaft storage failed:\n{formatted.stderr[-2000:]}")
        # Its GC pauses stop the broker: logged (wall-clock ms) so that latency spikes can be matched
        # to them (bench/pipeline.py does).
        gc_log = f'-Xlog:gc:file="{self.log_file("kafka-gc")}":timemillis,uptime:filecount=2,filesize=10m'
        self._spawn("kafka", [java[0], *self._markers("kafka"), *_KAFKA_GC, gc_log, *java[1:], "kafka.Kafka",
                              str(config)])

    def _start_questdb(self) -> None:
        svc = self.settings.services
        root = self.data_dir / "questdb"
        credentials = load_credentials(self.settings)
        _render(INFRA_DIR / "questdb" / "server.conf", root / "conf" / "server.conf",
                http_port=svc.questdb_http_port, min_http_port=svc.questdb_min_http_port,
                pg_port=svc.questdb_pg_port, ilp_port=svc.questdb_ilp_port, user=credentials.user,
                password=credentials.password, readonly_user=credentials.readonly_user,
                readonly_password=credentials.readonly_password)
        (root / "conf" / "server.conf").chmod(0o600)
        command = ["java", *self._markers("questdb"), f"-Xmx{svc.questdb_heap}",
                   "--add-exports", "java.base/jdk.internal.math=io.questdb",
                   "-p", str(self._questdb_jar()), "-m", "io.questdb/io.questdb.ServerMain", "-d", str(root)]
        self._spawn("questdb", command)

    def _markers(self, name: str) -> list[str]:
        return [f"{_MARKER}{name}", f"-Dnashipai.data={self.data_dir}"]

    def _spawn(self, name: str, command: list[str]) -> None:
        log = self.log_file(name)
        log.parent.mkdir(parents=True, exist_ok=True)
        self._pid_file(name).parent.mkdir(parents=True, exist_ok=True)
        with fresh_log(log) as sink:
            process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        self._pid_file(name).write_text(str(process.pid))

    def _owns(self, pid: int, name: str) -> bool:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return False
        return (f"{_MARKER}{name}".encode() in cmdline
                and f"-Dnashipai.data={self.data_dir}".encode() in cmdline)

    def _check_ports(self, service: _Service) -> None:
        for setting, port in service.ports.items():
            if not port_is_free(port):
                variable = f"NASHIPAI_SERVICES__{setting.upper()}"
                raise ServiceError(
                    f"port {port} ({service.name}, {setting}) is already in use by another process; "
                    f"stop that process or choose another port with {variable}"
                )

    # -- health -----------------------------------------------------------------------------

    def _health(self, name: str) -> tuple[bool, str]:
        return _kafka_health(self.settings) if name == "kafka" else _questdb_health(self.settings)


def _kafka_health(settings: Settings) -> tuple[bool, str]:
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient

    client = AdminClient({"bootstrap.servers": settings.bootstrap_servers, "socket.timeout.ms": 2000, "log_level": 0})
    try:
        metadata = client.list_topics(timeout=2)
    except KafkaException as error:
        return False, f"metadata request failed: {error}"
    return True, f"{len(metadata.brokers)} broker(s), {len(metadata.topics)} topic(s)"


def _questdb_health(settings: Settings) -> tuple[bool, str]:
    import psycopg

    credentials = load_credentials(settings)
    url = f"http://{settings.questdb.host}:{settings.questdb_http_port}/exec?query=SELECT%201"
    token = b64encode(f"{credentials.user}:{credentials.password}".encode()).decode()
    request = urllib.request.Request(url, headers={"Authorization": f"Basic {token}"})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            if response.status != 200:
                return False, f"HTTP {response.status}"
    except (urllib.error.URLError, OSError) as error:
        return False, f"HTTP: {error}"
    try:
        with psycopg.connect(host=settings.questdb.host, port=settings.questdb_pg_port, user=credentials.user,
                             password=credentials.password, dbname="qdb", connect_timeout=2) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        return False, f"PostgreSQL wire: {error}"
    return True, "HTTP and PostgreSQL wire answer"


def check_java(minimum: int = 17) -> int:
    """The major version of ``java`` on PATH; raises :class:`ServiceError` if missing or too old."""
    if shutil.which("java") is None:
        raise ServiceError(f"Java {minimum}+ is needed to run Kafka and QuestDB: "
                           f"apt-get install openjdk-{minimum}-jre-headless")
    output = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', output)
    major = int(match.group(1)) if match else 0
    if major == 1 and match and match.group(2):
        major = int(match.group(2))
    if major < minimum:
        raise ServiceError(f"Java {minimum}+ is needed, found {major or 'an unknown version'}: "
                           f"apt-get install openjdk-{minimum}-jre-headless")
    return major


# G1 aiming at 20 ms pauses, as Kafka's own start script asks, and the heap touched at start:
# with the JVM's defaults young collections stopped the broker for 50-250 ms under a 20k msg/s
# load on this 2-core VM (first-touch page faults inside the pause); with these, 4-20 ms.
_KAFKA_GC = ("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
             "-XX:+ExplicitGCInvokesConcurrent", "-Djava.awt.headless=true", "-XX:+AlwaysPreTouch")


def fresh_log(path: Path) -> BinaryIO:
    """Open ``path`` for a process's output, keeping the previous run's as ``<name>.1``.

    One run a file: a log read after a stop is that run's, and the folder stays two runs big.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.replace(path.with_name(path.name + ".1"))
    return path.open("wb")


def port_is_free(port: int) -> bool:
    """Whether a server could listen on ``127.0.0.1:port`` now.

    Bound as the servers bind (``SO_REUSEADDR``): connections a stop left in TIME_WAIT a moment
    ago do not hold the port; a listening process does.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _render(template: Path, target: Path, **values: object) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(Template(template.read_text()).substitute({k: str(v) for k, v in values.items()}))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited child not yet reaped) counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _wait(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()
