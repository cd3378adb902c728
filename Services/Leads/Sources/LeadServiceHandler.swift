import Foundation
import GRPCCore
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// sales.leads.v1.LeadService.
struct LeadServiceHandler: Sales_Leads_V1_LeadService.SimpleServiceProtocol {
    let store: LeadStore
    let followUps: FollowUpStore
    let pools: PoolStore
    let fields: CustomFieldStore
    let phoneHasher: PhoneHasher
    let intake: IntakeAdapters
    let activeRules: ActiveRuleSets
    let opportunities: Sales_Opportunities_V1_OpportunityService.Client<PeerClient.Transport>

    var database: Database { store.database }

    func createLead(request: Sales_Leads_V1_CreateLeadRequest, context: ServerContext) async throws -> Sales_Leads_V1_CreateLeadResponse {
        let caller = try RequestContext.caller()
        let definitions = try await fields.definitions(tenant: caller.tenant)
        let lead = try NewLead(request, fields: CustomFieldValues(definitions: definitions, stages: LeadStages.names))
        return try await create(lead, request: request, caller: caller, definitions: definitions)
    }

    /// Routes and stores a checked lead with its event; `key` overrides the client's idempotency key.
    private func create(
        _ lead: NewLead, request: Sales_Leads_V1_CreateLeadRequest, caller: Caller,
        definitions: [Sales_Common_V1_FieldDefinition], key: String? = nil
    ) async throws -> Sales_Leads_V1_CreateLeadResponse {
        let logger = RequestContext.logger
        let assignment = try await route(lead, caller: caller, definitions: definitions)
        return try await Idempotency.run("CreateLead", request: request, database: database, key: key) { connection in
            let stored = try await store.insert(
                lead, assignment: assignment, phoneHasher: phoneHasher, by: caller, on: connection, logger: logger)
            let message = stored.message(for: caller)
            try await Outbox.append(
                Sales_Leads_V1_LeadCreated.with { $0.lead = stored.message(for: Self.eventReader(caller)) },
                tenant: caller.tenant, aggregateType: "lead", aggregateID: stored.id.apiString, on: connection, logger: logger)
            return .with { $0.lead = message }
        }
    }

