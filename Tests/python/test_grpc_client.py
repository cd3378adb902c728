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


def all_leads(stubs, stub, auth):
    """Every lead the caller may see, page by page."""
    leads, common = stubs["leads_pb2"], stubs["common_pb2"]
    seen, token = [], ""
    while True:
        page = stub.ListLeads(leads.ListLeadsRequest(page=common.PageRequest(page_size=200, page_token=token)),
                              metadata=auth, timeout=10)
        seen += list(page.leads)
        token = page.page.next_page_token
        if not token:
            return seen


def overview_of(stubs, port_base, auth):
    gateway, gateway_grpc = stubs["gateway_pb2"], stubs["gateway_pb2_grpc"]
    with channel(port_base + SERVICES["gateway"]) as ch:
        overview = gateway_grpc.DashboardServiceStub(ch).GetOverview(gateway.GetOverviewRequest(), metadata=auth, timeout=10)
    assert list(overview.unavailable) == []
    return overview


def test_dashboard_overview_of_the_demo_tenant(stubs, port_base, token):
    """The demo's dashboards count exactly what each manager may list, and nothing of other regions."""
    leads, leads_grpc = stubs["leads_pb2"], stubs["leads_pb2_grpc"]
    east = [("authorization", "Bearer " + token("zhao.lei", "manager", org_path="/east"))]
    north = [("authorization", "Bearer " + token("wang.qiang", "manager", org_path="/north"))]
    with channel(port_base + SERVICES["leads"]) as ch:
        stub = leads_grpc.LeadServiceStub(ch)
        east_leads, north_leads = all_leads(stubs, stub, east), all_leads(stubs, stub, north)
    assert len(east_leads) >= 9 and north_leads, "the demo has leads in both regions"
    assert all(lead.org_path == "/east" or lead.org_path.startswith("/east/") or lead.owner_id == "zhao.lei" for lead in east_leads)
    assert not {lead.id for lead in east_leads} & {lead.id for lead in north_leads}
    east_overview, north_overview = overview_of(stubs, port_base, east), overview_of(stubs, port_base, north)
    assert east_overview.leads.total == len(east_leads)
    assert north_overview.leads.total == len(north_leads)
    assert east_overview.leads.converted == sum(1 for lead in east_leads if lead.status == leads.LEAD_STATUS_CONVERTED)
    assert east_overview.opportunities.total >= 4 and east_overview.incentives.opportunities_recorded == east_overview.opportunities.total


def test_dashboard_figures_are_exact_per_scope(stubs, port_base, token):
    """A tenant of its own: a rep, each region's manager, finance and another tenant see exactly theirs."""
    leads, leads_grpc = stubs["leads_pb2"], stubs["leads_pb2_grpc"]
    tenant, other = "py-" + uuid.uuid4().hex[:8], "py-other-" + uuid.uuid4().hex[:8]

    def auth(user, role, org_path, of=tenant):
        return [("authorization", "Bearer " + token(user, role, org_path=org_path, tenant=of))]

    with channel(port_base + SERVICES["leads"]) as ch:
        stub = leads_grpc.LeadServiceStub(ch)
        for user, path, count in [("e.rep", "/east/sh", 3), ("n.rep", "/north/bj", 2)]:
            for index in range(count):
                stub.CreateLead(leads.CreateLeadRequest(
                    contact_name=f"范围{index}", phone="135" + str(uuid.uuid4().int)[:8], channel=leads.CHANNEL_API),
                    metadata=auth(user, "rep", path), timeout=5)
    expected = {
        ("e.rep", "rep", "/east/sh", tenant): 3,
        ("n.rep", "rep", "/north/bj", tenant): 2,
        ("e.mgr", "manager", "/east", tenant): 3,
        ("n.mgr", "manager", "/north", tenant): 2,
        ("fin", "finance", "/hq", tenant): 5,
        ("admin", "admin", "/", other): 0,
    }
    for (user, role, path, of), total in expected.items():
        assert overview_of(stubs, port_base, auth(user, role, path, of)).leads.total == total, (user, role, path, of)


def test_dev_sign_in_through_the_directory(stubs, port_base):
    gateway, gateway_grpc = stubs["gateway_pb2"], stubs["gateway_pb2_grpc"]
    with channel(port_base + SERVICES["gateway"]) as ch:
        issued = gateway_grpc.DirectoryServiceStub(ch).IssueToken(
            gateway.IssueTokenRequest(tenant_id="demo", user_id="huang.min"), timeout=5)
        users = gateway_grpc.DirectoryServiceStub(ch).ListUsers(
            gateway.ListUsersRequest(team_id="south"), metadata=[("authorization", "Bearer " + issued.token)], timeout=5)
    assert "huang.min" in [user.id for user in users.users]
