"""Node configuration errors an operator meets first: a wrong path, a broken file."""

import pytest

from node_core.node.config import ConfigError, load_node_config


def test_a_missing_file_names_the_path_and_the_option(tmp_path):
    with pytest.raises(ConfigError, match=r"cannot read node configuration .*nope\.toml: "
                                          r"No such file or directory; check the path given "
                                          r"with --config"):
        load_node_config(tmp_path / "nope.toml")


def test_broken_toml_names_the_line(tmp_path):
    path = tmp_path / "node.toml"
    path.write_text("[node]\nauthority = EGAT\n")
    with pytest.raises(ConfigError, match=r"is not valid TOML: .*line 2.*fix the line"):
        load_node_config(path)


def test_retention_defaults_and_limits(tmp_path):
    from node_core.node.config import Retention

    base = ('[node]\nauthority = "EGAT"\ndata_dir = "egat"\ngenesis = "genesis.json"\n'
            'listen = "127.0.0.1:30301"\nclient = "127.0.0.1:30401"\n[signer]\nbackend = "file"\n')
    path = tmp_path / "node.toml"
    path.write_text(base)
    assert load_node_config(path).retention == Retention(audit_years=7, alarm_history_days=730)
    path.write_text(base + "[retention]\naudit_years = 10\n")
    assert load_node_config(path).retention == Retention(audit_years=10, alarm_history_days=730)
    path.write_text(base + '[retention]\naudit_years = 0\nalarm_history_days = "1y"\nkeep = 1\n')
    with pytest.raises(ConfigError) as error:
        load_node_config(path)
    for problem in ("[retention] audit_years must be within 1..100",
                    "[retention] alarm_history_days must be a int",
                    "[retention] unknown key 'keep'"):
        assert problem in str(error.value)


@pytest.mark.parametrize(("client", "accepted"), [
    ("127.0.0.1:30401", True), ("127.0.0.2:30401", True), ("[::1]:30401", True),
    ("localhost:30401", True), ("0.0.0.0:30401", False), ("10.1.2.3:30401", False),
    ("egat-node.example:30401", False),
])
def test_the_client_endpoint_listens_on_loopback_only(tmp_path, client, accepted):
    path = tmp_path / "node.toml"
    path.write_text(f'[node]\nauthority = "EGAT"\ndata_dir = "egat"\ngenesis = "g.json"\n'
                    f'listen = "0.0.0.0:30301"\nclient = "{client}"\n[signer]\nbackend = "file"\n')
    if accepted:
        assert load_node_config(path).client[1] == 30401
    else:
        with pytest.raises(ConfigError, match="listens on loopback only"):
            load_node_config(path)
