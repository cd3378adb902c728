import Foundation
import GRPCCore
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The public pool (公海): releasing a lead back to its team, claiming one atomically under the
/// tenant's caps and cooldown.
extension LeadServiceHandler {
    func releaseLead(request: Sales_Leads_V1_ReleaseLeadRequest, context: ServerContext) async throws -> Sales_Leads_V1_Lead {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.leadID, field: "lead_id")
        let reason = try Require.text(request.reason, field: "reason", maxLength: 500)
        let logger = RequestContext.logger
        return try await Idempotency.run("ReleaseLead", request: request, database: database) { connection in
            guard let lead = try await store.find(id, for: caller, lock: true, on: connection, logger: logger) else {
                throw ServiceError.notFound(kind: "lead", id: id.apiString)
            }
            guard !lead.ownerID.isEmpty else { throw ServiceError.failedPrecondition("lead \(id.apiString) is already in the public pool") }
            guard lead.status != .converted else {
                throw ServiceError.failedPrecondition("lead \(id.apiString) was converted; its opportunity carries it now")
            }
            guard lead.ownerID == caller.userID || caller.managedSubtree != nil || caller.seesWholeTenant else {
                throw ServiceError.permissionDenied("only the owner or their manager may release a lead")
            }
            let released = try await store.assign(lead, to: "", orgPath: lead.orgPath, on: connection, logger: logger)
            try await pools.recordRelease(id, previousOwner: lead.ownerID, reason: reason, tenant: caller.tenant, on: connection, logger: logger)
            try await Outbox.append(
                Sales_Leads_V1_LeadReleased.with {
                    $0.lead = released.message(for: Self.eventReader(caller))
                    $0.previousOwnerID = lead.ownerID
                    $0.reason = reason
                },
                tenant: caller.tenant, aggregateType: "lead", aggregateID: id.apiString, on: connection, logger: logger)
            return released.message(for: caller)
        }
    }

    func claimLead(request: Sales_Leads_V1_ClaimLeadRequest, context: ServerContext) async throws -> Sales_Leads_V1_Lead {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.leadID, field: "lead_id")
        let logger = RequestContext.logger
        return try await Idempotency.run("ClaimLead", request: request, database: database) { connection in
            try await pools.lockClaimer(caller, on: connection, logger: logger)
            // Locks the row: of two claimers the second waits here and then sees the first's owner.
            let lead: Lead
            switch try await store.find(id, for: caller, lock: true, on: connection, logger: logger) {
            case let found? where found.ownerID.isEmpty:
                lead = found
            case let found? where found.ownerID == caller.userID:
                throw ServiceError.failedPrecondition("lead \(id.apiString) is already yours")
            case let found?:
                throw ServiceError.failedPrecondition("lead \(id.apiString) is not in the public pool: \(found.ownerID) holds it")
            case nil:
                // Taken a moment ago from a pool this rep sees: say so rather than NOT_FOUND.
                if try await pools.wasJustClaimed(id, visibleTo: caller, on: connection, logger: logger) {
                    throw ServiceError.failedPrecondition("lead \(id.apiString) was claimed by another rep first")
                }
                throw ServiceError.notFound(kind: "lead", id: id.apiString)
            }
            let policy = try await pools.policy(tenant: caller.tenant, on: connection)
            if policy.cooldownDays > 0, let released = try await pools.lastRelease(of: id, by: caller.userID, on: connection, logger: logger) {
                let until = released.addingTimeInterval(Double(policy.cooldownDays) * 86_400)
                if until > Date() {
                    throw ServiceError.failedPrecondition(
                        "you released this lead on \(released.formatted(.iso8601)); you may claim it again from \(until.formatted(.iso8601))")
                }
            }
            let usage = try await pools.usage(of: caller, on: connection, logger: logger)
            if policy.dailyClaimCap > 0, usage.claimsToday >= Int64(policy.dailyClaimCap) {
                throw ServiceError.failedPrecondition("you have made today's \(policy.dailyClaimCap) claims; claim again tomorrow")
            }
            if policy.heldCap > 0, usage.held >= Int64(policy.heldCap) {
                throw ServiceError.failedPrecondition(
                    "you hold \(usage.held) open leads, the most allowed is \(policy.heldCap): convert or release some first")
            }
            let claimed = try await store.assign(lead, to: caller.userID, orgPath: caller.orgPath, on: connection, logger: logger)
            try await pools.recordClaim(id, poolPath: lead.orgPath, by: caller, on: connection, logger: logger)
            try await Outbox.append(
                Sales_Leads_V1_LeadClaimed.with { $0.lead = claimed.message(for: Self.eventReader(caller)) },
                tenant: caller.tenant, aggregateType: "lead", aggregateID: id.apiString, on: connection, logger: logger)
            return claimed.message(for: caller)
        }
    }

    func getPoolPolicy(request: Sales_Leads_V1_GetPoolPolicyRequest, context: ServerContext) async throws -> Sales_Leads_V1_PoolPolicy {
        try await pools.policy(tenant: try RequestContext.caller().tenant)
    }

    func setPoolPolicy(request: Sales_Leads_V1_SetPoolPolicyRequest, context: ServerContext) async throws -> Sales_Leads_V1_PoolPolicy {
        let caller = try RequestContext.caller(allowedTo: .administer, "setting the pool policy")
        guard request.hasPolicy else { throw ServiceError.invalidArgument(field: "policy", rule: "is required") }
        let policy = request.policy
        for (field, value, limit) in [
            ("daily_claim_cap", policy.dailyClaimCap, 1_000), ("held_cap", policy.heldCap, 100_000),
            ("cooldown_days", policy.cooldownDays, 365), ("return_after_business_days", policy.returnAfterBusinessDays, 250),
            ("warn_business_days_before", policy.warnBusinessDaysBefore, 30),
        ] {
            guard (0...Int32(limit)).contains(value) else {
                throw ServiceError.invalidArgument(field: "policy.\(field)", rule: "must be between 0 and \(limit)")
            }
        }
        for (grade, days) in policy.returnAfterBusinessDaysByGrade.sorted(by: { $0.key < $1.key }) {
            guard LeadField.grades.contains(grade) else {
                throw ServiceError.invalidArgument(
                    field: "policy.return_after_business_days_by_grade",
                    rule: "\(quoted: grade) is not a grade (\(LeadField.grades.joined(separator: ", ")))")
            }
            guard (0...250).contains(days) else {
                throw ServiceError.invalidArgument(field: "policy.return_after_business_days_by_grade[\(grade)]", rule: "must be between 0 and 250")
            }
        }
        try await pools.setPolicy(policy, by: caller)
        return policy
    }

    func sweepPublicPool(request: Sales_Leads_V1_SweepPublicPoolRequest, context: ServerContext) async throws
        -> Sales_Leads_V1_SweepPublicPoolResponse
    {
        let caller = try RequestContext.caller(allowedTo: .administer, "sweeping the pool")
        let outcome = try await sweeper.sweep(tenant: caller.tenant)
        return .with {
            $0.returned = Int32(outcome.returned)
            $0.warned = Int32(outcome.warned)
            $0.checkpointAlerts = Int32(outcome.checkpointAlerts)
            $0.reportsArchived = Int32(outcome.reportsArchived)
        }
    }
}
