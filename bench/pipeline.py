"""Signal-pipeline benchmarks against the real Kafka and QuestDB (the test stack): prints figures, asserts nothing.

1. Throughput: N pre-produced trades on ``md.trades.<ns>`` through ``build_flow(..., stop_at_end=True)``
   in-process (``bytewax.testing.run_main``), end to end, cold (first flow of the process) and warm
   (after a small warm-up flow, numba kernels compiled).
2. Latency at a paced 20k trades/s: the flow as a subprocess (``nashipai pipeline signals``), a producer
   pacing trades with ts_event = ts_recv = now; latency = Kafka timestamp of the bar / signal on
   ``bars.<ns>`` / ``signals.<ns>`` minus the receive time of the trade that closed the bar (the
   instrument's first trade at or after the bar's end). Run twice: without recovery, and with
   recovery snapshots every 5 s as in production. Every instrument's 1 s bar closes in the same
   few ms, so the tail is made of whole seconds: the bench also prints how many seconds had every
   signal within 5 ms, and the Kafka broker's GC pauses while pacing (from its GC log).
3. Peer: the same bars + EMA-cross job in Quix Streams (``bench/peers/quixstreams_bars.py``) over the
   same pre-produced trades; ratio Nashipai / peer.
4. Peak RSS of the dataflow process (2,000 instruments x 50 trades, and a 20-instrument baseline).

Run from the repo root: ``.venv/bin/python bench/pipeline.py [--trades 300000] [--instruments 40]
[--sections throughput,latency,memory]``.
The test stack must be up (see tests/conftest.py).
"""

from __future__ import annotations

import argparse
import bisect
import gc
import importlib.util
import os
import random
import re
import signal as signal_module
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, bench/ comes first on sys.path; put the repo root there instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

import msgspec  # noqa: E402
from bytewax.testing import run_main  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

import tests.conftest  # noqa: E402,F401  (points the environment at the test stack)
from nashipai import kafka  # noqa: E402
from nashipai.config import Settings, load_settings  # noqa: E402
from nashipai.events import Side, Signal, Trade  # noqa: E402
from nashipai.names import Topic, namespaced_topic  # noqa: E402
from nashipai.namespaces import create_namespace, drop_namespace  # noqa: E402
from nashipai.services import LocalStack  # noqa: E402
from pipelines import signals  # noqa: E402
from pipelines.strategies.config import loads_config  # noqa: E402

SECOND = 1_000_000_000
PY = str(ROOT / ".venv" / "bin" / "python")
STRATEGIES = """
[[strategy]]
name = "ema_cross"
class = "ema_cross"
timeframe = "1s"
instruments = ["*"]
params = { fast_period = 3, slow_period = 8 }

[[strategy]]
name = "macd_cross"
class = "macd_cross"
timeframe = "1s"
instruments = ["*"]
params = { fast_period = 3, slow_period = 6, signal_period = 3 }

[[strategy]]
name = "rsi_reversion"
class = "rsi_reversion"
timeframe = "1s"
instruments = ["*"]
params = { period = 5, oversold = 40, overbought = 60 }

[[strategy]]
name = "bollinger_breakout"
class = "bollinger_breakout"
timeframe = "1s"
instruments = ["*"]
params = { period = 5, nbdev = 1.0 }
"""

console = Console(width=150)


def log(message: str) -> None:
    console.print(f"[dim]{time.strftime('%H:%M:%S')} {message}[/dim]")


def symbols(count: int) -> list[str]:
    return [f"S{i:04d}-USDT" for i in range(count)]


_NAMESPACES: list[str] = []  # dropped when the benchmark ends


def new_namespace(settings: Settings) -> str:
    namespace = f"b{uuid.uuid4().hex[:8]}"
    create_namespace(settings, namespace)
    _NAMESPACES.append(namespace)
    return namespace


def make_trades(count: int, instruments: int, per_bar: int = 10, seed: int = 7,
                base: int = 1_764_000_000 * SECOND) -> list[Trade]:
    """Trades over ``instruments`` symbols in arrival order, ~``per_bar`` trades per instrument per 1s bar."""
    rng = random.Random(seed)
    names = symbols(instruments)
    prices = [100.0 + i for i in range(instruments)]
    step = SECOND // (per_bar * instruments)
    trades = []
    ts = base
    for i in range(count):
        k = rng.randrange(instruments)
        ts += step
        prices[k] *= 1 + rng.gauss(0, 0.002)
        trades.append(Trade(exchange="binance", symbol=names[k], price=round(prices[k], 4), size=rng.random() + 0.01,
                            side=Side.BUY if rng.random() < 0.5 else Side.SELL, trade_id=str(i + 1),
                            ts_event=ts, ts_recv=ts + 1_000_000))
    return trades


