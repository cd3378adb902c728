"""Shared fixtures: Python stubs generated from proto/ with grpcio-tools, and the running stack
that scripts/test.sh started with `salesctl up --demo`."""
import importlib
import os
import pathlib
import shutil
import subprocess
import sys

import grpc_tools
import pytest
from grpc_tools import protoc

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def stubs(tmp_path_factory):
    out = tmp_path_factory.mktemp("stubs")
    source = tmp_path_factory.mktemp("proto")
    shutil.copytree(ROOT / "proto" / "sales", source / "sales")
    # health.proto's path would make a Python package named "grpc", shadowing grpcio itself; the
    # proto package (grpc.health.v1), and so the wire names, stay the same under another path.
    (source / "pyhealth").mkdir()
    shutil.copy(ROOT / "proto" / "grpc" / "health" / "v1" / "health.proto", source / "pyhealth" / "health.proto")
    protos = sorted(str(p.relative_to(source)) for p in source.rglob("*.proto"))
    include = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    code = protoc.main(["protoc", f"-I{source}", f"-I{include}", f"--python_out={out}", f"--grpc_python_out={out}", *protos])
    assert code == 0, "protoc failed on the project's protos"
    sys.path.insert(0, str(out))
    names = {
        "health": "pyhealth.health",
        "leads": "sales.leads.v1.leads",
        "gateway": "sales.gateway.v1.gateway",
        "opportunities": "sales.opportunities.v1.opportunities",
        "common": "sales.common.v1.common",
    }
    return {
        key + suffix: importlib.import_module(module + suffix)
        for key, module in names.items()
        for suffix in ("_pb2", "_pb2_grpc")
    }


@pytest.fixture(scope="session")
def port_base():
    value = os.environ.get("SALES_PORT_BASE")
    if not value:
        pytest.fail("SALES_PORT_BASE is not set: run the Python tests through scripts/test.sh, which starts the stack")
    return int(value)


@pytest.fixture(scope="session")
def token():
    def mint(user, *roles, org_path="/", tenant="demo"):
        args = [os.environ["SALESCTL"], "token", "--data-dir", os.environ["SALES_DATA_DIR"], "--tenant", tenant,
                "--user", user, "--org-path", org_path]
        for role in roles:
            args += ["--role", role]
        return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()
    return mint
