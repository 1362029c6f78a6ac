"""Nashipai's shared kernel: event schemas, settings, topic and table names, Kafka and
QuestDB helpers, local services and the ``nashipai`` command."""

__version__ = "0.1.0"
