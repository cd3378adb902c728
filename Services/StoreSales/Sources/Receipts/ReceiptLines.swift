import Foundation
import SalesProto
import ServiceKit
import SwiftProtobuf

/// A POS export's lines grouped into receipts: a receipt is its lines with the same store and
/// number, in the order they came; what the receipt says once (time, payment, clerk, member)
/// must read the same on each of its lines.
struct ReceiptLines {
    struct Group {
        /// Indexes of the group's lines in the request.
        var indexes: [Int]
        var input: Sales_Storesales_V1_ReceiptInput
        /// A line that cannot be part of the receipt, and why: the receipt is refused whole.
        var refusal: (index: Int, error: ServiceError)?
    }

    static func group(_ lines: [Sales_Storesales_V1_ReceiptLine], zone: TimeZone) -> [Group] {
        var groups: [Group] = []
        var byKey: [String: Int] = [:]
        for (index, line) in lines.enumerated() {
            var problem: ServiceError?
            do { try TextCheck.validate(line) } catch { problem = error }
            let key = line.storeCode.trimmedBlanks.uppercased() + "\u{1F}" + line.receiptNumber
            let item = Sales_Storesales_V1_ReceiptItem.with {
                $0.sku = line.sku
                $0.quantity = line.quantity
                $0.unitPrice = line.unitPrice
                if line.hasDiscount { $0.discount = line.discount }
            }
            if let at = byKey[key] {
                groups[at].indexes.append(index)
                groups[at].input.items.append(item)
                if groups[at].refusal == nil, let problem = problem ?? difference(line, from: lines[groups[at].indexes[0]]) {
                    groups[at].refusal = (index, problem)
                }
                continue
            }
            byKey[key] = groups.count
            var group = Group(
                indexes: [index],
                input: .with {
                    $0.storeCode = line.storeCode
                    $0.receiptNumber = line.receiptNumber
                    $0.items = [item]
                    $0.paymentMethod = line.paymentMethod
                    $0.clerkUserID = line.clerkUserID
                    $0.memberMobile = line.memberMobile
                })
            do throws(ServiceError) {
                if let problem { throw problem }
                group.input.soldAt = Google_Protobuf_Timestamp(date: try time(line.soldAt, zone: zone))
            } catch {
                group.refusal = (index, error)
            }
            groups.append(group)
        }
        return groups
    }

    /// What a later line of a receipt says differently from its first line.
    private static func difference(_ line: Sales_Storesales_V1_ReceiptLine, from first: Sales_Storesales_V1_ReceiptLine) -> ServiceError? {
        let fields: [(String, String, String)] = [
            ("sold_at", line.soldAt, first.soldAt), ("payment_method", line.paymentMethod, first.paymentMethod),
            ("clerk_user_id", line.clerkUserID, first.clerkUserID), ("member_mobile", line.memberMobile, first.memberMobile),
        ]
        for (field, value, expected) in fields where value != expected {
            return .invalidArgument(
                field: field,
                rule: "reads \(quoted: value) where line \(first.line) of receipt \(quoted: first.receiptNumber) reads \(quoted: expected)")
        }
        return nil
    }

    /// RFC 3339, or "2026-11-30 14:05:09" (seconds optional) in the tenant's zone.
    static func time(_ text: String, zone: TimeZone) throws(ServiceError) -> Date {
        let text = text.trimmedBlanks
        guard !text.isEmpty else { throw .invalidArgument(field: "sold_at", rule: "is required") }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        let parts = text.split(whereSeparator: { " -:/T".contains($0) }).map { Int($0) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        guard (5...6).contains(parts.count), parts.allSatisfy({ $0 != nil }) else {
            throw .invalidArgument(field: "sold_at", rule: "must read like 2026-11-30 14:05:09 or an RFC 3339 time (got \(quoted: text))")
        }
        let numbers = parts.map { $0! }
        let components = DateComponents(
            year: numbers[0], month: numbers[1], day: numbers[2], hour: numbers[3], minute: numbers[4], second: numbers.count == 6 ? numbers[5] : 0)
        guard let date = calendar.date(from: components),
            calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
                == DateComponents(year: numbers[0], month: numbers[1], day: numbers[2], hour: numbers[3], minute: numbers[4]),
            (0...59).contains(components.second!)
        else {
            throw .invalidArgument(field: "sold_at", rule: "is no time on the calendar (got \(quoted: text))")
        }
        return date
    }
}
