import Foundation
import GRPCCore
import SalesModel
import SalesNotifications
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The decision chain: contacts on a deal by role, how deep the relationship is, and what a key
/// person leaving means for every open deal they are on.
extension OpportunityServiceHandler {
    func addDealContact(
        request: Sales_Opportunities_V1_AddDealContactRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_DealContact {
        let caller = try RequestContext.caller()
        let dealID = try Require.uuid(request.opportunityID, field: "opportunity_id")
        switch request.role {
        case .unspecified:
            throw ServiceError.invalidArgument(
                field: "role", rule: "is required: decision_maker, technical_evaluator, finance, procurement, user, champion or blocker")
        case .UNRECOGNIZED(let raw): throw ServiceError.invalidArgument(field: "role", rule: "\(raw) is not a contact role")
        default: break
        }
        let existing = request.contactID.isEmpty ? nil : try Require.uuid(request.contactID, field: "contact_id")
        var new = request.contact
        if existing == nil {
            guard request.hasContact else {
                throw ServiceError.invalidArgument(field: "contact", rule: "is required when contact_id is empty: the person's name at least")
            }
            new.name = try Require.text(new.name, field: "contact.name", maxLength: 50)
            new.title = try Require.optionalText(new.title, field: "contact.title", maxLength: 100)
            new.department = try Require.optionalText(new.department, field: "contact.department", maxLength: 100)
        } else if request.hasContact {
            throw ServiceError.invalidArgument(field: "contact", rule: "give contact_id or contact, not both")
        }
        let person = new
        let logger = RequestContext.logger
        return try await Idempotency.run("AddDealContact", request: request, database: store.database) { connection in
            let deal = try await store.visible(dealID, for: caller, lock: true, on: connection)
            let contactID: UUID
            if let existing {
                guard try await contacts.contact(existing, customer: deal.customerID, tenant: caller.tenant, on: connection) else {
                    throw ServiceError.notFound(kind: "contact of this deal's customer", id: existing.apiString)
                }
                contactID = existing
            } else {
                contactID = try await contacts.create(person, customer: deal.customerID, by: caller, on: connection, logger: logger)
            }
            try await contacts.link(contactID, to: deal.id, role: request.role, by: caller, on: connection, logger: logger)
            let linked = try await contacts.onDeal(deal.id, tenant: caller.tenant, on: connection)
            guard let added = linked.first(where: { $0.contact.id == contactID.apiString && $0.role == request.role }) else {
                throw ServiceError.unavailable("the contact was not added; retry")
            }
            return added
        }
    }

    func listDealContacts(
        request: Sales_Opportunities_V1_ListDealContactsRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_ListDealContactsResponse {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.opportunityID, field: "opportunity_id")
        _ = try await store.visible(id, for: caller)
        let onDeal = try await contacts.onDeal(id, tenant: caller.tenant)
        let (coverage, depth) = ContactStore.keyPersonFigures(of: onDeal)
        return .with {
            $0.contacts = onDeal
            $0.kpCoverage = coverage
            $0.kpDepth = depth
        }
    }

    func markContactLeft(
        request: Sales_Opportunities_V1_MarkContactLeftRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_MarkContactLeftResponse {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.contactID, field: "contact_id")
        let logger = RequestContext.logger
        return try await Idempotency.run("MarkContactLeft", request: request, database: store.database) { connection in
            guard let (name, links) = try await contacts.markLeft(id, tenant: caller.tenant, on: connection, logger: logger) else {
                throw ServiceError.notFound(kind: "contact", id: id.apiString)
            }
            // Only someone who sees one of the person's deals may say they left.
            var visible: [UUID] = []
            for link in links where try await store.find(link.deal, for: caller, on: connection) != nil { visible.append(link.deal) }
            guard !visible.isEmpty else { throw ServiceError.notFound(kind: "contact", id: id.apiString) }
            let roles = Dictionary(links.map { ($0.deal, ContactRoles.name($0.role)) }, uniquingKeysWith: { "\($0), \($1)" })
            var atRisk: [String] = []
            for deal in Set(links.map(\.deal)) {
                let risk = "champion_left: \(name) (\(roles[deal] ?? "")) left"
                for raised in try await store.raise(risk, on: [deal], on: connection, logger: logger) {
                    if visible.contains(raised.id) { atRisk.append(raised.id.apiString) }
                    try await Outbox.append(
                        Sales_Opportunities_V1_BehaviourSignalRecorded.with {
                            $0.opportunityID = raised.id.apiString
                            $0.signal = "champion_left"
                            $0.occurredAt = Google_Protobuf_Timestamp(date: Date())
                            $0.ownerID = raised.ownerID
                            $0.orgPath = raised.orgPath
                        },
                        tenant: caller.tenant, aggregateType: "opportunity", aggregateID: raised.id.apiString, on: connection, logger: logger)
                    try await sweeper.notifier.enqueue(
                        Notice(
                            kind: "deal_key_person_left", audience: .person(raised.ownerID), title: "关键人离职风险",
                            text: "\(raised.name)（\(raised.customerName)）：\(name)（\(roles[raised.id] ?? "")）已离开客户，请尽快重建决策链。",
                            subjectID: raised.id.apiString, personal: true),
                        tenant: caller.tenant, on: connection, logger: logger)
                }
            }
            return .with {
                $0.contact = .with {
                    $0.id = id.apiString
                    $0.name = name
                    $0.leftAt = Google_Protobuf_Timestamp(date: Date())
                }
                $0.opportunityIds = atRisk.sorted()
            }
        }
    }

    func getKeyPersonFigures(
        request: Sales_Opportunities_V1_GetKeyPersonFiguresRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_GetKeyPersonFiguresResponse {
        let caller = try RequestContext.caller()
        let figures = try await contacts.keyPersonFigures(for: caller)
        return .with { $0.owners = figures }
    }
}

/// Contact roles as risks and rules name them.
enum ContactRoles {
    static func name(_ role: Sales_Opportunities_V1_ContactRole) -> String {
        switch role {
        case .decisionMaker: "decision_maker"
        case .technicalEvaluator: "technical_evaluator"
        case .finance: "finance"
        case .procurement: "procurement"
        case .user: "user"
        case .champion: "champion"
        case .blocker: "blocker"
        case .unspecified, .UNRECOGNIZED: "contact"
        }
    }
}
