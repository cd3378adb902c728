import Foundation
import SalesProto
import SwiftProtobuf

/// One row of an opportunities sheet turned into an ImportOpportunity request, with what had to
/// be adjusted on the way and which column each history step came from (for error reports).
struct ImportRow: Sendable {
    let line: Int
    let row: [String]
    let columns: OpportunityColumns
    let timeZone: TimeZone
    private(set) var adjusted: [RowProblem] = []
    /// history[i] → the column its date came from.
    private var historyColumns: [OpportunityColumns.Target] = []

    init(line: Int, row: [String], columns: OpportunityColumns, timeZone: TimeZone) {
        self.line = line
        self.timeZone = timeZone
        self.row = row
        self.columns = columns
    }

    func cell(_ target: OpportunityColumns.Target) -> String { columns.value(target, in: row) }

    func refuse(_ target: OpportunityColumns.Target, _ reason: String, suggestion: String = "") -> RowProblem {
        RowProblem(line: line, column: columns.header(target), value: cell(target), reason: reason, suggestion: suggestion)
    }

    mutating func adjust(_ target: OpportunityColumns.Target, _ reason: String) {
        adjusted.append(RowProblem(line: line, column: columns.header(target), value: cell(target), reason: reason))
    }

    mutating func request(
        using options: OpportunityImport, stages: StageResolver, pipeline: String, source: String
    ) throws -> Sales_Opportunities_V1_ImportOpportunityRequest {
        var request = Sales_Opportunities_V1_ImportOpportunityRequest()
        request.externalID = cell(.externalID)
        guard !request.externalID.isEmpty else { throw refuse(.externalID, "no id: a row needs its deal's id to be imported once") }
        request.source = source
        request.overrideReason = options.overrideReason
        var deal = Sales_Opportunities_V1_CreateOpportunityRequest()
        deal.pipeline = pipeline

        deal.customerName = cell(.customer)
        if deal.customerName.isEmpty {
            guard !options.unknownCustomer.isEmpty else {
                throw refuse(.customer, "no customer: a deal needs its customer", suggestion: "fill it in, or run with --unknown-customer NAME")
            }
            deal.customerName = options.unknownCustomer
            adjust(.customer, "no customer: taken as \(options.unknownCustomer)")
        }

        let ownerName = cell(.owner)
        guard !ownerName.isEmpty else { throw refuse(.owner, "no owner") }
        if let teams = options.teams {
            guard let person = teams.person(named: ownerName) else {
                throw refuse(.owner, "not in the teams sheet", suggestion: "add \(ownerName) to the teams sheet with their region and manager")
            }
            deal.ownerID = person.userID
            deal.ownerOrgPath = person.orgPath
        } else {
            deal.ownerID = ownerName
            deal.ownerOrgPath = cell(.orgPath)
        }

        var productName = cell(.product)
        var listPrice: Decimal?
        if !productName.isEmpty, let products = options.products {
            guard let product = products.product(productName) else {
                throw refuse(.product, "not in the products sheet", suggestion: "one of: \(products.names.joined(separator: ", "))")
            }
            if product.name != productName { adjust(.product, "taken as \(product.name)") }
            productName = product.name
            listPrice = product.price
        }
        deal.name = cell(.name).isEmpty ? [productName, deal.customerName].filter { !$0.isEmpty }.joined(separator: " · ") : cell(.name)

        let currency = cell(.currency).isEmpty ? options.currency : cell(.currency).uppercased()
        let amountText = cell(.amount).replacingOccurrences(of: ",", with: "")
        var amount = ImportNumbers.decimal(amountText)
        if !amountText.isEmpty, amount == nil { throw refuse(.amount, "not a number") }
        if amount ?? 0 <= 0 {
            guard let listPrice else {
                throw refuse(.amount, "no amount, and no list price for the product", suggestion: "fill in the amount, or pass --products FILE")
            }
            adjust(.amount, "no amount: the list price of \(productName), \(listPrice)")
            amount = listPrice
        }
        deal.amount = .with {
            $0.minorUnits = NSDecimalNumber(decimal: (amount ?? 0) * 100).rounding(accordingToBehavior: nil).int64Value
            $0.currency = currency
        }

        switch cell(.dealType).lowercased() {
        case "", "new", "新签", "新客户": deal.dealType = .new
        case "renewal", "续约": deal.dealType = .renewal
        case "channel", "渠道": deal.dealType = .channel
        case "upsell", "增购": deal.dealType = .upsell
        default: throw refuse(.dealType, "not a deal type", suggestion: "new, renewal, channel or upsell")
        }

        // The history: begun → engaged → the sheet's stage (closing on the close date).
        let stageName = cell(.stage)
        guard let final = stages.stage(stageName) else {
            throw refuse(
                .stage, "not a stage of \(stages.pipeline.name)",
                suggestion: "map it with --stage-map '\(stageName)=STAGE'; stages: \(stages.pipeline.stages.map(\.key).joined(separator: ", "))")
        }
        let engagedAt = try date(.engaged)
        let closedAt = try date(.closed)
        var createdAt = try date(.created) ?? engagedAt ?? closedAt
        if createdAt == nil {
            adjust(.created, "no date at all: dated at the import")
            createdAt = Date()
        }
        let first = stages.pipeline.stages.first?.key ?? ""
        var history: [Sales_Opportunities_V1_ImportedStageChange] = []
        var current = first
        func step(_ stage: String, at date: Date, from column: OpportunityColumns.Target) {
            guard stage != current else { return }
            history.append(
                .with {
                    $0.toStage = stage
                    $0.changedAt = Google_Protobuf_Timestamp(date: date)
                })
            historyColumns.append(column)
            current = stage
        }
        let closing = final.outcome == .won || final.outcome == .lost
        if let engagedAt, let engaged = stages.engaged, engaged.key != final.key || !closing { step(engaged.key, at: engagedAt, from: .engaged) }
        if closing {
            guard let closedAt else { throw refuse(.closed, "a \(stageName) deal needs its close date") }
            step(final.key, at: closedAt, from: .closed)
            deal.expectedClose = Google_Protobuf_Timestamp(date: closedAt)
        } else {
            step(final.key, at: engagedAt ?? createdAt!, from: engagedAt == nil ? .created : .engaged)
            let expected = try date(.expectedClose) ?? createdAt!.addingTimeInterval(90 * 86_400)
            deal.expectedClose = Google_Protobuf_Timestamp(date: expected)
        }
        if var last = history.popLast() {
            last.keyAction = cell(.keyAction)
            last.feedback = cell(.feedback)
            history.append(last)
        }
        request.createdAt = Google_Protobuf_Timestamp(date: createdAt!)
        request.history = history
        request.opportunity = deal
        return request
    }

