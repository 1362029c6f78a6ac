"""Shared test set-up.

Integration tests run against a real Kafka and a real QuestDB: a test stack of their own
(data under ``var/test-stack``, ports 29xxx/28812) so they can run beside a developer's stack.
The session starts it when it is not up and stops it afterwards unless it was already up
(or ``NASHIPAI_KEEP_TEST_STACK=1``). The environment is set here so subprocesses started by
tests (connectors, dataflows) see the same stack.
"""

from __future__ import annotations

import os

TEST_STACK_ENV = {
    "NASHIPAI_DATA_DIR": "var/test-stack",
    "NASHIPAI_SERVICES__KAFKA_PORT": "29092",
    "NASHIPAI_SERVICES__KAFKA_CONTROLLER_PORT": "29093",
    "NASHIPAI_SERVICES__QUESTDB_HTTP_PORT": "29000",
    "NASHIPAI_SERVICES__QUESTDB_PG_PORT": "28812",
    "NASHIPAI_SERVICES__QUESTDB_ILP_PORT": "29009",
    "NASHIPAI_SERVICES__QUESTDB_MIN_HTTP_PORT": "29003",
}
for _name, _value in TEST_STACK_ENV.items():
    os.environ.setdefault(_name, _value)
