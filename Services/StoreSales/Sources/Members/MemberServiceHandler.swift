import Foundation
import GRPCCore
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// sales.storesales.v1.MemberService.
struct MemberServiceHandler: Sales_Storesales_V1_MemberService.SimpleServiceProtocol {
    let members: MemberStore
    let clerks: ClerkStore
    let shops: ShopStore
    let signer: ClerkCodeSigner
    let hasher: PhoneHasher
    let calendars: TenantCalendars
    let suggester: Suggester

    func importMembers(
        request: Sales_Storesales_V1_ImportMembersRequest, context: ServerContext
    ) async throws -> Sales_Storesales_V1_ImportMembersResponse {
        let caller = try RequestContext.caller(allowedTo: .runStores, "importing members")
        try ImportRows.checkCount(request.rows.count, most: Sales_Storesales_V1_ImportMembersRequest.mostRows)
        let zone = await calendars.calendar(for: caller.tenant).timeZone
        let now = Date()
        let (outcomes, rows) = try ImportRows.check(request.rows, line: \.line) { row in
            try CheckedMember(row, hasher: hasher, zone: zone, now: now)
        }
        let logger = RequestContext.logger
        let results = try await Idempotency.run("ImportMembers", request: request, database: members.database) { connection in
            var response = Sales_Storesales_V1_ImportMembersResponse()
            for (index, member) in rows {
                let (id, result) = try await members.upsert(member, tenant: caller.tenant, on: connection, logger: logger)
                response.outcomes.append(
                    .with {
                        $0.line = Int32(index)
                        $0.id = id.apiString
                        $0.result = result.rawValue
                    })
            }
            return response
        }
        return .with { $0.outcomes = ImportRows.merge(results.outcomes, into: outcomes) }
    }

    func getMember(request: Sales_Storesales_V1_GetMemberRequest, context: ServerContext) async throws -> Sales_Storesales_V1_Member {
        let caller = try RequestContext.caller(allowedTo: .serveMembers, "opening a member")
        let id = try Require.uuid(request.memberID, field: "member_id")
        guard let record = try await members.member(id, tenant: caller.tenant) else {
            throw ServiceError.notFound(kind: "member", id: request.memberID)
        }
        return record.shown(to: caller)
    }

    func issueClerkCode(request: Sales_Storesales_V1_IssueClerkCodeRequest, context: ServerContext) async throws -> Sales_Storesales_V1_ClerkCode {
        let caller = try RequestContext.caller()
        let clerk = try await clerkSignedIn(caller, "issuing a clerk code")
        let (payload, expiresAt) = signer.issue(clerkSeq: clerk.seq, tenant: caller.tenant, now: Date())
        return .with {
            $0.payload = payload
            $0.expiresAt = Google_Protobuf_Timestamp(date: expiresAt)
            $0.clerkID = clerk.id.apiString
            $0.storeID = clerk.storeID.apiString
        }
    }

    func scanClerkCode(
        request: Sales_Storesales_V1_ScanClerkCodeRequest, context: ServerContext
    ) async throws -> Sales_Storesales_V1_ScanClerkCodeResponse {
        let caller = try RequestContext.caller()
        let now = Date()
        let claim = try signer.verify(request.code.trimmingCharacters(in: .whitespacesAndNewlines), tenant: caller.tenant, now: now)
        let phone = try CheckedMember.mobile(request.mobile)
        let name = try Require.optionalText(request.name, field: "name", maxLength: 50)
        guard let clerk = try await clerks.bySeq(claim.clerkSeq, tenant: caller.tenant) else {
            throw ServiceError.failedPrecondition("the clerk of this code no longer works here; ask a clerk in the store for theirs")
        }
        let hash = hasher.hash(phone)
        let logger = RequestContext.logger
        let response = try await Idempotency.run("ScanClerkCode", request: request, database: members.database) { connection in
            let store = try await shops.code(of: clerk.storeID, on: connection, logger: logger)
            let (id, new) = try await members.scan(
                phone: phone, hash: hash, name: name, consent: request.consent, clerk: clerk, storeCode: store, at: now,
                tenant: caller.tenant, on: connection, logger: logger)
            try await Outbox.append(
                Sales_Storesales_V1_MemberScanned.with {
                    $0.memberID = id.apiString
                    $0.clerkID = clerk.id.apiString
                    $0.storeID = clerk.storeID.apiString
                    $0.newMember = new
                    $0.scannedAt = Google_Protobuf_Timestamp(date: now)
                }, tenant: caller.tenant, aggregateType: "member", aggregateID: id.apiString, on: connection, logger: logger)
            guard let record = try await members.member(id, tenant: caller.tenant, on: connection) else {
                throw ServiceError.unavailable("the member was not stored; retry")
            }
            return Sales_Storesales_V1_ScanClerkCodeResponse.with {
                $0.member = record.shown(to: caller)
                $0.newMember = new
                $0.clerkID = clerk.id.apiString
                $0.storeID = clerk.storeID.apiString
            }
        }
        return PersonalData.shown(response, to: caller)
    }

    func addMemberNote(request: Sales_Storesales_V1_AddMemberNoteRequest, context: ServerContext) async throws -> Sales_Storesales_V1_MemberNote {
        let caller = try RequestContext.caller()
        let clerk = try await clerkSignedIn(caller, "adding a note")
        let id = try Require.uuid(request.memberID, field: "member_id")
        let note = try CheckedNote(request)
        guard try await members.member(id, tenant: caller.tenant) != nil else { throw ServiceError.notFound(kind: "member", id: request.memberID) }
        let logger = RequestContext.logger
        return try await Idempotency.run("AddMemberNote", request: request, database: members.database) { connection in
            try await members.addNote(note, member: id, clerk: clerk.id, on: connection, logger: logger)
        }
    }

    func suggestForMember(request: Sales_Storesales_V1_SuggestForMemberRequest, context: ServerContext) async throws
        -> Sales_Storesales_V1_Suggestions
    {
        let caller = try RequestContext.caller(allowedTo: .serveMembers, "suggesting for a member")
        let id = try Require.uuid(request.memberID, field: "member_id")
        guard request.keywords.count <= 10 else {
            throw ServiceError.invalidArgument(field: "keywords", rule: "at most 10 a call (got \(request.keywords.count))")
        }
        var keywords: [String] = []
        for (index, keyword) in request.keywords.enumerated() {
            keywords.append(try Require.text(keyword, field: "keywords[\(index)]", maxLength: 20))
        }
        let zone = await calendars.calendar(for: caller.tenant).timeZone
        guard let suggestions = try await suggester.suggest(for: id, keywords: keywords, tenant: caller.tenant, zone: zone) else {
            throw ServiceError.notFound(kind: "member", id: request.memberID)
        }
        return .with { $0.suggestions = suggestions }
    }

    /// The clerk the caller works as; PERMISSION_DENIED for a user who is no clerk.
    private func clerkSignedIn(_ caller: Caller, _ action: String) async throws -> ClerkRow {
        guard let clerk = try await clerks.byUser(caller.userID, tenant: caller.tenant) else {
            throw ServiceError.permissionDenied("\(action) needs a clerk of a store; a store manager adds one with AddClerk")
        }
        return clerk
    }
}

/// Rows are checked one by one in `importMembers` (a NUL in one cell refuses its row, not the file).
extension Sales_Storesales_V1_ImportMembersRequest: TextCheckedByItem {}