def produce(settings: Settings, namespace: str, trades: list[Trade]) -> None:
    producer = kafka.EventProducer(settings)
    producer.send_many(namespaced_topic(Topic.TRADES, namespace), trades)
    producer.flush(120)


def options(namespace: str) -> signals.SignalsOptions:
    return signals.SignalsOptions(strategies=tuple(loads_config(STRATEGIES, "bench-strategies.toml")),
                                  timeframes=("1s",), quiet_timeout=None, namespace=namespace)


def count_messages(settings: Settings, topic: str) -> int:
    client = kafka.consumer(settings, f"bench-count-{uuid.uuid4().hex[:6]}")
    from confluent_kafka import TopicPartition

    metadata = client.list_topics(topic, timeout=10)
    total = 0
    for partition in metadata.topics[topic].partitions:
        low, high = client.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
        total += high - low
    client.close()
    return total


# 1. Throughput --------------------------------------------------------------------------------------

def bench_throughput(settings: Settings, trades: list[Trade], figures: dict[str, object]) -> str:
    n = len(trades)
    cold_ns = new_namespace(settings)
    produce(settings, cold_ns, trades)
    log(f"cold run over {n:,} trades (ns {cold_ns})")
    start = time.perf_counter()
    run_main(signals.build_flow(settings, options(cold_ns), stop_at_end=True))
    cold = time.perf_counter() - start
    figures["cold"] = (n / cold, cold)

    warm_up_ns = new_namespace(settings)
    produce(settings, warm_up_ns, make_trades(3_000, 5, seed=3))
    log("warm-up flow (3,000 trades)")
    start = time.perf_counter()
    run_main(signals.build_flow(settings, options(warm_up_ns), stop_at_end=True))
    figures["warmup_flow_s"] = time.perf_counter() - start

    warm_ns = new_namespace(settings)
    produce(settings, warm_ns, trades)
    log(f"warm run over {n:,} trades (ns {warm_ns})")
    start = time.perf_counter()
    run_main(signals.build_flow(settings, options(warm_ns), stop_at_end=True))
    warm = time.perf_counter() - start
    figures["warm"] = (n / warm, warm)
    figures["warm_signals"] = count_messages(settings, namespaced_topic(Topic.SIGNALS, warm_ns))
    figures["warm_bars"] = count_messages(settings, namespaced_topic(Topic.BARS, warm_ns))
    return warm_ns


# 3. Peer ---------------------------------------------------------------------------------------------

def bench_peer(settings: Settings, namespace: str, n: int, figures: dict[str, object]) -> None:
    spec = importlib.util.spec_from_file_location("quixstreams_bars", ROOT / "bench" / "peers" / "quixstreams_bars.py")
    assert spec is not None and spec.loader is not None
    peer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(peer)
    output = f"peer.signals.{namespace}"
    kafka.ensure_topics(settings, [output])
    log("Quix Streams peer over the same trades")
    result = peer.run(settings.bootstrap_servers, namespaced_topic(Topic.TRADES, namespace), output, n)
    figures["peer"] = result


# 2. Latency ------------------------------------------------------------------------------------------

