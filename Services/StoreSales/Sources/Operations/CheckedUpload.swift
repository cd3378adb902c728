import Crypto
import Foundation
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit

/// A store's upload, checked: what each kind needs, and nothing a kind does not use.
struct CheckedUpload: Sendable {
    struct Order: Sendable {
        var number: String
        var amount: Money
        var discount: Money
    }

    static let mostImageBytes = 3 * 1024 * 1024
    static let imageTypes: Set<String> = ["image/jpeg", "image/png", "image/webp", "image/heic"]
    static let mostDaysBack = 7
    static let mostComplaints = 10

    var storeCode: String
    var kind: Sales_Storesales_V1_UploadKind
    var day: LocalDate
    var image: Data?
    var contentType = ""
    /// The image's SHA-256, or the recording's as the recorder sent it.
    var sha256 = ""
    var durationSeconds: Int32 = 0
    var transcript = ""
    var complaints: [String] = []
    var order: Order?
    /// A shelf photo's promotion (with the item it shows), or a group-buy order's.
    var promotionCode = ""
    var promotionItem = ""
    var sku = ""

    /// `today` is the tenant's.
    init(_ input: Sales_Storesales_V1_RecordUploadRequest, today: LocalDate) throws(ServiceError) {
        storeCode = try PromotionPlan.code(input.storeCode, field: "store_code")
        kind = input.kind
        day = input.day.isEmpty ? today : try Require.day(input.day, field: "day")
        guard day <= today, day.daysSinceEpoch >= today.daysSinceEpoch - Self.mostDaysBack else {
            throw .invalidArgument(field: "day", rule: "must be today (\(today)) or up to \(Self.mostDaysBack) days before (got \(day))")
        }
        switch kind {
        case .shelfPhoto:
            try takeImage(input)
            try refuse(input.hasGroupBuy, "group_buy", "is for a group-buy screenshot")
            try refuseConsultation(input)
            promotionCode = input.promotionCode.isEmpty ? "" : try PromotionPlan.code(input.promotionCode, field: "promotion_code")
            promotionItem = try Require.optionalText(input.promotionItem, field: "promotion_item", maxLength: 50)
            guard promotionItem.isEmpty == promotionCode.isEmpty else {
                throw .invalidArgument(field: "promotion_item", rule: "and promotion_code go together: the item shown and its promotion")
            }
            sku = try Require.optionalText(input.sku, field: "sku", maxLength: 64)
        case .consultation:
            try refuse(!input.content.isEmpty, "content", "is for a photo or screenshot: send the recording's sha256 and transcript")
            try refuse(input.hasGroupBuy, "group_buy", "is for a group-buy screenshot")
            try refuseShelf(input)
            let hash = input.recordingSha256.lowercased()
            guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else {
                throw .invalidArgument(field: "recording_sha256", rule: "must be the recording's hex SHA-256 (64 hex digits)")
            }
            sha256 = hash
            guard (1...7_200).contains(input.durationSeconds) else {
                throw .invalidArgument(field: "duration_seconds", rule: "must be 1 to 7200 (got \(input.durationSeconds))")
            }
            durationSeconds = input.durationSeconds
            transcript = try Require.text(input.transcript, field: "transcript", maxLength: TextCheck.fieldLimit)
            guard input.complaints.count <= Self.mostComplaints else {
                throw .invalidArgument(field: "complaints", rule: "at most \(Self.mostComplaints) (got \(input.complaints.count))")
            }
            for (index, complaint) in input.complaints.enumerated() {
                let text = try Require.text(complaint, field: "complaints[\(index)]", maxLength: 200)
                if !complaints.contains(text) { complaints.append(text) }
            }
        case .groupBuy:
            try takeImage(input)
            try refuseConsultation(input)
            try refuseShelf(input)
            guard input.hasGroupBuy else { throw .invalidArgument(field: "group_buy", rule: "is required: the order the screenshot shows") }
            let order = input.groupBuy
            let amount = try order.orderAmount.validated(field: "group_buy.order_amount")
            let discount = try order.discount.validated(field: "group_buy.discount", allowZero: true)
            guard discount.currency == amount.currency else {
                throw .invalidArgument(field: "group_buy.discount.currency", rule: "must be the order's currency (\(amount.currency.code))")
            }
            guard amount.minorUnits < 1_000_000_000_000, discount.minorUnits <= amount.minorUnits else {
                throw .invalidArgument(field: "group_buy.discount", rule: "must be at most the order (\(discount) off \(amount))")
            }
            promotionCode = try PromotionPlan.code(order.promotionCode, field: "group_buy.promotion_code")
            self.order = Order(
                number: try Require.text(order.orderNumber, field: "group_buy.order_number", maxLength: 64),
                amount: amount, discount: discount)
        case .unspecified, .UNRECOGNIZED:
            throw .invalidArgument(field: "kind", rule: "is required: SHELF_PHOTO, CONSULTATION or GROUP_BUY")
        }
    }

    private mutating func takeImage(_ input: Sales_Storesales_V1_RecordUploadRequest) throws(ServiceError) {
        guard !input.content.isEmpty else { throw .invalidArgument(field: "content", rule: "is empty: send the image's bytes") }
        guard input.content.count <= Self.mostImageBytes else {
            throw .invalidArgument(field: "content", rule: "is \(input.content.count) bytes; at most 3 MB")
        }
        guard Self.imageTypes.contains(input.contentType) else {
            throw .invalidArgument(
                field: "content_type", rule: "must be one of \(Self.imageTypes.sorted().joined(separator: ", ")) (got \(quoted: input.contentType))")
        }
        image = input.content
        contentType = input.contentType
        sha256 = SHA256.hash(data: input.content).hexEncoded
    }

    private func refuseConsultation(_ input: Sales_Storesales_V1_RecordUploadRequest) throws(ServiceError) {
        try refuse(!input.recordingSha256.isEmpty, "recording_sha256", "is for a consultation")
        try refuse(!input.transcript.isEmpty, "transcript", "is for a consultation")
        try refuse(!input.complaints.isEmpty, "complaints", "are for a consultation")
    }

    private func refuseShelf(_ input: Sales_Storesales_V1_RecordUploadRequest) throws(ServiceError) {
        try refuse(!input.promotionCode.isEmpty || !input.promotionItem.isEmpty, "promotion_code", "is for a shelf photo's execution item")
        try refuse(!input.sku.isEmpty, "sku", "is for a shelf photo of a new product")
    }

    private func refuse(_ present: Bool, _ field: String, _ why: String) throws(ServiceError) {
        if present { throw .invalidArgument(field: field, rule: "\(why); leave it out") }
    }
}
