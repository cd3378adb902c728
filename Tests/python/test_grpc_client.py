"""The platform from a non-Swift gRPC client: Python's grpcio against the stack that
`salesctl up --demo` started (scripts/test.sh)."""
import uuid

import grpc
import pytest

SERVICES = {"gateway": 0, "leads": 1, "opportunities": 2, "incentives": 3, "forecasting": 4, "store-sales": 5}


def channel(port):
    return grpc.insecure_channel(f"127.0.0.1:{port}")


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_health_check_and_watch(stubs, port_base, service):
    health, health_grpc = stubs["health_pb2"], stubs["health_pb2_grpc"]
    with channel(port_base + SERVICES[service]) as ch:
        stub = health_grpc.HealthStub(ch)
        assert stub.Check(health.HealthCheckRequest(), timeout=5).status == health.HealthCheckResponse.SERVING
        first = next(iter(stub.Watch(health.HealthCheckRequest(), timeout=5)))
        assert first.status == health.HealthCheckResponse.SERVING
        with pytest.raises(grpc.RpcError) as unknown:
            stub.Check(health.HealthCheckRequest(service="no.such.Service"), timeout=5)
        assert unknown.value.code() == grpc.StatusCode.NOT_FOUND


def test_create_get_and_list_leads(stubs, port_base, token):
    leads, leads_grpc = stubs["leads_pb2"], stubs["leads_pb2_grpc"]
    auth = [("authorization", "Bearer " + token("li.na", "rep", org_path="/east/east-sh"))]
    with channel(port_base + SERVICES["leads"]) as ch:
        stub = leads_grpc.LeadServiceStub(ch)
        # 温州 is in no demo routing rule: the rep who enters the lead keeps it.
        created = stub.CreateLead(leads.CreateLeadRequest(
            contact_name="韩磊", company_name="宁波第二医院", phone="189 0662 0099",
            channel=leads.CHANNEL_TRADE_SHOW, city="温州", inquiry="样品申请"), metadata=auth, timeout=5).lead
        assert created.phone.masked == "189****0099"
        assert created.phone.e164 == ""
        assert created.owner_id == "li.na"
        fetched = stub.GetLead(leads.GetLeadRequest(id=created.id), metadata=auth, timeout=5)
        assert fetched.contact_name == "韩磊"
        listed = stub.ListLeads(leads.ListLeadsRequest(), metadata=auth, timeout=5)
        assert created.id in [lead.id for lead in listed.leads]


def test_errors_are_precise(stubs, port_base, token):
    leads, leads_grpc = stubs["leads_pb2"], stubs["leads_pb2_grpc"]
    auth = [("authorization", "Bearer " + token("li.na", "rep", org_path="/east/east-sh"))]
    with channel(port_base + SERVICES["leads"]) as ch:
        stub = leads_grpc.LeadServiceStub(ch)
        with pytest.raises(grpc.RpcError) as missing_field:
            stub.CreateLead(leads.CreateLeadRequest(contact_name="x", channel=leads.CHANNEL_API), metadata=auth, timeout=5)
        assert missing_field.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert missing_field.value.details().startswith("phone:")

        with pytest.raises(grpc.RpcError) as no_token:
            stub.ListLeads(leads.ListLeadsRequest(), timeout=5)
        assert no_token.value.code() == grpc.StatusCode.UNAUTHENTICATED

        with pytest.raises(grpc.RpcError) as absent:
            stub.GetLead(leads.GetLeadRequest(id=str(uuid.uuid4())), metadata=auth, timeout=5)
        assert absent.value.code() == grpc.StatusCode.NOT_FOUND


def test_idempotency_key_from_python(stubs, port_base, token):
    leads, leads_grpc = stubs["leads_pb2"], stubs["leads_pb2_grpc"]
    key = ("idempotency-key", "py-" + str(uuid.uuid4()))
    auth = [("authorization", "Bearer " + token("li.na", "rep", org_path="/east/east-sh")), key]
    request = leads.CreateLeadRequest(contact_name="沈佳", phone="13706620008", channel=leads.CHANNEL_STORE_POS)
    with channel(port_base + SERVICES["leads"]) as ch:
        stub = leads_grpc.LeadServiceStub(ch)
        first = stub.CreateLead(request, metadata=auth, timeout=5)
        again = stub.CreateLead(request, metadata=auth, timeout=5)
        assert first.lead.id == again.lead.id


def test_dashboard_overview_of_the_demo_tenant(stubs, port_base, token):
    gateway, gateway_grpc = stubs["gateway_pb2"], stubs["gateway_pb2_grpc"]
    auth = [("authorization", "Bearer " + token("zhao.lei", "manager", org_path="/east"))]
    with channel(port_base + SERVICES["gateway"]) as ch:
        overview = gateway_grpc.DashboardServiceStub(ch).GetOverview(gateway.GetOverviewRequest(), metadata=auth, timeout=10)
    assert list(overview.unavailable) == []
    assert overview.leads.total >= 9  # the demo's 华东 leads
    assert overview.opportunities.total >= 4
    assert overview.incentives.opportunities_recorded >= 4


def test_dev_sign_in_through_the_directory(stubs, port_base):
    gateway, gateway_grpc = stubs["gateway_pb2"], stubs["gateway_pb2_grpc"]
    with channel(port_base + SERVICES["gateway"]) as ch:
        issued = gateway_grpc.DirectoryServiceStub(ch).IssueToken(
            gateway.IssueTokenRequest(tenant_id="demo", user_id="huang.min"), timeout=5)
        users = gateway_grpc.DirectoryServiceStub(ch).ListUsers(
            gateway.ListUsersRequest(team_id="south"), metadata=[("authorization", "Bearer " + issued.token)], timeout=5)
    assert "huang.min" in [user.id for user in users.users]
