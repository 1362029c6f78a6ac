"""One module per exchange: pure parsing and subscribe messages, driven by the shared runner.

Each module satisfies :class:`connectors.registry.Venue`; ``common`` holds what they share.
"""
