import Foundation
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Three things for a clerk to offer a member, each with why: the day's keywords first (what the
/// customer asks for now), then what members who bought the same also bought, then what the
/// member's age band buys; the chain's best sellers fill what is left. One from each source
/// before a second from any.
struct Suggester: Sendable {
    let store: SuggestionStore

    static let count = 3

    func suggest(for member: UUID, keywords: [String], tenant: TenantID, zone: TimeZone) async throws -> [Sales_Storesales_V1_Suggestion]? {
        guard let decade = try await store.decade(of: member, tenant: tenant) else { return nil }
        let bought = try await store.bought(by: member, tenant: tenant)
        let mine = bought.map(\.sku)
        var sources: [[SuggestionStore.Candidate]] = []

        var byKeyword: [SuggestionStore.Candidate] = []
        for keyword in keywords {
            for sku in try await store.matching(keyword, tenant: tenant) where !mine.contains(sku) {
                byKeyword.append(.init(sku: sku, source: "keyword", why: "今天咨询提到「\(keyword)」："))
            }
        }
        sources.append(byKeyword)

        let lastBought = Dictionary(bought.map { ($0.sku, ($0.name, $0.at)) }, uniquingKeysWith: { first, _ in first })
        var day = Date.FormatStyle(date: .abbreviated, time: .omitted)
        day.timeZone = zone
        sources.append(
            try await store.boughtTogether(with: mine, member: member, tenant: tenant).map { pair in
                let (name, at) = lastBought[pair.via] ?? (pair.via, Date())
                return .init(
                    sku: pair.sku, source: "bought_together",
                    why: "\(at.formatted(day.locale(Locale(identifier: "zh_CN")))) 买过「\(name)」：买过它的 \(pair.buyers) 位会员也买了")
            })

        if let decade {
            sources.append(
                try await store.ageBandFavourites(decade: decade, excluding: mine, tenant: tenant).map { favourite in
                    .init(
                        sku: favourite.sku, source: "age_band",
                        why: "同龄会员（\(decade % 100)后）近90天 \(favourite.buyers) 人买过")
                })
        }
        sources.append(
            try await store.bestsellers(excluding: mine, tenant: tenant).map { best in
                .init(sku: best.sku, source: "bestseller", why: "全店近30天热销 \(best.sold) 件：")
            })

        let picked = Self.pick(from: sources)
        let products = try await store.products(Set(picked.map(\.sku)), tenant: tenant)
        return picked.map { candidate in
            let product = products[candidate.sku]
            return .with {
                $0.sku = candidate.sku
                $0.name = product?.name ?? candidate.sku
                $0.category = product?.category ?? ""
                $0.source = candidate.source
                // Each reason reads up to the product's name.
                $0.why = "\(candidate.why)「\(product?.name ?? candidate.sku)」"
            }
        }
    }

    /// Takes the best unused candidate of each source in turn until `count` are picked.
    static func pick(from sources: [[SuggestionStore.Candidate]]) -> [SuggestionStore.Candidate] {
        var picked: [SuggestionStore.Candidate] = []
        var used = Set<String>()
        var positions = Array(repeating: 0, count: sources.count)
        var progressed = true
        while picked.count < count, progressed {
            progressed = false
            for (index, source) in sources.enumerated() where picked.count < count {
                while positions[index] < source.count, used.contains(source[positions[index]].sku) { positions[index] += 1 }
                guard positions[index] < source.count else { continue }
                let candidate = source[positions[index]]
                positions[index] += 1
                used.insert(candidate.sku)
                picked.append(candidate)
                progressed = true
            }
        }
        return picked
    }
}
