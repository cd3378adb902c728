import Foundation
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// An opportunity as the opportunities schema holds it.
struct Opportunity: Sendable {
    var id: UUID
    var seq: Int64
    var name: String
    var customerName: String
    var leadID: UUID?
    var ownerID: String
    var orgPath: String
    var stage: Sales_Opportunities_V1_Stage
    var amount: Money
    var expectedClose: Date
    var createdAt: Date

    var message: Sales_Opportunities_V1_Opportunity {
        .with {
            $0.id = id.apiString
            $0.name = name
            $0.customerName = customerName
            $0.leadID = leadID?.apiString ?? ""
            $0.ownerID = ownerID
            $0.orgPath = orgPath
            $0.stage = stage
            $0.amount = Sales_Common_V1_Money(amount)
            $0.expectedClose = Google_Protobuf_Timestamp(date: expectedClose)
            $0.createdAt = Google_Protobuf_Timestamp(date: createdAt)
        }
    }
}

/// A validated CreateOpportunity request.
struct NewOpportunity: Sendable {
    var name: String
    var customerName: String
    var leadID: UUID?
    var ownerID: String
    var orgPath: String
    var amount: Money
    var expectedClose: Date

    init(_ request: Sales_Opportunities_V1_CreateOpportunityRequest, caller: Caller) throws(ServiceError) {
        name = try Require.text(request.name, field: "name")
        customerName = try Require.text(request.customerName, field: "customer_name")
        leadID = request.leadID.isEmpty ? nil : try Require.uuid(request.leadID, field: "lead_id")
        guard request.hasAmount else { throw .invalidArgument(field: "amount", rule: "is required") }
        amount = try request.amount.validated(field: "amount")
        expectedClose = try Require.timestamp(request.expectedClose, isSet: request.hasExpectedClose, field: "expected_close")
        (ownerID, orgPath) = try Ownership.resolve(caller: caller, ownerID: request.ownerID, orgPath: request.ownerOrgPath)
    }
}
