"""Each node keeps what it writes (secret key file, SQLite file, search index, mail files)
in the instance folder ``KX_INSTANCE_PATH`` names; a folder it cannot use stops it at start
with a message naming the variable."""

import pytest

from tests.support.nodes import Node


def test_a_node_writes_its_files_in_the_instance_folder_kx_instance_path_names(tmp_path):
    instance = tmp_path / "srv" / "kx-instance"
    node = Node("own-folder", tmp_path / "node", KX_INSTANCE_PATH=str(instance))
    try:
        node.start()
    finally:
        node.stop()
    # no database, secret or index given: the node made its own, all in that folder
    assert (instance / "secret_key").stat().st_size > 0
    assert (instance / "kx.db").is_file()
    assert (instance / "search-index").is_dir()


def refused(node: Node) -> str:
    with pytest.raises(AssertionError, match="exited"):
        node.start(timeout=30)
    assert node.wait_exit() != 0
    return node.log()


def test_a_relative_kx_instance_path_stops_the_node_at_start_naming_the_variable(tmp_path):
    log = refused(Node("relative", tmp_path / "node", KX_INSTANCE_PATH="var/kx"))
    assert "KX_INSTANCE_PATH must be an absolute path" in log
    assert "'var/kx'" in log


def test_an_instance_folder_kx_cannot_write_in_stops_the_node_at_start(tmp_path):
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")
    log = refused(Node("unwritable", tmp_path / "node", KX_INSTANCE_PATH=str(in_the_way / "kx")))
    assert f"The instance folder {in_the_way / 'kx'} (KX_INSTANCE_PATH)" in log
    assert "Set KX_INSTANCE_PATH to an absolute path of a folder" in log