def bench_latency(settings: Settings, config: Path, rate: int, seconds: float, instruments: int,
                  figures: dict[str, object], recovery: bool = False) -> None:
    namespace = new_namespace(settings)
    trades_topic = namespaced_topic(Topic.TRADES, namespace)
    # With recovery: SQLite snapshots of every touched instrument every 5 s, as in production.
    command = [PY, "-m", "nashipai.cli", "pipeline", "signals", "--namespace", namespace,
               *([] if recovery else ["--no-recovery"]), "--snapshot-interval", "5",
               "--timeframes", "1s", "--strategies", str(config)]  # quiet timeout: the default 2 s
    process = subprocess.Popen(command, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    names = symbols(instruments)
    received: dict[str, list[int]] = {name: [] for name in names}
    producer = kafka.EventProducer(settings)
    encoder = msgspec.json.Encoder()
    rng = random.Random(11)
    prices = [100.0 + i for i in range(instruments)]
    trade_id = 0

    def send(k: int) -> None:
        nonlocal trade_id
        trade_id += 1
        now = time.time_ns()
        prices[k] *= 1 + rng.gauss(0, 0.002)
        trade = Trade(exchange="binance", symbol=names[k], price=round(prices[k], 4), size=0.5,
                      side=Side.BUY, trade_id=str(trade_id), ts_event=now, ts_recv=now)
        received[names[k]].append(now)
        producer.send_raw(trades_topic, encoder.encode(trade), f"binance:{names[k]}".encode())

    try:
        # Readiness: two rounds of trades a bar apart, then wait for the first bars to come out.
        log(f"latency: flow subprocess started (ns {namespace}); waiting for it to emit bars")
        bars_topic = namespaced_topic(Topic.BARS, namespace)
        watcher = kafka.consumer(settings, f"bench-ready-{uuid.uuid4().hex[:6]}", [bars_topic])
        deadline = time.monotonic() + 90
        ready = False
        while not ready and time.monotonic() < deadline and process.poll() is None:
            for k in range(instruments):
                send(k)
            producer.flush()
            ready = any(m.error() is None for m in watcher.consume(1000, 1.2))
        watcher.close()
        if not ready:
            reason = process.stderr.read().decode()[-2000:] if process.poll() is not None else "timeout"
            raise RuntimeError(f"flow did not start: {reason}")
        log(f"latency: pacing {rate:,} trades/s for {seconds:.0f}s over {instruments} instruments")
        # The producer stands in for a connector, which freezes its start-up heap: a full
        # collection of this process's heap would stall the pacing and send a burst.
        gc.collect()
        gc.freeze()
        start_ns = time.time_ns()
        start = time.perf_counter()
        sent = 0
        while True:
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                break
            target = int(elapsed * rate)
            while sent < target:
                send(sent % instruments)
                sent += 1
            time.sleep(0.0005)
        producer.flush()
        achieved = sent / (time.perf_counter() - start)
        time.sleep(3.0)
    finally:
        process.send_signal(signal_module.SIGINT)
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()

    def closer(symbol: str, ts_event: int) -> int | None:
        times = received[symbol]
        index = bisect.bisect_left(times, ts_event + SECOND)
        return times[index] if index < len(times) else None

    warm_from = start_ns + 2 * SECOND  # skip the first 2 s of pacing
    results: dict[str, list[float]] = {"bar_kafka": [], "signal_kafka": [], "signal_ts_recv": [], "signal_second": []}
    for topic, event_type in ((bars_topic, None), (namespaced_topic(Topic.SIGNALS, namespace), Signal)):
        client = kafka.consumer(settings, f"bench-lat-{uuid.uuid4().hex[:6]}", [topic])
        decoder = msgspec.json.Decoder()
        idle_until = time.monotonic() + 8
        while time.monotonic() < idle_until:
            messages = client.consume(5000, 0.5)
            if messages:
                idle_until = time.monotonic() + 2
            for message in messages:
                if message.error() is not None:
                    continue
                value = decoder.decode(message.value())
                if value["ts_event"] < warm_from:
                    continue
                closing = closer(value["symbol"], value["ts_event"])
                if closing is None:
                    continue
                kafka_ms = message.timestamp()[1]
                if event_type is None:
                    results["bar_kafka"].append(kafka_ms - closing / 1e6)
                else:
                    results["signal_kafka"].append(kafka_ms - closing / 1e6)
                    results["signal_second"].append(closing // SECOND)
                    results["signal_ts_recv"].append((value["ts_recv"] - closing) / 1e6)
        client.close()
    suffix = "_recovery" if recovery else ""
    figures["latency" + suffix] = results
    figures["latency_rate" + suffix] = achieved
    figures["broker_gc" + suffix] = broker_gc_pauses(settings, start_ns / 1e9, start_ns / 1e9 + seconds)


def broker_gc_pauses(settings: Settings, start_s: float, end_s: float) -> list[float] | None:
    """The broker's GC pauses (ms) between two wall-clock times, from the GC log ``services up``
    writes, or None without that log (a stack started before it was kept)."""
    path = LocalStack(settings).log_file("kafka-gc")
    if not path.exists():
        return None
    pauses = []
    for line in path.read_text(errors="replace").splitlines():
        found = _GC_PAUSE.search(line)
        if found and start_s <= int(found.group(1)) / 1000 <= end_s:
            pauses.append(float(found.group(2)))
    return pauses


_GC_PAUSE = re.compile(r"\[(\d+)ms\].* Pause .* ([\d.]+)ms$")  # "[2.08s][<epoch ms>ms] GC(0) Pause ... 9.9ms"


def by_second(seconds: list[float], latencies: list[float], limit_ms: float) -> tuple[int, int, float]:
    """How many closing seconds had every signal within ``limit_ms``, of how many, and the
    median latency of the worst second: bars close together each second, so one stall of the
    machine delays a whole second's signals."""
    groups: dict[float, list[float]] = {}
    for second, latency in zip(seconds, latencies, strict=True):
        groups.setdefault(second, []).append(latency)
    within = sum(max(values) <= limit_ms for values in groups.values())
    worst = max((percentile(values, 0.5) for values in groups.values()), default=float("nan"))
    return within, len(groups), worst


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# 4. Memory -------------------------------------------------------------------------------------------

def peak_rss_mb(settings: Settings, config: Path, instruments: int, per_instrument: int) -> tuple[float, float]:
    namespace = new_namespace(settings)
    trades = make_trades(instruments * per_instrument, instruments, per_bar=1, seed=13)
    produce(settings, namespace, trades)
    command = [PY, "-m", "nashipai.cli", "pipeline", "signals", "--namespace", namespace, "--no-recovery",
               "--quiet-timeout", "0", "--until-end", "--timeframes", "1s", "--strategies", str(config)]
    start = time.perf_counter()
    process = subprocess.Popen(command, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # VmHWM of the child's own address space (getrusage/wait4 ru_maxrss would carry this parent's peak
    # across fork + exec on Linux). High-water mark, so the last reading before exit is the peak.
    peak_kb = 0
    status_path = Path(f"/proc/{process.pid}/status")
    while process.poll() is None:
        try:
            for line in status_path.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak_kb = max(peak_kb, int(line.split()[1]))
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    if process.returncode != 0:
        raise RuntimeError(f"memory run exited {process.returncode}")
    return peak_kb / 1024, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trades", type=int, default=300_000)
    parser.add_argument("--instruments", type=int, default=40)
    parser.add_argument("--rate", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--latency-instruments", type=int, default=100)
    parser.add_argument("--memory-instruments", type=int, default=2_000)
    parser.add_argument("--sections", default="throughput,latency,memory",
                        help="comma-separated: throughput (with the peer), latency, memory")
    args = parser.parse_args()
    sections = set(args.sections.split(","))

    settings = load_settings()
    log(f"Kafka {settings.bootstrap_servers}; generating {args.trades:,} trades over {args.instruments} instruments")
    config = Path(tempfile.mkdtemp(prefix="bench-pipeline-")) / "strategies.toml"
    config.write_text(STRATEGIES)
    figures: dict[str, object] = {}
    errors: list[str] = []
    wall = time.perf_counter()

    trades = make_trades(args.trades, args.instruments) if "throughput" in sections else []
    warm_ns = None
    try:
        if trades:
            warm_ns = bench_throughput(settings, trades, figures)
    except Exception as error:  # noqa: BLE001 (report, go on)
        errors.append(f"throughput: {error!r}")
    if warm_ns is not None:
        try:
            bench_peer(settings, warm_ns, len(trades), figures)
        except Exception as error:  # noqa: BLE001
            errors.append(f"peer: {error!r}")
    try:
        if "latency" in sections:
            bench_latency(settings, config, args.rate, args.seconds, args.latency_instruments, figures)
            log("latency again, with recovery snapshots every 5 s")
            bench_latency(settings, config, args.rate, args.seconds, args.latency_instruments, figures, recovery=True)
    except Exception as error:  # noqa: BLE001
        errors.append(f"latency: {error!r}")
    try:
        if "memory" in sections:
            log(f"memory: {args.memory_instruments:,} instruments x 50 trades, and a 20-instrument baseline")
            figures["mem_big"] = peak_rss_mb(settings, config, args.memory_instruments, 50)
            figures["mem_base"] = peak_rss_mb(settings, config, 20, 50)
    except Exception as error:  # noqa: BLE001
        errors.append(f"memory: {error!r}")

    table = Table(title=f"Nashipai signal pipeline ({args.trades:,} trades, {args.instruments} instruments, "
                        "1s bars, 4 built-in strategies on 1s)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("notes")
    if "cold" in figures:
        rate, seconds = figures["cold"]  # type: ignore[misc]
        table.add_row("throughput, cold (incl. numba load/compile)", f"{rate:,.0f} trades/s",
                      f"{seconds:.2f} s end to end, run_main in-process")
        table.add_row("warm-up flow", f"{figures['warmup_flow_s']:.2f} s", "3,000 trades, 5 instruments")
        rate, seconds = figures["warm"]  # type: ignore[misc]
        table.add_row("throughput, warm", f"{rate:,.0f} trades/s",
                      f"{seconds:.2f} s; {figures['warm_bars']:,} bars, {figures['warm_signals']:,} signals")
    if "peer" in figures:
        peer = figures["peer"]
        peer_rate = peer["processed"] / peer["total_s"]  # type: ignore[index]
        table.add_row("peer: Quix Streams bars + EMA cross", f"{peer_rate:,.0f} trades/s",
                      f"{peer['total_s']:.2f} s incl. group join; "  # type: ignore[index]
                      f"{peer['processed'] / max(peer['steady_s'], 1e-9):,.0f}"  # type: ignore[index]
                      f"/s first->last message; {peer['bars']:,} bars, {peer['signals']:,} signals")  # type: ignore[index]
        if "warm" in figures:
            warm_rate = figures["warm"][0]  # type: ignore[index]
            table.add_row("ratio Nashipai (warm) / peer", f"{warm_rate / peer_rate:.2f}x", "target >= 3x")
    for suffix, mode in (("", "no recovery"), ("_recovery", "recovery, 5 s snapshots")):
        if "latency" + suffix not in figures:
            continue
        results = figures["latency" + suffix]
        table.add_row(f"paced producer rate ({mode})", f"{figures['latency_rate' + suffix]:,.0f} trades/s",
                      f"{args.seconds:.0f} s, {args.latency_instruments} instruments, first 2 s skipped")
        for key, label in (("signal_kafka", "closing trade -> signal (Kafka ts)"),
                           ("signal_ts_recv", "closing trade -> Signal.ts_recv"),
                           ("bar_kafka", "closing trade -> bar (Kafka ts)")):
            values = results[key]  # type: ignore[index]
            if values:
                table.add_row(f"latency {label}, {mode}",
                              f"p50 {percentile(values, 0.5):.1f} ms / p99 {percentile(values, 0.99):.1f} ms",
                              f"n={len(values):,}, max {max(values):.1f} ms")
            else:
                table.add_row(f"latency {label}, {mode}", "no samples", "")
        within, total, worst = by_second(results["signal_second"], results["signal_kafka"], 5.0)  # type: ignore[index]
        table.add_row(f"seconds whose every signal took <= 5 ms, {mode}", f"{within} of {total}",
                      f"worst second's median {worst:.1f} ms")
        pauses = figures["broker_gc" + suffix]
        table.add_row(f"Kafka broker GC pauses while pacing, {mode}",
                      "no GC log (restart the stack)" if pauses is None else f"{len(pauses)}",  # type: ignore[arg-type]
                      "" if not pauses else f"max {max(pauses):.0f} ms, total {sum(pauses):.0f} ms")  # type: ignore[arg-type]
    if "mem_big" in figures and "mem_base" in figures:
        big, big_s = figures["mem_big"]  # type: ignore[misc]
        base, base_s = figures["mem_base"]  # type: ignore[misc]
        k = args.memory_instruments / 1000
        table.add_row(f"peak RSS, {args.memory_instruments:,} instruments x 50 trades", f"{big:,.0f} MB",
                      f"subprocess, {big_s:.1f} s")
        table.add_row("peak RSS, 20 instruments x 50 trades", f"{base:,.0f} MB", f"baseline, {base_s:.1f} s")
        table.add_row("peak RSS per 1,000 instruments", f"{big / k:,.1f} MB",
                      f"incremental over baseline: {(big - base) / (k - 0.02):,.1f} MB")
    for namespace in _NAMESPACES:
        drop_namespace(settings, namespace)
    table.add_row("benchmark wall time", f"{time.perf_counter() - wall:.0f} s", "")
    console.print(table)
    for error in errors:
        console.print(f"[red]failed[/red] {error}")


if __name__ == "__main__":
    main()
