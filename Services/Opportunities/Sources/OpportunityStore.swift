import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The SQL of the opportunities schema. Every read is scoped by tenant and visibility.
struct OpportunityStore: Sendable {
    let database: Database

    private static let columns = """
        id, seq, name, customer_name, lead_id, owner_id, org_path, stage, amount_minor, currency, expected_close, created_at
        """

    func insert(_ new: NewOpportunity, tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws -> Opportunity {
        let id = UUID.random()
        do {
            let rows = try await connection.query(
                """
                INSERT INTO opportunities (id, tenant_id, name, customer_name, lead_id, owner_id, org_path, stage,
                                           amount_minor, currency, expected_close)
                VALUES (\(id), \(tenant.rawValue), \(new.name), \(new.customerName), \(new.leadID), \(new.ownerID),
                        \(new.orgPath), \(Sales_Opportunities_V1_Stage.qualification.column),
                        \(new.amount.minorUnits), \(new.amount.currency.code), \(new.expectedClose))
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            guard let stored = try await Self.decode(rows).first else { throw ServiceError.unavailable("the opportunity was not stored; retry") }
            return stored
        } catch let error as PSQLError where error.isUniqueViolation {
            throw ServiceError.alreadyExists("lead \(new.leadID?.apiString ?? "") already has an opportunity")
        }
    }

    func find(_ id: UUID, for caller: Caller) async throws -> Opportunity? {
        let rows = try await database.query(
            """
            SELECT \(unescaped: Self.columns) FROM opportunities
            WHERE id = \(id) AND tenant_id = \(caller.tenant.rawValue) AND \(visibleTo: Visibility(caller))
            """)
        return try await Self.decode(rows).first
    }

    func list(for caller: Caller, stage: Sales_Opportunities_V1_Stage, leadID: UUID?, page: Page) async throws -> [Opportunity] {
        let stageFilter = stage.column
        let rows = try await database.query(
            """
            SELECT \(unescaped: Self.columns) FROM opportunities
            WHERE tenant_id = \(caller.tenant.rawValue) AND seq < \(page.before)
              AND (\(stageFilter) = 0 OR stage = \(stageFilter))
              AND (\(leadID)::uuid IS NULL OR lead_id = \(leadID))
              AND \(visibleTo: Visibility(caller))
            ORDER BY seq DESC LIMIT \(page.fetchLimit)
            """)
        return try await Self.decode(rows)
    }

    func overview(for caller: Caller) async throws -> Sales_Opportunities_V1_OpportunitiesOverview {
        let rows = try await database.query(
            """
            SELECT stage, currency, count(*), sum(amount_minor)::bigint FROM opportunities
            WHERE tenant_id = \(caller.tenant.rawValue) AND \(visibleTo: Visibility(caller))
            GROUP BY stage, currency ORDER BY stage, currency
            """)
        var overview = Sales_Opportunities_V1_OpportunitiesOverview()
        var openAmount: Int64 = 0
        for try await (stageRaw, currency, count, amount) in rows.decode((Int16, String, Int64, Int64).self) {
            let stage = Sales_Opportunities_V1_Stage(column: stageRaw)
            overview.total += count
            let isOpen = stage != .won && stage != .lost
            if isOpen {
                overview.open += count
                // The dashboard shows one currency; amounts in others are listed per stage only.
                if currency == Currency.cny.code { openAmount += amount }
            }
            overview.byStage.append(
                .with {
                    $0.stage = stage
                    $0.count = count
                    $0.amount = .init(minorUnits: amount, currency: currency)
                })
        }
        overview.openAmount = .init(minorUnits: openAmount, currency: Currency.cny.code)
        return overview
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [Opportunity] {
        var result: [Opportunity] = []
        for try await (id, seq, name, customer, leadID, owner, orgPath, stage, amount, currency, close, created)
            in rows.decode((UUID, Int64, String, String, UUID?, String, String, Int16, Int64, String, Date, Date).self)
        {
            result.append(
                Opportunity(
                    id: id, seq: seq, name: name, customerName: customer, leadID: leadID, ownerID: owner, orgPath: orgPath,
                    stage: Sales_Opportunities_V1_Stage(column: stage),
                    amount: Money(minorUnits: amount, currency: Currency(currency) ?? .cny), expectedClose: close, createdAt: created))
        }
        return result
    }
}
