

def test_the_offline_run_strategy_file_loads() -> None:
    from nashipai.supervisor import OFFLINE_STRATEGIES
    from pipelines.strategies.config import load_config

    configs = load_config(OFFLINE_STRATEGIES)
    assert {config.timeframe for config in configs} == {"1s", "5s", "1m"}
    assert len({config.name for config in configs}) == len(configs)
