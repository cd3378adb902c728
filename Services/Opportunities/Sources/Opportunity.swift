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
    var pipeline: String
    var pipelineVersion: Int32
    var stageKey: String
    var defaultProbability: Int32
    var dealType: Sales_Opportunities_V1_DealType
    var stageEnteredAt: Date
    var overrideReason: String
    var staleSince: Date?
    var staleReason: String
    var customerID: UUID?
    var risks: [String]
    /// Who entered the deal (who converted its lead): credited with the referral.
    var createdBy: String
    /// e.g. "三甲医院"; empty when not given.
    var customerType: String

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
            $0.pipeline = pipeline
            $0.pipelineVersion = pipelineVersion
            $0.stageKey = stageKey
            $0.defaultProbability = defaultProbability
            $0.dealType = dealType
            $0.stageEnteredAt = Google_Protobuf_Timestamp(date: stageEnteredAt)
            $0.overrideReason = overrideReason
            if let staleSince { $0.staleSince = Google_Protobuf_Timestamp(date: staleSince) }
            $0.staleReason = staleReason
            $0.customerID = customerID?.apiString ?? ""
            $0.risks = risks
            $0.customerType = customerType
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
    /// Empty for the tenant's default pipeline.
    var pipeline: String
    var dealType: Sales_Opportunities_V1_DealType
    var customerID: UUID?
    var createdBy: String
    var customerType: String

    init(_ request: Sales_Opportunities_V1_CreateOpportunityRequest, caller: Caller) throws(ServiceError) {
        createdBy = caller.userID
        customerType = try Require.optionalText(request.customerType, field: "customer_type", maxLength: 40)
        name = try Require.text(request.name, field: "name")
        customerName = try Require.text(request.customerName, field: "customer_name")
        leadID = request.leadID.isEmpty ? nil : try Require.uuid(request.leadID, field: "lead_id")
        customerID = request.customerID.isEmpty ? nil : try Require.uuid(request.customerID, field: "customer_id")
        guard request.hasAmount else { throw .invalidArgument(field: "amount", rule: "is required") }
        amount = try request.amount.validated(field: "amount")
        expectedClose = try Require.timestamp(request.expectedClose, isSet: request.hasExpectedClose, field: "expected_close")
        (ownerID, orgPath) = try Ownership.resolve(caller: caller, ownerID: request.ownerID, orgPath: request.ownerOrgPath)
        pipeline = request.pipeline
        if !pipeline.isEmpty, !PipelineDefinition.isName(pipeline) {
            throw .invalidArgument(field: "pipeline", rule: "must be a pipeline's name (lowercase letters, digits, '-'), or empty for the default")
        }
        switch request.dealType {
        case .unspecified: dealType = .new
        case .new, .renewal, .channel, .upsell: dealType = request.dealType
        case .UNRECOGNIZED(let raw): throw .invalidArgument(field: "deal_type", rule: "\(raw) is not a deal type: new, renewal, channel or upsell")
        }
    }
}