    func getLead(request: Sales_Leads_V1_GetLeadRequest, context: ServerContext) async throws -> Sales_Leads_V1_Lead {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.id, field: "id")
        let lead = try await database.withConnection { connection in
            try await store.find(id, for: caller, on: connection, logger: RequestContext.logger)
        }
        guard let lead else { throw ServiceError.notFound(kind: "lead", id: id.apiString) }
        return lead.message(for: caller)
    }

    func listLeads(request: Sales_Leads_V1_ListLeadsRequest, context: ServerContext) async throws -> Sales_Leads_V1_ListLeadsResponse {
        let caller = try RequestContext.caller()
        let page = try Page(request.page)
        if case .UNRECOGNIZED(let raw) = request.status {
            throw ServiceError.invalidArgument(field: "status", rule: "\(raw) is not a lead status")
        }
        let (leads, next) = page.finish(
            try await store.list(for: caller, status: request.status, publicPool: request.publicPool, page: page), seq: \.seq)
        return .with {
            $0.leads = leads.map { $0.message(for: caller) }
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
            try await customFields(for: caller).requireForStage(LeadStages.name(.converted), values: lead.customFields)
            let opportunity = try await opportunities.createOpportunity(
                .with {
                    $0.name = name
                    $0.customerName = lead.companyName.isEmpty ? lead.contactName : lead.companyName
                    $0.leadID = lead.id.apiString
                    $0.amount = Sales_Common_V1_Money(amount)
                    $0.expectedClose = Google_Protobuf_Timestamp(date: close)
                    $0.ownerID = lead.ownerID
                    $0.ownerOrgPath = lead.orgPath
                },
                metadata: ["idempotency-key": "lead-convert:\(lead.id.apiString)"])
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

    func advanceLead(request: Sales_Leads_V1_AdvanceLeadRequest, context: ServerContext) async throws -> Sales_Leads_V1_Lead {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.leadID, field: "lead_id")
        guard request.stage == .contacted || request.stage == .qualified else {
            throw ServiceError.invalidArgument(field: "stage", rule: "must be contacted or qualified; conversion goes through ConvertLead")
        }
        let definitions = try await customFields(for: caller)
        try definitions.validate(request.customFields)
        let logger = RequestContext.logger
        return try await Idempotency.run("AdvanceLead", request: request, database: database) { connection in
            guard let lead = try await store.find(id, for: caller, lock: true, on: connection, logger: logger) else {
                throw ServiceError.notFound(kind: "lead", id: id.apiString)
            }
            guard let from = LeadStages.rank(lead.status), let to = LeadStages.rank(request.stage), to > from else {
                throw ServiceError.failedPrecondition(
                    "lead \(id.apiString) is \(LeadStages.name(lead.status)); it can only move forward, not to \(LeadStages.name(request.stage))")
            }
            let values = Self.merging(lead.customFields, request.customFields)
            try definitions.requireForStage(LeadStages.name(request.stage), values: values)
            let moved = try await store.update(id, stage: request.stage, customFields: values, on: connection, logger: logger)
            try await Outbox.append(
                Sales_Leads_V1_LeadStageChanged.with {
                    $0.lead = moved.message(for: Self.eventReader(caller))
                    $0.from = lead.status
                },
                tenant: caller.tenant, aggregateType: "lead", aggregateID: id.apiString, on: connection, logger: logger)
            return moved.message(for: caller)
        }
    }

    func updateLeadFields(request: Sales_Leads_V1_UpdateLeadFieldsRequest, context: ServerContext) async throws -> Sales_Leads_V1_Lead {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.leadID, field: "lead_id")
        let definitions = try await customFields(for: caller)
        try definitions.validate(request.customFields)
        let logger = RequestContext.logger
        return try await database.transaction { connection in
            guard let lead = try await store.find(id, for: caller, lock: true, on: connection, logger: logger) else {
                throw ServiceError.notFound(kind: "lead", id: id.apiString)
            }
            let values = Self.merging(lead.customFields, request.customFields)
            // What the current stage requires cannot be cleared afterwards.
            try definitions.requireForStage(LeadStages.name(lead.status), values: values)
            try definitions.requireForCreation(values)
            return try await store.update(id, stage: lead.status, customFields: values, on: connection, logger: logger)
                .message(for: caller)
        }
    }

    func defineLeadField(request: Sales_Leads_V1_DefineLeadFieldRequest, context: ServerContext) async throws -> Sales_Common_V1_FieldDefinition {
        let caller = try RequestContext.caller()
        guard caller.roles.contains(.admin) else {
            throw ServiceError.permissionDenied("defining lead fields needs the admin role")
        }
        guard request.hasDefinition else { throw ServiceError.invalidArgument(field: "definition", rule: "is required") }
        let definition = try FieldDefinitionCheck.validated(
            request.definition, stages: LeadStages.names, builtInFields: LeadStages.builtInFields)
        return try await fields.save(definition, tenant: caller.tenant)
    }

    func listLeadFields(request: Sales_Leads_V1_ListLeadFieldsRequest, context: ServerContext) async throws -> Sales_Leads_V1_ListLeadFieldsResponse {
        let caller = try RequestContext.caller()
        let definitions = try await fields.definitions(tenant: caller.tenant)
        return .with {
            $0.fields = definitions
            $0.stages = LeadStages.names
        }
    }

    /// The active routing rule set's decision for a new lead, or the fallback. A rule that fails
    /// on this record (bad data, not a bad rule: rules are checked on save) falls back, logged.
    private func route(
        _ lead: NewLead, caller: Caller, definitions: [Sales_Common_V1_FieldDefinition]
    ) async throws -> LeadAssignment {
        let catalog = LeadRuleDomain.catalog(adding: definitions)
        guard let active = try await activeRules.active(LeadAssignment.ruleSetName, tenant: caller.tenant, catalog: catalog) else {
            return LeadAssignment.fallback(for: caller)
        }
        do {
            let decision = try active.rules.decide(lead.ruleValue, explain: false)
            return LeadAssignment.decide(matched: decision.entry, version: active.version, caller: caller)
        } catch {
            RequestContext.logger.warning("routing rule failed on a lead; using the fallback", metadata: ["error": "\(error)"])
            return LeadAssignment.fallback(for: caller)
        }
    }

    /// A channel's payload through its adapter. An unknown shape is kept as a dead letter and
    /// answered as such (so the channel stops retrying); an unusable lead is INVALID_ARGUMENT.
    func ingestLead(request: Sales_Leads_V1_IngestLeadRequest, context: ServerContext) async throws -> Sales_Leads_V1_IngestLeadResponse {
        let caller = try RequestContext.caller()
        guard let adapter = intake.adapter(named: request.adapter) else {
            throw ServiceError.invalidArgument(field: "adapter", rule: "\"\(request.adapter)\" is not an active intake adapter; active: \(intake.names.joined(separator: ", "))")
        }
        let intakeLead: IntakeLead
        do {
            guard case .object(let payload) = try RuleValue(json: request.payloadJson) else {
                throw IntakeFailure.unknownShape("the payload is not a JSON object")
            }
            intakeLead = try adapter.read(payload)
        } catch let failure as IntakeFailure {
            switch failure {
            case .unusable(let field, let rule):
                throw ServiceError.invalidArgument(field: "payload_json.\(field)", rule: rule)
            case .unknownShape(let reason):
                return try await deadLetter(request, reason: reason, caller: caller)
            }
        } catch {
            return try await deadLetter(request, reason: "the payload is not JSON: \(error)", caller: caller)
        }
        let create = Sales_Leads_V1_CreateLeadRequest.with {
            $0.contactName = intakeLead.contactName
            $0.companyName = intakeLead.companyName
            $0.phone = intakeLead.phone
            $0.creditCode = intakeLead.creditCode
            $0.channel = adapter.channel
            $0.campaign = intakeLead.campaign
            $0.city = intakeLead.city
            $0.inquiry = intakeLead.inquiry
        }
        let definitions = try await fields.definitions(tenant: caller.tenant)
        let lead: NewLead
        do {
            lead = try NewLead(create, fields: CustomFieldValues(definitions: definitions, stages: LeadStages.names))
        } catch {
            // Name the field in the channel's terms: it was missing from the channel's payload.
            guard case .invalidArgument(let field, let rule) = error else { throw error }
            throw ServiceError.invalidArgument(field: "payload_json (\(adapter.name) → \(field))", rule: rule)
        }
        let key = intakeLead.externalID.map { "intake:\(adapter.name):\($0)" }
        let created = try await self.create(lead, request: create, caller: caller, definitions: definitions, key: key)
        return .with { $0.lead = created.lead }
    }

    func listDeadLetters(request: Sales_Leads_V1_ListDeadLettersRequest, context: ServerContext) async throws -> Sales_Leads_V1_ListDeadLettersResponse {
        let caller = try RequestContext.caller()
        guard caller.seesWholeTenant else { throw ServiceError.permissionDenied("the dead letters are for admins") }
        let page = try Page(request.page)
        let (rows, next) = page.finish(try await store.deadLetters(tenant: caller.tenant, page: page), seq: \.seq)
        return .with {
            $0.deadLetters = rows.map(\.letter)
            $0.page = next
        }
    }

    private func deadLetter(
        _ request: Sales_Leads_V1_IngestLeadRequest, reason: String, caller: Caller
    ) async throws -> Sales_Leads_V1_IngestLeadResponse {
        let id = try await store.keepDeadLetter(adapter: request.adapter, payload: request.payloadJson, reason: reason, by: caller)
        RequestContext.logger.warning("intake payload kept as a dead letter", metadata: ["adapter": "\(request.adapter)", "reason": "\(reason)"])
        return .with {
            $0.deadLetterID = id.apiString
            $0.deadLetterReason = reason
        }
    }

    func logFollowUp(request: Sales_Leads_V1_LogFollowUpRequest, context: ServerContext) async throws -> Sales_Leads_V1_FollowUp {
        let caller = try RequestContext.caller()
        let new = try NewFollowUp(request)
        let logger = RequestContext.logger
        return try await Idempotency.run("LogFollowUp", request: request, database: database) { connection in
            guard try await store.find(new.leadID, for: caller, lock: true, on: connection, logger: logger) != nil else {
                throw ServiceError.notFound(kind: "lead", id: new.leadID.apiString)
            }
            let stored = try await followUps.insert(new, author: caller, on: connection, logger: logger)
            try await Outbox.append(
                stored, tenant: caller.tenant, aggregateType: "lead", aggregateID: new.leadID.apiString, on: connection, logger: logger)
            return stored
        }
    }

    func listFollowUps(request: Sales_Leads_V1_ListFollowUpsRequest, context: ServerContext) async throws -> Sales_Leads_V1_ListFollowUpsResponse {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.leadID, field: "lead_id")
        let logger = RequestContext.logger
        let list = try await database.withConnection { connection in
            guard try await store.find(id, for: caller, on: connection, logger: logger) != nil else {
                throw ServiceError.notFound(kind: "lead", id: id.apiString)
            }
            return try await followUps.list(lead: id, on: connection, logger: logger)
        }
        return .with { $0.followUps = list }
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

    func getOverview(request: Sales_Leads_V1_GetOverviewRequest, context: ServerContext) async throws -> Sales_Leads_V1_LeadsOverview {
        try await store.overview(for: try RequestContext.caller())
    }

    private func customFields(for caller: Caller) async throws -> CustomFieldValues {
        CustomFieldValues(definitions: try await fields.definitions(tenant: caller.tenant), stages: LeadStages.names)
    }

    /// `updates` over `current`; an update without a value clears the field.
    static func merging(
        _ current: [String: Sales_Common_V1_FieldValue], _ updates: [String: Sales_Common_V1_FieldValue]
    ) -> [String: Sales_Common_V1_FieldValue] {
        var merged = current
        for (key, value) in updates { merged[key] = value.kind == nil ? nil : value }
        return merged
    }

    /// Events carry masked phones: the feed's readers are services, not people with the permission.
    static func eventReader(_ caller: Caller) -> Caller {
        Caller(tenant: caller.tenant, userID: "svc:leads", roles: [.service], orgPath: "/")
    }
}
