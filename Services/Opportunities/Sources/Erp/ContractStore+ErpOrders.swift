import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The ERP's orders of signed contracts, kept on the contract (its message and the columns a
/// payment's order is looked up by).
extension ContractStore {
    /// Signed contracts the ERP has not taken yet (all, or only one), oldest first, with their
    /// deal's customer and owner.
    func waitingForErp(tenant: TenantID, only contract: UUID?, limit: Int) async throws -> [ErpOrder] {
        let rows = try await database.query(Self.waitingForErpQuery(tenant: tenant, only: contract, limit: limit))
        var orders: [ErpOrder] = []
        for try await (body, customer, owner) in rows.decode((ByteBuffer, String, String).self) {
            orders.append(
                ErpOrder(
                    contract: try Sales_Opportunities_V1_Contract(serializedBytes: Array(body.readableBytesView)), customerID: customer,
                    ownerID: owner))
        }
        return orders
    }

    /// Keeps the ERP's answer for a contract: its order id, or why it has none yet. An order id
    /// another contract of the tenant already has is kept as an error naming that contract.
    func recordErpOrder(
        _ contractID: UUID, orderID: String?, error: String, tenant: TenantID, logger: Logger
    ) async throws -> Sales_Opportunities_V1_Contract? {
        try await database.transaction { connection in
            guard var contract = try await find(contractID, tenant: tenant, lock: true, on: connection) else { return nil }
            var (placed, error) = (orderID, error)
            if let orderID {
                let rows = try await connection.query(
                    "SELECT id FROM contracts WHERE tenant_id = \(tenant.rawValue) AND erp_order_id = \(orderID) AND id <> \(contractID)",
                    logger: logger)
                for try await other in rows.decode(UUID.self) {
                    (placed, error) = (nil, "the ERP answered order \(orderID), which is already contract \(other.apiString)'s; check the ERP")
                }
            }
            contract.erpOrderID = placed ?? ""
            contract.erpError = placed == nil ? error : ""
            let body = ByteBuffer(bytes: try contract.serializedBytes() as [UInt8])
            try await connection.query(
                """
                UPDATE contracts SET erp_order_id = \(placed), erp_error = \(contract.erpError), body = \(body)
                WHERE id = \(contractID)
                """, logger: logger)
            return contract
        }
    }

    /// The contracts of these ERP orders in the tenant, by order id; an order no contract has is absent.
    func contracts(ofErpOrders orderIDs: [String], tenant: TenantID, on connection: PostgresConnection) async throws -> [String: UUID] {
        guard !orderIDs.isEmpty else { return [:] }
        let rows = try await connection.query(Self.erpOrdersQuery(orderIDs, tenant: tenant), logger: database.logger)
        var found: [String: UUID] = [:]
        for try await (order, id) in rows.decode((String, UUID).self) { found[order] = id }
        return found
    }

    /// How many signed contracts of the tenant wait for the ERP.
    func countWaitingForErp(tenant: TenantID) async throws -> Int {
        let rows = try await database.query(
            """
            SELECT count(*)::integer FROM contracts
            WHERE tenant_id = \(tenant.rawValue) AND state = \(Int16(Sales_Opportunities_V1_ContractState.signed.rawValue))
              AND erp_order_id IS NULL
            """)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// The tenants with signed contracts the ERP has not taken.
    func tenantsWaitingForErp() async throws -> [TenantID] {
        let rows = try await database.query(
            """
            SELECT DISTINCT tenant_id FROM contracts
            WHERE state = \(Int16(Sales_Opportunities_V1_ContractState.signed.rawValue)) AND erp_order_id IS NULL
            """)
        var tenants: [TenantID] = []
        for try await tenant in rows.decode(String.self) { if let id = TenantID(tenant) { tenants.append(id) } }
        return tenants
    }

    static func waitingForErpQuery(tenant: TenantID, only contract: UUID?, limit: Int) -> PostgresQuery {
        """
        SELECT c.body, coalesce(o.customer_id::text, ''), o.owner_id
        FROM contracts c JOIN opportunities o ON o.id = c.opportunity_id
        WHERE c.tenant_id = \(tenant.rawValue) AND c.state = \(Int16(Sales_Opportunities_V1_ContractState.signed.rawValue))
          AND c.erp_order_id IS NULL AND (\(contract)::uuid IS NULL OR c.id = \(contract))
        ORDER BY c.created_at LIMIT \(limit)
        """
    }

    static func erpOrdersQuery(_ orderIDs: [String], tenant: TenantID) -> PostgresQuery {
        "SELECT erp_order_id, id FROM contracts WHERE tenant_id = \(tenant.rawValue) AND erp_order_id = ANY(\(orderIDs))"
    }
}
