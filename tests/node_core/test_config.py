"""Node configuration errors an operator meets first: a wrong path, a broken file."""

import pytest

from node_core.config import ConfigError, load_node_config


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
