import Crypto
import Foundation
import SalesModel
import SalesProto
import ServiceKit

/// The default ERP, in a folder per tenant under SALES_ERP_DIR: each signed contract's sales
/// order is written to `orders/<contract id>.json` (what an ERP's import reads), and the ERP's
/// payments are read from JSON Lines files dropped into `payments/` (its export), in name order.
struct FileErp: ErpLink {
    let root: URL

    var kind: String { "file" }

    func placeOrder(_ order: ErpOrder, tenant: TenantID) async throws(ServiceError) -> String {
        let folder = root.appendingPathComponent(tenant.rawValue).appendingPathComponent("orders")
        let file = folder.appendingPathComponent("\(order.contract.id).json")
        if let data = try? Data(contentsOf: file), let kept = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
            let id = kept["order_id"] as? String, !id.isEmpty
        {
            return id
        }
        let id = Self.orderID(contractID: order.contract.id, tenant: tenant)
        let contract = order.contract
        let document: [String: Any] = [
            "order_id": id, "contract_id": contract.id, "opportunity_id": contract.opportunityID, "customer_id": order.customerID,
            "owner_id": order.ownerID, "signing_date": contract.signingDate, "total_fen": contract.total.minorUnits,
            "currency": contract.total.currency,
            "instalments": contract.instalments.map { ["due_date": $0.dueDate, "amount_fen": $0.amount.minorUnits] },
        ]
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted])
            // Written whole, then moved in: the ERP's import never reads half an order.
            let partial = folder.appendingPathComponent(".\(contract.id).json.partial")
            try data.write(to: partial)
            guard rename(partial.path, file.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            throw .unavailable("the file ERP could not write \(file.path) (\(error)); check the folder SALES_ERP_DIR names")
        }
        return id
    }

    func payments(after cursor: String, limit: Int, tenant: TenantID) async throws(ServiceError) -> CursorPage<ErpPayment> {
        let folder = root.appendingPathComponent(tenant.rawValue).appendingPathComponent("payments")
        // No export yet is no payment yet, not a fault.
        guard FileManager.default.fileExists(atPath: folder.path) else { return CursorPage(items: [], cursor: cursor, more: false) }
        return try JSONLinesDrop(folder: folder).read(after: cursor, limit: limit) { ErpPayment(line: $0, place: $1, json: $2) }
    }

    /// "SO" and 12 hex digits of the tenant's and contract's hash: the same contract, the same order.
    static func orderID(contractID: String, tenant: TenantID) -> String {
        "SO" + SHA256.hash(data: Data("\(tenant.rawValue)|\(contractID)".utf8)).hexEncoded.prefix(12).uppercased()
    }
}
