import Foundation
import ServiceKit

/// Who the sheet's owners are: their user ids and teams, from a teams sheet (`--teams`). Columns:
/// the owner's name as the deals sheet writes it; then either an org path, or a region and a
/// manager (the org path becomes /region/manager); an optional user id (else one is made from the
/// name: "Anna Snelling" → anna.snelling).
public struct TeamDirectory: Sendable {
    public struct Person: Sendable, Equatable {
        public let userID: String
        public let orgPath: String
    }

    public let people: [String: Person]

    public init(rows: some Sequence<[String]>) throws {
        var iterator = rows.makeIterator()
        guard let headers = iterator.next()?.map({ $0.trimmedBlanks.lowercased() }) else {
            throw ImportError("the teams sheet is empty")
        }
        func column(_ names: [String]) -> Int? { headers.firstIndex { names.contains($0) } }
        guard let owner = column(["sales_agent", "owner", "name", "姓名", "负责人", "销售"]) else {
            throw ImportError("the teams sheet needs a column naming the owner (sales_agent/owner/姓名); found: \(headers.joined(separator: ", "))")
        }
        let path = column(["org_path", "团队路径"])
        let region = column(["regional_office", "region", "区域", "大区"])
        let manager = column(["manager", "经理", "主管"])
        let user = column(["user_id", "账号", "用户"])
        guard path != nil || region != nil else {
            throw ImportError("the teams sheet needs an org_path column, or a region (regional_office/区域) with an optional manager")
        }
        var people: [String: Person] = [:]
        while let row = iterator.next() {
            func cell(_ index: Int?) -> String { row.cell(at: index).trimmedBlanks }
            let name = cell(owner)
            guard !name.isEmpty else { continue }
            let orgPath =
                path.map { cell($0) }.flatMap { $0.isEmpty ? nil : $0 }
                ?? "/" + [cell(region), cell(manager)].filter { !$0.isEmpty }.map { Self.slug($0, separator: "-") }.joined(separator: "/")
            let userID = cell(user).isEmpty ? Self.slug(name, separator: ".") : cell(user)
            people[Self.key(name)] = Person(userID: userID, orgPath: orgPath)
        }
        self.people = people
    }

    public func person(named name: String) -> Person? { people[Self.key(name)] }

    static func key(_ name: String) -> String { name.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ") }

    /// "Dustin Brinkmann" → "dustin-brinkmann"; letters and digits of any script stay.
    static func slug(_ text: String, separator: Character) -> String {
        let words = text.lowercased().split { !$0.isLetter && !$0.isNumber }
        return words.joined(separator: String(separator))
    }
}

/// List prices by product (`--products`): an open deal without an amount is sized at its
/// product's price, and a product name written differently ("GTXPro") is matched when only
/// spacing, case or punctuation differ.
public struct ProductPrices: Sendable {
    public let prices: [String: (name: String, price: Decimal)]

    public init(rows: some Sequence<[String]>) throws {
        var iterator = rows.makeIterator()
        guard let headers = iterator.next()?.map({ $0.trimmedBlanks.lowercased() }) else {
            throw ImportError("the products sheet is empty")
        }
        guard let product = headers.firstIndex(where: { ["product", "name", "产品", "产品名称"].contains($0) }),
            let price = headers.firstIndex(where: { ["sales_price", "price", "list_price", "价格", "单价"].contains($0) })
        else { throw ImportError("the products sheet needs a product column and a price column (sales_price/price/价格)") }
        var prices: [String: (String, Decimal)] = [:]
        while let row = iterator.next() {
            guard product < row.count, price < row.count else { continue }
            let name = row[product].trimmedBlanks
            guard !name.isEmpty, let value = ImportNumbers.decimal(row[price].trimmedBlanks) else { continue }
            prices[Self.key(name)] = (name, value)
        }
        self.prices = prices
    }

    public func product(_ name: String) -> (name: String, price: Decimal)? { prices[Self.key(name)] }

    public var names: [String] { prices.values.map(\.name).sorted() }

    static func key(_ name: String) -> String { String(name.lowercased().filter { $0.isLetter || $0.isNumber }) }
}
