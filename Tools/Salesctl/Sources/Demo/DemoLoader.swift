import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Loads the demo tenant through the services' own APIs, so demo data obeys every rule real
/// data does. Safe to run again: what exists is skipped, leads carry idempotency keys.
public struct DemoLoader: Sendable {
    let plan: StackPlan
    let tokens: TokenAuthority

    public init(plan: StackPlan, tokens: TokenAuthority) {
        self.plan = plan
        self.tokens = tokens
    }

    public struct Summary: Sendable, CustomStringConvertible {
        public var teams = 0, users = 0, leads = 0, opportunities = 0, stores = 0, historicalDeals = 0
        public var description: String {
            "demo tenant \"\(DemoOrg.tenant)\": \(teams) teams, \(users) users, \(leads) leads, \(opportunities) converted, \(stores) stores, "
                + "\(historicalDeals) deals of history for forecasting"
        }
    }

    public func load() async throws -> Summary {
        var summary = Summary()
        let tenant = TenantID(DemoOrg.tenant)!
        let admin = try await tokens.sign(Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq"))
        let directory = try await withClient(.gateway) { client in
            try await loadDirectory(Sales_Gateway_V1_DirectoryService.Client(wrapping: client), adminToken: admin, summary: &summary)
        }
        func token(for userID: String) async throws -> String {
            guard let user = directory[userID] else { throw CommandError(description: "demo user \(userID) missing") }
            let roles = Set(user.roles.compactMap(Role.init))
            return try await tokens.sign(Caller(tenant: tenant, userID: user.id, roles: roles, orgPath: user.orgPath))
        }
        var repTokens: [String: String] = [:]
        for person in DemoOrg.people { repTokens[person.id] = try await token(for: person.id) }
        let frozen = repTokens
        var deals: [DemoDeals.Deal] = []
        summary = try await withClient(.leads) { client in
            var summary = summary
            let leads = Sales_Leads_V1_LeadService.Client(wrapping: client)
            for (index, demo) in DemoOrg.leads.enumerated() {
                let metadata: Metadata = ["authorization": "Bearer \(frozen[demo.rep]!)"]
                var withKey = metadata
                withKey.addString("demo-lead-\(index)", forKey: "idempotency-key")
                let created = try await leads.createLead(
                    .with {
                        $0.contactName = demo.contact
                        $0.companyName = demo.company
                        $0.phone = demo.phone
                        $0.channel = demo.channel
                        $0.campaign = demo.campaign
                        $0.city = demo.city
                        $0.inquiry = demo.inquiry
                    }, metadata: withKey)
                summary.leads += 1
                guard let (yuan, days) = demo.convert else { continue }
                // A second `up --demo` finds the lead converted already: leave it as it is.
                let current = try await leads.getLead(.with { $0.id = created.lead.id }, metadata: metadata)
                if current.status == .converted {
                    deals.append(.init(id: current.opportunityID, token: frozen[demo.rep]!))
                    summary.opportunities += 1
                    continue
                }
                var convertMetadata = metadata
                convertMetadata.addString("demo-convert-\(index)", forKey: "idempotency-key")
                let converted = try await leads.convertLead(
                    .with {
                        $0.leadID = created.lead.id
                        $0.opportunityName = "\(demo.company) · \(demo.inquiry.prefix(12))"
                        $0.expectedAmount = .init(minorUnits: yuan * 100, currency: "CNY")
                        $0.expectedClose = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(Double(days) * 86_400))
                    }, metadata: convertMetadata)
                deals.append(.init(id: converted.opportunityID, token: frozen[demo.rep]!))
                summary.opportunities += 1
            }
            try await DemoRouting.load(client: client, adminToken: admin)
            return summary
        }
        let converted = deals
        try await withClient(.opportunities) { client in
            try await DemoDeals.progress(converted, tokens: frozen, client: client)
            try await DemoPlaybook.load(tokens: frozen, client: client)
            try await DemoQuotes.load(converted, adminToken: admin, client: client)
            let toWin = converted.indices.filter { DemoDeals.depths[$0 % DemoDeals.depths.count] >= 4 }.map { converted[$0] }
            for deal in toWin {
                try await DemoContracts.load(
                    deal, tokens: frozen, financeToken: frozen["fang.cai"]!, erpFolder: plan.erpDirectory, client: client)
            }
            try await DemoHealth.load(converted, adminToken: admin, client: client)
        }
        summary = try await withClient(.storeSales) { client in
            var summary = summary
            summary.stores = try await DemoStores.load(tokens: frozen, adminToken: admin, client: client)
            return summary
        }
        let sellers = DemoOrg.people.filter { $0.roles.contains(.rep) }.compactMap { person in
            directory[person.id].map { (id: person.id, team: $0.orgPath) }
        }
        summary.historicalDeals = try await withClient(.forecasting) { client in
            try await DemoForecasts.load(
                people: sellers, tokens: frozen, adminToken: admin, signalDrop: plan.signalDropDirectory, client: client)
        }
        return summary
    }

    private func loadDirectory(
        _ directory: Sales_Gateway_V1_DirectoryService.Client<HTTP2ClientTransport.Posix>, adminToken: String, summary: inout Summary
    ) async throws -> [String: Sales_Gateway_V1_User] {
        let metadata: Metadata = ["authorization": "Bearer \(adminToken)"]
        for team in DemoOrg.teams {
            do {
                _ = try await directory.createTeam(
                    .with {
                        $0.id = team.id
                        $0.name = team.name
                        $0.parentID = team.parent ?? ""
                    }, metadata: metadata)
            } catch let error as RPCError where error.code == .alreadyExists {}
            summary.teams += 1
        }
        for person in DemoOrg.people {
            do {
                _ = try await directory.createUser(
                    .with {
                        $0.id = person.id
                        $0.displayName = person.name
                        $0.teamID = person.team
                        $0.roles = person.roles
                    }, metadata: metadata)
            } catch let error as RPCError where error.code == .alreadyExists {}
            summary.users += 1
        }
        for team in DemoOrg.teams {
            guard let manager = team.manager else { continue }
            _ = try await directory.setTeamManager(
                .with {
                    $0.teamID = team.id; $0.managerID = manager
                }, metadata: metadata)
        }
        let users = try await directory.listUsers(.init(), metadata: metadata).users
        return Dictionary(uniqueKeysWithValues: users.map { ($0.id, $0) })
    }

    private func withClient<Result: Sendable>(
        _ service: ServiceName, _ body: (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Result
    ) async throws -> Result {
        try await withGRPCClient(
            transport: .http2NIOPosix(target: .ipv4(address: plan.host, port: plan.grpcPort(service)), transportSecurity: .plaintext),
            handleClient: body)
    }
}
