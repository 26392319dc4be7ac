from kiosk.config import load_config


def test_the_default_kiosk_toml_loads_without_problems() -> None:
    config = load_config("kiosk.toml")
    assert config.reader.backend == "virtual"
    assert config.store.url.startswith("sqlite:///")
