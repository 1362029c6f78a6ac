"""One router module per concern; see :func:`connectors.simulator.rest.app.create_app`."""
