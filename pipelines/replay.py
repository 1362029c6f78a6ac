"""Replay = backtest: recorded trades of a period through the live signal dataflow.

The trades come from the Kafka log of ``md.trades`` (the exact input the live run saw, in
the same order), are filtered to ``[start, end)`` by event time, and run through the same
dataflow with ``run_id`` set: bars and signals land in QuestDB with that ``run_id`` and on the
topics ``bars.<run_id>`` / ``signals.<run_id>``. Same input, same signals as live.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bytewax.testing import run_main
from rich.table import Table as RichTable

from nashipai import kafka, questdb
from nashipai.config import Settings
from nashipai.names import SIGNALS, Topic, namespaced_table, namespaced_topic
from pipelines import store
from pipelines.kafka_io import KafkaBatchSource
from pipelines.signals import SignalsOptions, build_flow


def replay_period(settings: Settings, options: SignalsOptions, start: datetime, end: datetime) -> RichTable:
    """Run the replay to completion and summarise the signals it produced."""
    start_ns, end_ns = int(start.timestamp() * 1e9), int(end.timestamp() * 1e9)
    options = replace(options, quiet_timeout=None)
    kafka.ensure_topics(settings, [options.topic(topic) for topic in (Topic.BARS, Topic.SIGNALS,
                                                                    Topic.DATA_QUALITY, Topic.DEAD_LETTER)])
    questdb.migrate(settings, namespace=options.namespace)
    source = KafkaBatchSource(settings, [namespaced_topic(Topic.TRADES, options.namespace)], stop_at_end=True)
    flow = build_flow(settings, options, source=source, trade_filter=(start_ns, end_ns))
    run_main(flow)
    outputs = [options.topic(topic) for topic in (Topic.BARS, Topic.SIGNALS, Topic.DATA_QUALITY)]
    run_main(store.build_flow(settings, options.namespace, stop_at_end=True, topics=outputs))
    table = namespaced_table(SIGNALS.name, options.namespace)
    questdb.wait_for_wal(settings, table)
    rows = questdb.query(
        settings,
        f"SELECT strategy, symbol, side, count() FROM {table} WHERE run_id = %s ORDER BY strategy, symbol, side",
        (options.run_id,),
    )
    summary = RichTable(title=f"replay {options.run_id}: signals {start:%Y-%m-%d %H:%M:%S} to {end:%Y-%m-%d %H:%M:%S}")
    for column in ("strategy", "symbol", "side", "signals"):
        summary.add_column(column)
    for strategy, symbol, side, count in rows:
        summary.add_row(strategy, symbol, side, str(count))
    summary.caption = f"SELECT * FROM {table} WHERE run_id = '{options.run_id}'"
    return summary

