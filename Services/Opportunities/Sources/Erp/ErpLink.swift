import Foundation
import Logging
import SalesModel
import SalesProto
import ServiceKit

/// The ERP link plugin. The ERP takes a signed contract as its sales order and answers the
/// order's id; it reports the payments it records against its orders. The file ERP is the
/// default; a vendor's (用友, 金蝶, SAP) implements the same two calls against its API.
protocol ErpLink: Sendable {
    /// What `GetErpLink` shows: "file", or the vendor's name.
    var kind: String { get }
    /// Places the contract's sales order and answers its id; the same contract again answers the
    /// same id, so a retry after a lost answer places nothing twice.
    func placeOrder(_ order: ErpOrder, tenant: TenantID) async throws(ServiceError) -> String
    /// The payments the ERP recorded after `cursor` (empty: from the start), at most `limit`.
    func payments(after cursor: String, limit: Int, tenant: TenantID) async throws(ServiceError) -> CursorPage<ErpPayment>
}

/// What the ERP is told of a signed contract.
struct ErpOrder: Sendable {
    let contract: Sales_Opportunities_V1_Contract
    let customerID: String
    let ownerID: String
}

/// One payment as the ERP reported it, its fields not yet checked; `problem` when it could not be
/// read at all.
struct ErpPayment: Sendable {
    /// Where it was in the ERP's answer ("payments-1130.jsonl line 4"), for the report.
    var place: String
    var line: Int
    var orderID = ""
    /// The bank's or the ERP's reference: recorded once, however the payment comes in.
    var reference = ""
    var amount: Sales_Common_V1_Money?
    var receivedOn = ""
    var problem: ServiceError?

    init(line: Int, place: String, problem: ServiceError) {
        self.line = line
        self.place = place
        self.problem = problem
    }

    /// A JSON object {"order_id", "reference" (else "id"), "amount_fen" (whole fen), "currency",
    /// "received_on" (YYYY-MM-DD)}; other keys are ignored.
    init(line: Int, place: String, json: Any?) {
        self.line = line
        self.place = place
        guard let object = json as? [String: Any] else {
            problem = .invalidArgument(field: "(payment)", rule: "is not a JSON object on one line")
            return
        }
        func text(_ key: String) -> String? { object[key] as? String }
        orderID = text("order_id") ?? ""
        reference = text("reference") ?? text("id") ?? ""
        receivedOn = text("received_on") ?? ""
        // Whole fen only: JSON numbers with a fraction (or written as text) are refused, not rounded.
        guard let number = object["amount_fen"] as? NSNumber, String(cString: number.objCType) != "c", let whole = number as? Int64 else {
            problem = .invalidArgument(field: "amount_fen", rule: "must be a whole number of fen, e.g. 1250000 for ¥12,500.00")
            return
        }
        amount = .init(minorUnits: whole, currency: text("currency") ?? "CNY")
    }
}

enum ErpLinks {
    static let variable = "SALES_OPPORTUNITIES_ERP"

    /// SALES_OPPORTUNITIES_ERP: "file" (the default: the file ERP in SALES_ERP_DIR) or "none".
    static func fromEnvironment(_ environment: Environment, logger: Logger) throws -> (any ErpLink)? {
        switch environment.optional(variable) ?? "" {
        case "", "file": FileErp(root: try environment.erpFolder(logger: logger))
        case "none": nil
        case let other: throw ConfigurationError(variable: variable, problem: "is \"\(other)\"; expected file or none")
        }
    }
}
