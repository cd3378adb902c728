import Foundation
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// What is known about a lead's customer beyond how to reach them: where, what trade, how big,
/// with what budget. Routing, grading and checkpoint rules read these.
struct LeadProfile: Sendable, Equatable {
    var district = ""
    var industry = ""
    var budget: Money?
    var employeeCount: Int32?
    var tags: [String] = []
    var location: GeoPoint?

    init() {}

    init(district: String, industry: String, budget: Money?, employeeCount: Int32?, tags: [String], location: GeoPoint?) {
        self.district = district
        self.industry = industry
        self.budget = budget
        self.employeeCount = employeeCount
        self.tags = tags
        self.location = location
    }

    /// Checks the profile part of a CreateLead request.
    init(_ request: Sales_Leads_V1_CreateLeadRequest) throws(ServiceError) {
        district = try Require.optionalText(request.district, field: "district", maxLength: 50)
        industry = try Require.optionalText(request.industry, field: "industry", maxLength: 50)
        if request.hasBudget {
            budget = try request.budget.validated(field: "budget", allowZero: true)
        }
        if request.employeeCount < 0 {
            throw .invalidArgument(field: "employee_count", rule: "must not be negative; got \(request.employeeCount)")
        }
        employeeCount = request.employeeCount == 0 ? nil : request.employeeCount
        guard request.tags.count <= 20 else { throw .invalidArgument(field: "tags", rule: "at most 20 tags; got \(request.tags.count)") }
        var seen = Set<String>()
        for (index, raw) in request.tags.enumerated() {
            let tag = try Require.text(raw, field: "tags[\(index)]", maxLength: 30)
            if seen.insert(tag).inserted { tags.append(tag) }
        }
        if request.hasLocation {
            guard let point = GeoPoint(latitude: request.location.latitude, longitude: request.location.longitude) else {
                throw .invalidArgument(field: "location", rule: "latitude must be within ±90 and longitude within ±180")
            }
            location = point
        }
    }

    /// The fields as rules read them (budget in yuan, the fix as {"lat", "lng"}).
    var ruleFields: [String: RuleValue] {
        [
            "district": .string(district),
            "industry": industry.isEmpty ? .null : .string(industry),
            "budget": budget.map { .number($0.majorUnitsForRules) } ?? .null,
            "employee_count": employeeCount.map { .number(Double($0)) } ?? .null,
            "tags": .array(tags.map(RuleValue.string)),
            "gps": location.map { .object(["lat": .number($0.latitude), "lng": .number($0.longitude)]) } ?? .null,
        ]
    }

    func write(to message: inout Sales_Leads_V1_Lead) {
        message.district = district
        message.industry = industry
        if let budget { message.budget = Sales_Common_V1_Money(budget) }
        message.employeeCount = employeeCount ?? 0
        message.tags = tags
        if let location {
            message.location = .with {
                $0.latitude = location.latitude; $0.longitude = location.longitude
            }
        }
    }
}
