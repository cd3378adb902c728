import Foundation
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Suggestions for an objection on a deal: the best-matching atoms with their figures.
struct Playbook: Sendable {
    let store: PlaybookStore

    static let suggestions = 3

    func suggest(for objection: String, on deal: Opportunity, tenant: TenantID) async throws -> [Sales_Opportunities_V1_PlaybookSuggestion] {
        try await suggest(for: objection, stage: deal.stageKey, customerType: deal.customerType, orgPath: deal.orgPath, tenant: tenant)
    }

    /// The same for a deal described by its stage, customer type and team (one this service does not hold).
    func suggest(for objection: String, stage: String, customerType: String, orgPath: String, tenant: TenantID) async throws
        -> [Sales_Opportunities_V1_PlaybookSuggestion]
    {
        let candidates = try await store.candidates(tenant: tenant, stage: stage, customerType: customerType)
        let scored = candidates.compactMap { atom -> (atom: Sales_Opportunities_V1_PlaybookAtom, score: Double)? in
            PlaybookMatch.score(
                objection: objection, atomObjection: atom.objection, stage: stage, atomStage: atom.stage,
                customerType: customerType, atomCustomerType: atom.customerType
            ).map { (atom, $0) }
        }
        return try await withFigures(scored, region: PlaybookStore.region(of: orgPath), tenant: tenant)
            // Best match first; among equals, the one that won more.
            .sorted { ($0.score, $0.figures.winLiftPercent) > ($1.score, $1.figures.winLiftPercent) }
            .prefix(Self.suggestions).map { $0 }
    }

    func withFigures(_ atoms: [(atom: Sales_Opportunities_V1_PlaybookAtom, score: Double)], region: String, tenant: TenantID)
        async throws -> [Sales_Opportunities_V1_PlaybookSuggestion]
    {
        let figures = try await store.figures(of: atoms.map(\.atom), region: region, tenant: tenant)
        return atoms.map { entry in
            .with {
                $0.atom = entry.atom
                $0.atom.adoptions = figures[entry.atom.id]?.adoptions ?? 0
                $0.figures = figures[entry.atom.id]?.figures ?? .init()
                $0.score = entry.score
            }
        }
    }

    /// A checked atom as a request gives it: keys and one to three strategies.
    static func checked(_ atom: Sales_Opportunities_V1_PlaybookAtom, field: String) throws(ServiceError) -> Sales_Opportunities_V1_PlaybookAtom {
        var checked = atom
        checked.customerType =
            atom.customerType.isEmpty ? PlaybookMatch.any : try Require.text(atom.customerType, field: "\(field).customer_type", maxLength: 40)
        checked.stage = atom.stage.isEmpty ? PlaybookMatch.any : try Require.text(atom.stage, field: "\(field).stage", maxLength: 40)
        checked.objection = try Require.text(atom.objection, field: "\(field).objection", maxLength: 100)
        guard PlaybookMatch.normalized(checked.objection).count >= 2 else {
            throw .invalidArgument(field: "\(field).objection", rule: "must name the objection in at least two letters or characters")
        }
        guard (1...3).contains(atom.strategies.count) else {
            throw .invalidArgument(field: "\(field).strategies", rule: "one to three strategies; got \(atom.strategies.count)")
        }
        for (index, strategy) in atom.strategies.enumerated() {
            let text = try Require.text(strategy.text, field: "\(field).strategies[\(index)].text", maxLength: 500)
            guard text.count >= 2 else { throw .invalidArgument(field: "\(field).strategies[\(index)].text", rule: "must be 2 to 500 characters") }
            checked.strategies[index].text = text
            checked.strategies[index].conditions = try Require.optionalText(
                strategy.conditions, field: "\(field).strategies[\(index)].conditions", maxLength: 200)
            checked.strategies[index].expectedEffect = try Require.optionalText(
                strategy.expectedEffect, field: "\(field).strategies[\(index)].expected_effect", maxLength: 200)
        }
        return checked
    }
}
