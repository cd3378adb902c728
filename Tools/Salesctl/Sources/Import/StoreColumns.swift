import SalesProto
import ServiceKit
import SwiftProtobuf

/// The columns of a chain's product file.
enum ProductColumn: String, SheetColumn {
    case sku, name, category, price

    var names: [String] {
        switch self {
        case .sku: ["sku", "商品编码", "货号", "条码"]
        case .name: ["name", "商品名称", "品名", "名称"]
        case .category: ["category", "品类", "类别", "分类"]
        case .price: ["price", "价格", "零售价", "售价"]
        }
    }

    static let required: [Self] = [.sku, .name]
}

/// The columns of a chain's member file.
enum MemberColumn: String, SheetColumn {
    case mobile, name, birthYear = "birth_year", consent, consentAt = "consent_at"

    var names: [String] {
        switch self {
        case .mobile: ["mobile", "phone", "手机", "手机号", "会员手机"]
        case .name: ["name", "姓名", "会员姓名"]
        case .birthYear: ["birth_year", "出生年份", "出生年"]
        case .consent: ["consent", "同意联系", "授权", "营销授权"]
        case .consentAt: ["consent_at", "授权时间", "同意时间"]
        }
    }

    static let required: [Self] = [.mobile]
}

/// The columns of a POS export: one line per item, a receipt's lines sharing its store and number.
enum ReceiptColumn: String, SheetColumn {
    case storeCode = "store_code", receiptNumber = "receipt_number", soldAt = "sold_at", sku, quantity, unitPrice = "unit_price"
    case discount, paymentMethod = "payment_method", clerkUserID = "clerk_user_id", memberMobile = "member_mobile"

    var names: [String] {
        switch self {
        case .storeCode: ["store_code", "store", "门店编码", "门店"]
        case .receiptNumber: ["receipt_number", "receipt", "小票号", "单号", "流水号"]
        case .soldAt: ["sold_at", "time", "销售时间", "交易时间"]
        case .sku: ["sku", "商品编码", "货号"]
        case .quantity: ["quantity", "数量"]
        case .unitPrice: ["unit_price", "单价"]
        case .discount: ["discount", "优惠", "折扣金额", "优惠金额"]
        case .paymentMethod: ["payment_method", "支付方式", "付款方式"]
        case .clerkUserID: ["clerk_user_id", "clerk", "导购", "店员", "收银员"]
        case .memberMobile: ["member_mobile", "member", "会员手机", "会员"]
        }
    }

    static let required: [Self] = [.storeCode, .receiptNumber, .soldAt, .sku, .quantity, .unitPrice, .paymentMethod]
}

extension StoreImport {
    func product(_ line: Int, _ cell: (ProductColumn) -> String) throws(RowProblem) -> Sales_Storesales_V1_ProductRow {
        var row = Sales_Storesales_V1_ProductRow.with {
            $0.line = Int32(line)
            $0.sku = cell(.sku)
            $0.name = cell(.name)
            $0.category = cell(.category)
        }
        if !cell(.price).isEmpty { row.price = .init(minorUnits: try yuan(cell(.price), line: line, column: "price"), currency: currency) }
        return row
    }

    func member(_ line: Int, _ cell: (MemberColumn) -> String) throws(RowProblem) -> Sales_Storesales_V1_MemberRow {
        var row = Sales_Storesales_V1_MemberRow.with {
            $0.line = Int32(line)
            $0.mobile = cell(.mobile)
            $0.name = cell(.name)
            $0.consentAt = PaymentImport.day(cell(.consentAt))
        }
        if !cell(.birthYear).isEmpty {
            guard let year = Int32(cell(.birthYear)) else {
                throw RowProblem(line: line, column: "birth_year", value: cell(.birthYear), reason: "is not a year", suggestion: "write it like 1985")
            }
            row.birthYear = year
        }
        let consent = cell(.consent).lowercased()
        if ["是", "同意", "yes", "y", "true", "1"].contains(consent) {
            row.consent = true
        } else if ["否", "不同意", "no", "n", "false", "0"].contains(consent) {
            row.consent = false
        } else if !consent.isEmpty {
            throw RowProblem(line: line, column: "consent", value: cell(.consent), reason: "is neither yes nor no", suggestion: "write 是 or 否")
        }
        return row
    }

    func receiptLine(_ line: Int, _ cell: (ReceiptColumn) -> String) throws(RowProblem) -> Sales_Storesales_V1_ReceiptLine {
        guard let quantity = Int64(cell(.quantity)) else {
            throw RowProblem(line: line, column: "quantity", value: cell(.quantity), reason: "is not a whole number", suggestion: "write it like 2")
        }
        var row = Sales_Storesales_V1_ReceiptLine.with {
            $0.line = Int32(line)
            $0.storeCode = cell(.storeCode)
            $0.receiptNumber = cell(.receiptNumber)
            $0.soldAt = cell(.soldAt)
            $0.sku = cell(.sku)
            $0.quantity = quantity
            $0.paymentMethod = Self.paymentMethods[cell(.paymentMethod)] ?? cell(.paymentMethod).lowercased()
            $0.clerkUserID = cell(.clerkUserID)
            $0.memberMobile = cell(.memberMobile)
        }
        row.unitPrice = .init(minorUnits: try yuan(cell(.unitPrice), line: line, column: "unit_price"), currency: currency)
        if !cell(.discount).isEmpty {
            row.discount = .init(minorUnits: try yuan(cell(.discount), line: line, column: "discount"), currency: currency)
        }
        return row
    }

    /// How POS exports write payment methods in Chinese.
    static let paymentMethods: [String: String] = [
        "微信": "wechat", "微信支付": "wechat", "支付宝": "alipay", "银行卡": "card", "刷卡": "card", "信用卡": "card", "现金": "cash",
        "银联": "unionpay", "云闪付": "unionpay", "券": "voucher", "代金券": "voucher", "其他": "other",
    ]

    private func yuan(_ text: String, line: Int, column: String) throws(RowProblem) -> Int64 {
        guard let fen = PaymentImport.fen(text) else {
            throw RowProblem(line: line, column: column, value: text, reason: "is not an amount in yuan", suggestion: "write it like 1234.56")
        }
        return fen
    }
}
