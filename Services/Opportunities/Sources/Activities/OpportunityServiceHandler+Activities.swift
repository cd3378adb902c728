import Foundation
import GRPCCore
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Activities on a deal: recorded by whoever sees the deal, each behaviour signal an event.
extension OpportunityServiceHandler {
    func recordActivity(
        request: Sales_Opportunities_V1_RecordActivityRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_Activity {
        let caller = try RequestContext.caller()
        let new = try NewActivity(request)
        let logger = RequestContext.logger
        var recorded = try await Idempotency.run("RecordActivity", request: request, database: store.database) { connection in
            let deal = try await store.visible(new.opportunityID, for: caller, on: connection)
            let onDeal = Set(try await contacts.onDeal(deal.id, tenant: caller.tenant, on: connection).map(\.contact.id))
            if let index = new.contactIDs.firstIndex(where: { !onDeal.contains($0.apiString) }) {
                throw ServiceError.invalidArgument(
                    field: "activity.contact_ids[\(index)]",
                    rule: "\(new.contactIDs[index].apiString) is not a contact of this deal (AddDealContact first)")
            }
            let catalog = Set(try await signals.catalog(tenant: caller.tenant, on: connection).map(\.key))
            if let index = new.message.signals.firstIndex(where: { !catalog.contains($0) }) {
                throw ServiceError.invalidArgument(
                    field: "activity.signals[\(index)]",
                    rule: "\(quoted: new.message.signals[index]) is not in the tenant's signal catalog: \(catalog.sorted().joined(separator: ", "))")
            }
            var resolved = new
            resolved.message.attachments = try await resolve(new.message.attachments, deal: deal.id, tenant: caller.tenant, on: connection)
            let activity = try await activities.insert(resolved, by: caller, on: connection, logger: logger)
            try await store.touch(deal.id, at: new.occurredAt, on: connection, logger: logger)
            for signal in activity.signals {
                try await Outbox.append(
                    Sales_Opportunities_V1_BehaviourSignalRecorded.with {
                        $0.opportunityID = deal.id.apiString
                        $0.signal = signal
                        $0.activityID = activity.id
                        $0.occurredAt = activity.occurredAt
                        $0.ownerID = deal.ownerID
                        $0.orgPath = deal.orgPath
                    },
                    tenant: caller.tenant, aggregateType: "opportunity", aggregateID: deal.id.apiString, on: connection, logger: logger)
            }
            return activity
        }
        // An objection brings back the playbook's best answers to it (read fresh, also on a replay).
        let objection = recorded.objection.isEmpty && recorded.signals.contains("price_objection") ? "价格太高" : recorded.objection
        if !objection.isEmpty {
            let deal = try await store.visible(new.opportunityID, for: caller)
            recorded.playbook = try await playbook.suggest(for: objection, on: deal, tenant: caller.tenant)
        }
        return recorded
    }

    func listActivities(
        request: Sales_Opportunities_V1_ListActivitiesRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_ListActivitiesResponse {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.opportunityID, field: "opportunity_id")
        let page = try Page(request.page)
        _ = try await store.visible(id, for: caller)
        let (rows, next) = page.finish(
            try await activities.list(of: id, tenant: caller.tenant, before: page.before, limit: page.fetchLimit), seq: \.seq)
        return .with {
            $0.activities = rows.map(\.activity)
            $0.page = next
        }
    }
}
