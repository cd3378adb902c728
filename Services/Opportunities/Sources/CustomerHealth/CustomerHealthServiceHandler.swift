import Foundation
import GRPCCore
import Logging
import PostgresNIO
import SalesModel
import SalesNotifications
import SalesProto
import ServiceKit
import SwiftProtobuf

/// sales.opportunities.v1.CustomerHealthService: touches and tickets in, scores out. A major
/// complaint gives the customer's owner a risk task (and a notice) and pauses its open renewals
/// until it is resolved; each write rescores the customer in the same transaction.
struct CustomerHealthServiceHandler: Sales_Opportunities_V1_CustomerHealthService.SimpleServiceProtocol {
    static let mostListed = 200

    let deals: OpportunityStore
    let touches: TouchStore
    let tickets: ServiceTicketStore
    let health: HealthStore
    let journeys: JourneyStore
    let scorer: HealthScorer
    let notifier: Notifier

    func recordTouch(request: Sales_Opportunities_V1_RecordTouchRequest, context: ServerContext) async throws
        -> Sales_Opportunities_V1_RecordTouchResponse
    {
        let caller = try RequestContext.caller(allowedTo: .integrate, "recording a marketing touch")
        let touch = try CheckedTouch(request.touch, now: Date())
        return try await deals.database.transaction { connection in
            guard (try await deals.customerOwner(touch.customer, tenant: caller.tenant, on: connection)) != nil else {
                throw ServiceError.notFound(kind: "customer with deals", id: touch.customer.apiString)
            }
            let new = try await touches.record(touch, tenant: caller.tenant, on: connection)
            let scored = try await scorer.score(touch.customer, tenant: caller.tenant, on: connection)
            return .with {
                $0.alreadyRecorded = !new
                if let scored { $0.health = scored }
            }
        }
    }

    func recordTicket(request: Sales_Opportunities_V1_RecordTicketRequest, context: ServerContext) async throws
        -> Sales_Opportunities_V1_RecordTicketResponse
    {
        let caller = try RequestContext.caller(allowedTo: .integrate, "recording a service ticket")
        let ticket = try CheckedTicket(request.ticket, now: Date())
        let logger = RequestContext.logger
        return try await deals.database.transaction { connection in
            guard let owner = try await deals.customerOwner(ticket.customer, tenant: caller.tenant, on: connection) else {
                throw ServiceError.notFound(kind: "customer with deals", id: ticket.customer.apiString)
            }
            let (result, wasMajor) = try await tickets.put(ticket, tenant: caller.tenant, on: connection)
            var response = Sales_Opportunities_V1_RecordTicketResponse.with {
                $0.ticket = ticket.message
                $0.result = result
            }
            if ticket.isOpenMajorComplaint {
                response.pausedOpportunityIds = try await deals.pauseRenewals(
                    of: ticket.customer, risk: ticket.risk, tenant: caller.tenant, on: connection
                ).map(\.apiString)
                response.riskTask = try await tickets.openTask(
                    for: ticket, owner: owner.owner, orgPath: owner.orgPath, tenant: caller.tenant, on: connection)
                if !wasMajor {
                    try await notifier.enqueue(
                        Self.notice(ticket, task: response.riskTask, paused: response.pausedOpportunityIds.count), tenant: caller.tenant,
                        on: connection, logger: logger)
                }
            } else if wasMajor {
                response.resumedOpportunityIds = try await deals.resumeRenewals(
                    of: ticket.customer, ticketRisk: ticket.riskPrefix, tenant: caller.tenant, on: connection
                ).map(\.apiString)
                if let task = try await tickets.closeTask(ticket: ticket.id, tenant: caller.tenant, on: connection) { response.riskTask = task }
            }
            if let scored = try await scorer.score(ticket.customer, tenant: caller.tenant, on: connection) { response.health = scored }
            return response
        }
    }

    func getCustomerHealth(request: Sales_Opportunities_V1_GetCustomerHealthRequest, context: ServerContext) async throws
        -> Sales_Opportunities_V1_CustomerHealth
    {
        let caller = try RequestContext.caller()
        let customer = try Require.uuid(request.customerID, field: "customer_id")
        guard try await health.sees(customer: customer, for: caller), let scored = try await scorer.score(customer, tenant: caller.tenant) else {
            throw ServiceError.notFound(kind: "customer", id: customer.apiString)
        }
        return scored
    }

    func listCustomerHealth(request: Sales_Opportunities_V1_ListCustomerHealthRequest, context: ServerContext) async throws
        -> Sales_Opportunities_V1_ListCustomerHealthResponse
    {
        let caller = try RequestContext.caller()
        guard (0...Self.mostListed).contains(Int(request.limit)) else {
            throw ServiceError.invalidArgument(field: "limit", rule: "must be 1 to \(Self.mostListed), or 0 for 50 (got \(request.limit))")
        }
        let list = try await health.falling(for: caller, limit: request.limit == 0 ? 50 : Int(request.limit))
        return .with { $0.customers = list }
    }

    func getCustomerJourney(request: Sales_Opportunities_V1_GetCustomerJourneyRequest, context: ServerContext) async throws
        -> Sales_Opportunities_V1_CustomerJourney
    {
        let caller = try RequestContext.caller()
        let customer = try Require.uuid(request.customerID, field: "customer_id")
        let now = Date()
        let since = request.hasSince ? try Require.timestamp(request.since, isSet: true, field: "since") : now.addingTimeInterval(-365 * 86_400)
        guard try await health.sees(customer: customer, for: caller) else { throw ServiceError.notFound(kind: "customer", id: customer.apiString) }
        let entries = try await journeys.entries(customer: customer, since: since, for: caller)
        let actions = try await journeys.jointActions(customer: customer, since: since, tenant: caller.tenant, now: now)
        return .with {
            $0.customerID = customer.apiString
            $0.entries = entries
            $0.jointActions = actions
        }
    }

    /// The owner's notice of a major complaint: what it is, the task, the renewals paused.
    static func notice(_ ticket: CheckedTicket, task: Sales_Opportunities_V1_RiskTask, paused: Int) -> Notice {
        var text = "客户重大投诉：\(ticket.subject)\n任务：\(task.title)"
        if paused > 0 { text += "\n该客户 \(paused) 个续约商机已暂停，投诉关闭后恢复。" }
        return Notice(
            kind: "customer_risk", audience: .person(task.ownerID), title: "重大投诉 \(ticket.id)", text: text, subjectID: ticket.customer.apiString,
            personal: true)
    }
}
