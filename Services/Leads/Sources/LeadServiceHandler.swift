import Foundation
import GRPCCore
import LeadIntake
import Logging
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// sales.leads.v1.LeadService.
struct LeadServiceHandler: Sales_Leads_V1_LeadService.SimpleServiceProtocol {
    let store: LeadStore
    let customers: CustomerStore
    let chats: ChatArchiveStore
    let deadLetters: DeadLetterStore
    let companyRegistry: (any CompanyRegistry)?
    let followUps: FollowUpStore
    let pools: PoolStore
    let fields: CustomFieldStore
    let phoneHasher: PhoneHasher
    let intake: IntakeAdapters
    let activeRules: ActiveRuleSets
    let checkpoints: LeadCheckpoints
    let sweeper: PoolSweeper
    let unmaskAudit: UnmaskAudit
    let inspector: RuleInspector
    let reports: RuleHealthArchive
    /// Writes new leads, in batches when they arrive together (group commit).
    let batcher: LeadBatcher
    /// Writes an import's batches, each in one transaction.
    let writer: LeadWriter
    let opportunities: Sales_Opportunities_V1_OpportunityService.Client<PeerClient.Transport>

    var database: Database { store.database }

    func createLead(request: Sales_Leads_V1_CreateLeadRequest, context: ServerContext) async throws -> Sales_Leads_V1_CreateLeadResponse {
        let caller = try RequestContext.caller()
        let tenantFields = try await tenantFields(for: caller)
        let lead = try NewLead(request, fields: tenantFields.values)
        return try await create(lead, request: request, caller: caller, tenantFields: tenantFields)
    }

    /// Completes a company's profile from the registry, grades, routes and stores a checked lead
    /// with its events; `key` overrides the client's idempotency key with one the tenant shares.
    func create(
        _ lead: NewLead, request: Sales_Leads_V1_CreateLeadRequest, caller: Caller,
        tenantFields: TenantLeadFields, key: String? = nil
    ) async throws -> Sales_Leads_V1_CreateLeadResponse {
        let rules = try await judging(for: caller, fields: tenantFields)
        let key = key.map { .shared($0, tenant: caller.tenant) } ?? RequestContext.current?.idempotencyKey(of: caller)
        return try await batcher.submit(try await prepare(lead, request: request, caller: caller, rules: rules, key: key))
    }

    /// What new leads of the caller's tenant are judged by, read once for a call or an import's batch.
    func judging(for caller: Caller, fields: TenantLeadFields) async throws -> NewLeadJudging {
        NewLeadJudging(
            fields: fields,
            grading: try await activeRules.active(LeadGrading.ruleSetName, tenant: caller.tenant, catalog: fields.catalog),
            routing: try await activeRules.active(RoutingDecision.ruleSetName, tenant: caller.tenant, catalog: fields.catalog))
    }

    /// A checked lead completed, graded and routed, ready for `LeadWriter`. A returning customer
    /// with an owner keeps that owner; one in a public pool is routed afresh, with what it asked
    /// before in `earlier_inquiries`.
    func prepare(
        _ lead: NewLead, request: Sales_Leads_V1_CreateLeadRequest, caller: Caller, rules: NewLeadJudging, key: Idempotency.Key?
    ) async throws -> PreparedLead {
        let lead = await completed(lead)
        let phoneHash = lead.phone.map(phoneHasher.hash)
        let customerKey = lead.customerKey(phoneHash: phoneHash)
        // What the customer asked before costs a query: only when an active rule reads it. A
        // customer with an owner is found again in the insert either way.
        let known = rules.readsHistory ? try await customers.customer(customerKey, tenant: caller.tenant) : nil
        let earlier = known?.earlierInquiries ?? ""
        let grade = LeadGrading.grade(lead.ruleValue(earlierInquiries: earlier), by: rules.grading?.rules)
        let decision =
            known?.ownerID.isEmpty == false
            ? nil
            : route(lead.ruleValue(grade: grade, earlierInquiries: earlier), by: rules.routing, caller: caller)
        return PreparedLead(
            lead: lead, request: request, caller: caller, customerKey: customerKey, phoneHash: phoneHash, grade: grade, decision: decision,
            known: known, idempotencyKey: key, context: RequestContext.current)
    }

    /// The lead with what the company registry knows of its credit code, where it said nothing.
    private func completed(_ lead: NewLead) async -> NewLead {
        guard let code = lead.creditCode, let companyRegistry, let company = await companyRegistry.lookup(code) else { return lead }
        var completed = lead
        completed.profile = lead.profile.completed(by: company)
        return completed
    }