    private func date(_ target: OpportunityColumns.Target) throws -> Date? {
        let zone = timeZone
        let text = cell(target)
        guard !text.isEmpty else { return nil }
        guard let date = ImportDates.parse(text, in: zone) else {
            throw refuse(target, "not a date", suggestion: "write it as 2017-03-01 (or 2017/3/1, 2017-03-01 14:30)")
        }
        return date
    }

    /// A refusal from the service, on the column its field came from.
    func problem(from message: String) -> RowProblem {
        let (field, reason) = RowProblem.fieldAndReason(message)
        let target: OpportunityColumns.Target
        if field.hasPrefix("history["), let close = field.firstIndex(of: "]"),
            let index = Int(field[field.index(field.startIndex, offsetBy: 8)..<close]), index < historyColumns.count
        {
            target = field.hasSuffix("changed_at") ? historyColumns[index] : .stage
        } else {
            switch field {
            case "opportunity.name": target = .name
            case "opportunity.customer_name": target = .customer
            case "opportunity.amount": target = .amount
            case "opportunity.owner_id", "opportunity.owner_org_path": target = .owner
            case "opportunity.expected_close": target = .expectedClose
            case "external_id": target = .externalID
            case "created_at": target = .created
            default: target = .stage
            }
        }
        return refuse(target, field.isEmpty || !message.contains(":") ? message : reason)
    }
}

/// Amounts as sheets write them: digits with at most one decimal point, nothing else (Decimal's own
/// parser would read "12abc" as 12).
enum ImportNumbers {
    static func decimal(_ text: String) -> Decimal? {
        guard !text.isEmpty, text.filter({ $0 == "." }).count <= 1, text.contains(where: \.isNumber),
            text.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "." })
        else { return nil }
        return Decimal(string: text)
    }
}

/// Dates as sheets write them, in the tenant's zone: a day alone is read as its noon.
enum ImportDates {
    static func parse(_ text: String, in zone: TimeZone) -> Date? {
        let parts = text.split { $0 == " " || $0 == "T" }
        guard (1...2).contains(parts.count) else { return nil }
        let day = parts[0].split { $0 == "-" || $0 == "/" || $0 == "." }.compactMap { Int($0) }
        guard day.count == 3, (1900...2200).contains(day[0]) else { return nil }
        var components = DateComponents(year: day[0], month: day[1], day: day[2], hour: 12, minute: 0, second: 0)
        if parts.count == 2 {
            let time = parts[1].split(separator: ":").compactMap { Int($0) }
            guard (2...3).contains(time.count), (0...23).contains(time[0]), (0...59).contains(time[1]), (0...59).contains(time.last!) else {
                return nil
            }
            components.hour = time[0]
            components.minute = time[1]
            components.second = time.count == 3 ? time[2] : 0
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        // 2017-02-30 is no day: the calendar would roll it into March, so the day must read back.
        guard let date = calendar.date(from: components),
            calendar.dateComponents([.year, .month, .day], from: date) == DateComponents(year: day[0], month: day[1], day: day[2])
        else { return nil }
        return date
    }
}
