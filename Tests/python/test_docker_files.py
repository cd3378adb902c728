"""Static checks of docker/ (no Docker engine runs here): every service the code has is in
compose.yaml with the port, variables, health check and dependencies the code expects."""
import pathlib
import re

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
DOCKERFILE = (ROOT / "docker" / "Dockerfile").read_text()

# What the Swift code says (Shared/Model/ServiceName.swift and each service's *Server.swift).
SERVICES = {"gateway": 0, "leads": 1, "opportunities": 2, "incentives": 3, "forecasting": 4, "store-sales": 5}
SCHEMA = {name: name.replace("-", "_") for name in SERVICES}
FOLDERS = {"gateway": "Gateway", "leads": "Leads", "opportunities": "Opportunities", "incentives": "Incentives",
           "forecasting": "Forecasting", "store-sales": "StoreSales"}
CASE = {"gateway": "gateway", "leads": "leads", "opportunities": "opportunities", "incentives": "incentives",
        "forecasting": "forecasting", "storeSales": "store-sales"}


def peers_in_code(service, declaration="peers"):
    source = next((ROOT / "Services" / FOLDERS[service] / "Sources").glob("*Server.swift")).read_text()
    match = re.search(r"static let " + declaration + r": \[ServiceName\] = \[([^\]]*)\]", source)
    if declaration != "peers" and not match:
        return []
    assert match, f"{service}: no peers declaration"
    return [CASE[name.strip().lstrip(".")] for name in match.group(1).split(",") if name.strip()]


def test_code_and_compose_name_the_same_services():
    assert set(SERVICES) <= set(COMPOSE["services"])
    names = re.findall(r"case (\w+)(?: = \"([\w-]+)\")?", (ROOT / "Shared" / "Model" / "ServiceName.swift").read_text())
    assert {raw or CASE.get(case, case) for case, raw in names} == set(SERVICES)


def test_each_service_builds_its_own_executable_and_is_configured():
    for name, offset in SERVICES.items():
        service = COMPOSE["services"][name]
        assert service["build"]["args"]["PRODUCT"] == name
        assert service["build"]["dockerfile"] == "docker/Dockerfile"
        env = service["environment"]
        grpc_port, metrics_port = 50050 + offset, 50060 + offset
        assert env["SALES_GRPC_PORT"] == str(grpc_port)
        assert env["SALES_METRICS_PORT"] == str(metrics_port)
        assert env["SALES_DATABASE_URL"].startswith(f"postgres://{SCHEMA[name]}:"), "each service logs in as its own role"
        assert env["SALES_DATABASE_URL"].endswith("@postgres:5432/sales")
        assert "SALES_JWT_SECRET" in env
        assert f"{grpc_port}:{grpc_port}" in service["ports"]
        assert service["healthcheck"]["test"] == ["CMD", "/usr/local/bin/salesctl", "probe", "--port", str(grpc_port)]
        for peer in peers_in_code(name):
            key = "SALES_" + SCHEMA[peer].upper() + "_ADDR"
            assert env[key] == f"{peer}:{50050 + SERVICES[peer]}", f"{name} calls {peer}"
            assert service["depends_on"][peer]["condition"] == "service_healthy", f"{name} waits for {peer}"
        for peer in peers_in_code(name, "optionalPeers"):
            # Called when reachable, not waited for (the gateway and leads call each other).
            assert env["SALES_" + SCHEMA[peer].upper() + "_ADDR"] == f"{peer}:{50050 + SERVICES[peer]}", f"{name} calls {peer}"
            assert peer not in service["depends_on"], f"{name} must not wait for {peer}: a cycle cannot start"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["depends_on"]["db-init"]["condition"] == "service_completed_successfully"
    assert COMPOSE["services"]["gateway"]["environment"]["SALES_HTTP_PORT"] == "50070"


@pytest.mark.parametrize(
    "name, variable, volume",
    [
        ("opportunities", "SALES_ATTACHMENTS_DIR", "attachments"),
        ("opportunities", "SALES_ERP_DIR", "erp"),
        ("forecasting", "SALES_SIGNAL_DROP_DIR", "signals"),
    ],
)
def test_kept_files_live_on_a_volume_the_service_user_owns(name, variable, volume):
    service = COMPOSE["services"][name]
    folder = service["environment"][variable]
    assert f"{volume}:{folder}" in service["volumes"]
    assert volume in COMPOSE["volumes"]
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    owned = re.search(r"chown sales ([^\n&]+)", dockerfile)
    assert owned and folder in owned.group(1).split(), "a new named volume takes the image folder's owner"


def test_postgres_and_init():
    postgres = COMPOSE["services"]["postgres"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    init = COMPOSE["services"]["db-init"]
    assert init["build"]["args"]["PRODUCT"] == "salesctl"
    assert init["entrypoint"][1:3] == ["db", "init"]
    for name in SERVICES:
        assert f"SALES_{SCHEMA[name].upper()}_DB_PASSWORD" in init["environment"]
        password_var = f"SALES_{SCHEMA[name].upper()}_DB_PASSWORD"
        assert password_var in COMPOSE["services"][name]["environment"]["SALES_DATABASE_URL"], "init and service share the password"


def test_dockerfile_is_multi_stage_and_builds_the_requested_product():
    stages = re.findall(r"^FROM\s+\S+\s+AS\s+(\w+)", DOCKERFILE, re.M)
    assert stages == ["build", "runtime"]
    assert "ARG PRODUCT" in DOCKERFILE
    assert '--product "${PRODUCT}"' in DOCKERFILE
    assert "--product salesctl" in DOCKERFILE, "every image carries the health probe"
    assert re.search(r"^USER\s+sales", DOCKERFILE, re.M), "the runtime does not run as root"
    for folder in ["Package.swift", "proto", "Shared", "Services", "Tools"]:
        assert re.search(rf"^COPY {folder}\b", DOCKERFILE, re.M), f"{folder} is copied into the build stage"