    func getLead(request: Sales_Leads_V1_GetLeadRequest, context: ServerContext) async throws -> Sales_Leads_V1_Lead {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.id, field: "id")
        let lead = try await database.withConnection { connection in
            try await store.find(id, for: caller, on: connection, logger: RequestContext.logger)
        }
        guard let lead else { throw ServiceError.notFound(kind: "lead", id: id.apiString) }
        try await unmaskAudit.record([lead], for: caller, method: "GetLead")
        var message = lead.message(for: caller)
        message.checkpoints = try await checkpoints.statuses(of: lead, tenant: caller.tenant, catalog: try await tenantFields(for: caller).catalog)
        return message
    }

    func listLeads(request: Sales_Leads_V1_ListLeadsRequest, context: ServerContext) async throws -> Sales_Leads_V1_ListLeadsResponse {
        let caller = try RequestContext.caller()
        let page = try Page(request.page)
        if case .UNRECOGNIZED(let raw) = request.status {
            throw ServiceError.invalidArgument(field: "status", rule: "\(raw) is not a lead status")
        }
        let (leads, next) = page.finish(
            try await store.list(for: caller, status: request.status, publicPool: request.publicPool, page: page), seq: \.seq)
        try await unmaskAudit.record(leads, for: caller, method: "ListLeads")
        let statuses = try await checkpoints.statuses(of: leads, tenant: caller.tenant, catalog: try await tenantFields(for: caller).catalog)
        return .with {
            $0.leads = zip(leads, statuses).map { lead, checkpoints in
                var message = lead.message(for: caller)
                message.checkpoints = checkpoints
                return message
            }
            $0.page = next
        }
    }

    /// Creates the opportunity in the opportunities service, then marks the lead converted. The
    /// call carries an idempotency key derived from the lead, so a retry after a crash between
    /// the two steps finds the same opportunity instead of making a second one.
    func convertLead(request: Sales_Leads_V1_ConvertLeadRequest, context: ServerContext) async throws -> Sales_Leads_V1_ConvertLeadResponse {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.leadID, field: "lead_id")
        let name = try Require.text(request.opportunityName, field: "opportunity_name")
        guard request.hasExpectedAmount else { throw ServiceError.invalidArgument(field: "expected_amount", rule: "is required") }
        let amount = try request.expectedAmount.validated(field: "expected_amount")
        let close = try Require.timestamp(request.expectedClose, isSet: request.hasExpectedClose, field: "expected_close")
        let logger = RequestContext.logger

        return try await Idempotency.run("ConvertLead", request: request, database: database) { connection in
            guard let lead = try await store.find(id, for: caller, lock: true, on: connection, logger: logger) else {
                throw ServiceError.notFound(kind: "lead", id: id.apiString)
            }
            if let existing = lead.opportunityID {
                throw ServiceError.failedPrecondition("lead \(id.apiString) was already converted to opportunity \(existing.apiString)")
            }
            try await tenantFields(for: caller).values.requireForStage(LeadStages.name(.converted), values: lead.customFields)
            let opportunity = try await opportunities.createOpportunity(
                .with {
                    $0.name = name
                    $0.customerName = lead.companyName.isEmpty ? lead.contactName : lead.companyName
                    $0.leadID = lead.id.apiString
                    $0.customerID = lead.customerID?.apiString ?? ""
                    $0.amount = Sales_Common_V1_Money(amount)
                    $0.expectedClose = Google_Protobuf_Timestamp(date: close)
                    $0.ownerID = lead.ownerID
                    $0.ownerOrgPath = lead.orgPath
                },
                // Keyed on the lead for the tenant: a conversion retried by anyone never makes a second opportunity.
                metadata: ["idempotency-key": "lead-convert:\(lead.id.apiString)", "idempotency-scope": "tenant"])
            guard let opportunityID = UUID(uuidString: opportunity.id) else {
                throw ServiceError.unavailable("the opportunities service answered with a malformed id; retry")
            }
            let converted = try await store.markConverted(id, opportunity: opportunityID, on: connection, logger: logger)
            try await Outbox.append(
                Sales_Leads_V1_LeadConverted.with {
                    $0.lead = converted.message(for: Self.eventReader(caller))
                    $0.opportunityID = opportunity.id
                },
                tenant: caller.tenant, aggregateType: "lead", aggregateID: id.apiString, on: connection, logger: logger)
            return .with {
                $0.lead = converted.message(for: caller)
                $0.opportunityID = opportunity.id
            }
        }
    }

    /// The active routing rule set's decision for a new customer's lead, or the fallback. A rule
    /// that fails on this record (bad data, not a bad rule: rules are checked on save) falls back, logged.
    private func route(
        _ record: @autoclosure () -> RuleValue, by active: (version: Int32, rules: CompiledRuleSet)?, caller: Caller
    ) -> RoutingDecision {
        guard let active else { return RoutingDecision.fallback(for: caller) }
        do {
            let decision = try active.rules.decide(record(), explain: false)
            return RoutingDecision.decide(matched: decision.entry, version: active.version, caller: caller)
        } catch {
            RequestContext.logger.warning("routing rule failed on a lead; using the fallback", metadata: ["error": "\(error)"])
            return RoutingDecision.fallback(for: caller)
        }
    }

    func getLeadFigures(request: Sales_Leads_V1_GetLeadFiguresRequest, context: ServerContext) async throws -> Sales_Leads_V1_GetLeadFiguresResponse {
        let caller = try RequestContext.caller()
        let from = try Require.timestamp(request.from, isSet: request.hasFrom, field: "from")
        let to = try Require.timestamp(request.to, isSet: request.hasTo, field: "to")
        guard from < to else { throw ServiceError.invalidArgument(field: "to", rule: "must be after from") }
        guard to.timeIntervalSince(from) <= 366 * 86_400 else {
            throw ServiceError.invalidArgument(field: "to", rule: "the window may span at most 366 days")
        }
        let figures = try await LeadFiguresQuery(database: database).figures(for: caller, from: from, to: to)
        return .with { $0.figures = figures }
    }

    func listUnmaskAudit(request: Sales_Leads_V1_ListUnmaskAuditRequest, context: ServerContext) async throws
        -> Sales_Leads_V1_ListUnmaskAuditResponse
    {
        let caller = try RequestContext.caller(allowedTo: .administer, "reading the unmask audit")
        let page = try Page(request.page)
        let (rows, next) = page.finish(try await unmaskAudit.list(tenant: caller.tenant, page: page), seq: \.seq)
        return .with {
            $0.entries = rows.map(\.entry)
            $0.page = next
        }
    }

    func inspectRules(request: Sales_Leads_V1_InspectRulesRequest, context: ServerContext) async throws -> Sales_Leads_V1_RuleInspection {
        let caller = try RequestContext.caller(allowedTo: .overseeTeams, "inspecting rules")
        guard (0...5_000).contains(request.sampleSize) else {
            throw ServiceError.invalidArgument(field: "sample_size", rule: "must be between 0 (500) and 5,000")
        }
        return try await inspector.inspect(for: caller, sampleSize: request.sampleSize == 0 ? 500 : Int(request.sampleSize))
    }

    func listRuleHealthReports(
        request: Sales_Leads_V1_ListRuleHealthReportsRequest, context: ServerContext
    ) async throws -> Sales_Leads_V1_ListRuleHealthReportsResponse {
        let caller = try RequestContext.caller(allowedTo: .administer, "reading the archived rule health reports")
        let reports = try await reports.list(tenant: caller.tenant)
        return .with { $0.reports = reports }
    }

    func getOverview(request: Sales_Leads_V1_GetOverviewRequest, context: ServerContext) async throws -> Sales_Leads_V1_LeadsOverview {
        try await store.overview(for: try RequestContext.caller())
    }

    /// The tenant's lead fields, read once per call: for checking values and for compiling rules.
    func tenantFields(for caller: Caller) async throws -> TenantLeadFields {
        TenantLeadFields(try await fields.definitions(tenant: caller.tenant))
    }

    /// Events carry masked phones: the feed's readers are services, not people with the permission.
    static func eventReader(_ caller: Caller) -> Caller {
        Caller.service(.leads, tenant: caller.tenant)
    }
}

/// The tenant's fields and active grading and routing rules a new lead is judged by.
struct NewLeadJudging: Sendable {
    let fields: TenantLeadFields
    let grading: (version: Int32, rules: CompiledRuleSet)?
    let routing: (version: Int32, rules: CompiledRuleSet)?

    /// Whether an active rule reads what the customer asked before (a query per lead).
    var readsHistory: Bool {
        [grading, routing].contains { $0?.rules.fieldsRead.contains(LeadField.earlierInquiries.name) == true }
    }
}

/// A tenant's own lead fields in the two forms a call needs them.
struct TenantLeadFields: Sendable {
    /// Checks values and the fields each stage requires.
    let values: CustomFieldValues
    /// The lead catalog plus these fields, for rules.
    let catalog: FieldCatalog

    init(_ definitions: [Sales_Common_V1_FieldDefinition]) {
        values = CustomFieldValues(definitions: definitions, stages: LeadStages.names)
        catalog = LeadRuleDomain.catalog(adding: definitions)
    }
}
