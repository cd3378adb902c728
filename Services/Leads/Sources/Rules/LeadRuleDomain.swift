import Foundation
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Leads as rules see them: the lead catalog plus the tenant's own lead fields, the platform's
/// domain operators, and leads in the caller's scope as records.
struct LeadRuleDomain: RuleDomain {
    let store: LeadStore
    let fields: CustomFieldStore
    let mappingTables: MappingTableStore

    var recordType: String { "lead" }
    var ruleSetNames: [String] { RuleInspector.ruleSets }

    /// JsonLogic, the platform's domain operators (`business_hours_between` under the service's
    /// work calendar), and `in_mapping` over the tenant's tables.
    static func operators(_ tables: [MappingTable], calendar: WorkCalendar) -> OperatorRegistry {
        OperatorRegistry.domain(mappings: tables, calendar: calendar)
    }

    func catalog(for caller: Caller) async throws -> FieldCatalog {
        TenantLeadFields(try await fields.definitions(tenant: caller.tenant)).catalog
    }

    static func catalog(adding definitions: [Sales_Common_V1_FieldDefinition]) -> FieldCatalog {
        CustomFieldRules.catalog(.lead, adding: definitions)
    }

    func record(id: String, for caller: Caller) async throws -> RuleValue? {
        let leadID = try Require.uuid(id, field: "record_id")
        let lead = try await store.database.withConnection { connection in
            try await store.find(leadID, for: caller, on: connection, logger: RequestContext.logger)
        }
        return lead.map(\.ruleValue)
    }

    func outcomeProblems(of name: String, _ entries: [CompiledRuleSet.Entry]) -> [Sales_Common_V1_RuleProblem] {
        switch name {
        case Checkpoint.ruleSetName: LeadCheckpoints.outcomeProblems(entries)
        case LeadGrading.ruleSetName: LeadGrading.outcomeProblems(entries)
        case RoutingDecision.ruleSetName: RoutingDecision.outcomeProblems(entries)
        default: []
        }
    }

    func recentRecords(limit: Int, for caller: Caller) async throws -> [DryRunRecord] {
        let page = try Page(.with { $0.pageSize = Int32(min(limit, 200)) })
        var leads: [Lead] = []
        var before = page.before
        while leads.count < limit {
            let batch = try await store.list(for: caller, status: .unspecified, page: page.startingBefore(before))
            leads += batch.prefix(limit - leads.count)
            guard batch.count > page.size, let last = leads.last else { break }
            before = last.seq
        }
        return leads.map { lead in
            DryRunRecord(
                id: lead.id.apiString, data: lead.ruleValue, fixed: lead.ownerFixedByCustomer.map { [RoutingDecision.ruleSetName: $0] } ?? [:])
        }
    }
}

/// A lead's catalog fields and custom fields as one record, stored or about to be.
enum LeadRecord {
    static func value(
        campaign: String, channel: Sales_Leads_V1_Channel, city: String, inquiry: String, createdAt: Date,
        profile: LeadProfile, grade: String, earlierInquiries: String,
        customFields: [String: Sales_Common_V1_FieldValue]
    ) -> RuleValue {
        var record: [String: RuleValue] = [
            "source": .string(campaign),
            "channel": channelName(channel).map(RuleValue.string) ?? .null,
            "city": .string(city),
            "inquiry": .string(inquiry),
            "earlier_inquiries": .string(earlierInquiries),
            "phone_verified": .bool(false),
            "created_at": .string(createdAt.formatted(.iso8601)),
            "grade": grade.isEmpty ? .null : .string(grade),
        ]
        record.merge(profile.ruleFields) { _, profile in profile }
        for (key, value) in customFields { record[key] = CustomFieldRules.value(value) }
        return .object(record)
    }

    static func channelName(_ channel: Sales_Leads_V1_Channel) -> String? {
        let index = channel.rawValue - 1
        return LeadField.channels.indices.contains(index) ? LeadField.channels[index] : nil
    }
}

extension Lead {
    /// Why routing never decided this lead's owner, or nil: a repeat customer's lead stays with the
    /// customer's owner (one returning from a pool is routed afresh, and is not fixed).
    var ownerFixedByCustomer: String? {
        guard isRepeat, !assignmentReason.hasPrefix(LeadStore.poolReturnPrefix) else { return nil }
        return "repeat customer: stays with its owner" + (ownerID.isEmpty ? " (the public pool of \(orgPath))" : " \(ownerID)")
    }

    var ruleValue: RuleValue {
        LeadRecord.value(
            campaign: campaign, channel: channel, city: city, inquiry: inquiry, createdAt: createdAt,
            profile: profile, grade: grade, earlierInquiries: "", customFields: customFields)
    }
}

extension NewLead {
    /// The record rules see at intake: `grade` once graded, what the customer asked before, if anything.
    func ruleValue(grade: String = "", earlierInquiries: String = "") -> RuleValue {
        LeadRecord.value(
            campaign: campaign, channel: channel, city: city, inquiry: inquiry, createdAt: Date(),
            profile: profile, grade: grade, earlierInquiries: earlierInquiries, customFields: customFields)
    }
}
