import Foundation
import GRPCCore
import GRPCInProcessTransport
import OpportunitiesService
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

/// The opportunities service on its own: its handlers behind the production interceptors, in
/// this process, against its own schema (`ServiceHarness`). The shape every service's tests take.
@Suite struct OpportunityServiceTests {
    /// The people of a tenant of the test's own.
    struct People {
        let rep, teamManager, otherTeam, stranger: Caller

        init() {
            let tenant = TenantID("svc-\(UInt32.random(in: 0...UInt32.max))")!
            rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/east-sh")
            teamManager = Caller(tenant: tenant, userID: "qian.hong", roles: [.manager], orgPath: "/east/east-sh")
            otherTeam = Caller(tenant: tenant, userID: "wang.qiang", roles: [.manager], orgPath: "/east/east-s")
            stranger = Caller(tenant: TenantID("svc-other-\(UInt32.random(in: 0...UInt32.max))")!, userID: "li.na", roles: [.admin], orgPath: "/")
        }
    }

    static let valid = Sales_Opportunities_V1_CreateOpportunityRequest.with {
        $0.name = "腔镜手术系统"; $0.customerName = "瑞金医院"
        $0.amount = .with {
            $0.minorUnits = 128_000_000; $0.currency = "CNY"
        }
        $0.expectedClose = Google_Protobuf_Timestamp(seconds: 1_800_000_000)
    }

    func hosted<Result: Sendable>(
        _ body: @Sendable (Sales_Opportunities_V1_OpportunityService.Client<InProcessTransport.Client>, TokenAuthority) async throws -> Result
    ) async throws -> Result {
        try await ServiceHarness.with(.opportunities, migrations: OpportunitiesServer.migrations, build: { try OpportunitiesServer.components($0) }) {
            client, tokens in try await body(Sales_Opportunities_V1_OpportunityService.Client(wrapping: client), tokens)
        }
    }

    static func metadata(_ caller: Caller, tokens: TokenAuthority, key: String? = nil) async throws -> Metadata {
        var metadata: Metadata = ["authorization": "Bearer \(try await tokens.sign(caller))"]
        if let key { metadata.addString(key, forKey: "idempotency-key") }
        return metadata
    }

    @Test func aDealIsSeenByItsOwnerAndTeamAndNobodyElse() async throws {
        let people = People()
        try await hosted { opportunities, tokens in
            let created = try await opportunities.createOpportunity(Self.valid, metadata: try await Self.metadata(people.rep, tokens: tokens))
            #expect(created.ownerID == "li.na" && created.orgPath == "/east/east-sh" && created.stage == .qualification)
            let byManager = try await opportunities.getOpportunity(
                .with { $0.id = created.id }, metadata: try await Self.metadata(people.teamManager, tokens: tokens))
            #expect(byManager.id == created.id, "the team's own manager")
            for outsider in [people.otherTeam, people.stranger] {
                let error = await #expect(throws: RPCError.self) {
                    try await opportunities.getOpportunity(.with { $0.id = created.id }, metadata: try await Self.metadata(outsider, tokens: tokens))
                }
                #expect(error?.code == .notFound, "\(outsider.userID) at \(outsider.orgPath)")
            }
            let listed = try await opportunities.listOpportunities(.init(), metadata: try await Self.metadata(people.otherTeam, tokens: tokens))
            #expect(listed.opportunities.isEmpty, "/east/east-s is a string prefix of the deal's /east/east-sh, not its team")
        }
    }

    @Test func aRepeatedKeyGivesTheFirstDealAndAnotherRequestIsRefused() async throws {
        let people = People()
        try await hosted { opportunities, tokens in
            let metadata = try await Self.metadata(people.rep, tokens: tokens, key: "deal-1")
            let first = try await opportunities.createOpportunity(Self.valid, metadata: metadata)
            #expect(try await opportunities.createOpportunity(Self.valid, metadata: metadata).id == first.id)
            var other = Self.valid
            other.name = "二期"
            let reused = await #expect(throws: RPCError.self) { try await opportunities.createOpportunity(other, metadata: metadata) }
            #expect(reused?.code == .invalidArgument && reused?.message.hasPrefix("idempotency-key:") == true)
            let elsewhere = try await opportunities.createOpportunity(
                Self.valid, metadata: try await Self.metadata(people.teamManager, tokens: tokens, key: "deal-1"))
            #expect(elsewhere.id != first.id, "another caller's same key is their own request")
        }
    }

    static func broken(_ breakIt: (inout Sales_Opportunities_V1_CreateOpportunityRequest) -> Void) -> Sales_Opportunities_V1_CreateOpportunityRequest
    {
        var request = valid
        breakIt(&request)
        return request
    }

    @Test(arguments: [
        (broken { $0.name = " " }, "name"),
        (broken { $0.name = "腔镜\u{0}" }, "name"),
        (broken { $0.clearAmount() }, "amount"),
        (broken { $0.amount.minorUnits = -1 }, "amount.minor_units"),
        (broken { $0.amount.currency = "元" }, "amount.currency"),
        (broken { $0.clearExpectedClose() }, "expected_close"),
        (broken { $0.leadID = "not-a-uuid" }, "lead_id"),
    ])
    func badInputIsRefusedNamingTheField(request: Sales_Opportunities_V1_CreateOpportunityRequest, field: String) async throws {
        let people = People()
        try await hosted { opportunities, tokens in
            let error = await #expect(throws: RPCError.self) {
                try await opportunities.createOpportunity(request, metadata: try await Self.metadata(people.rep, tokens: tokens))
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.hasPrefix(field + ":") == true, "\(error?.message ?? "")")
            let none = try await opportunities.listOpportunities(.init(), metadata: try await Self.metadata(people.rep, tokens: tokens))
            #expect(none.opportunities.isEmpty, "nothing stored")
        }
    }
}
