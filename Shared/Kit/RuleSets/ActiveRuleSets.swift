import Foundation
import Logging
import RulesEngine
import SalesModel
import SalesProto
import Synchronization

/// The active version of a rule set, compiled once per tenant and version, for the hot path
/// (routing every new lead). A new version, a changed catalog or changed mapping tables compile afresh.
public final class ActiveRuleSets: Sendable {
    private struct Key: Hashable {
        let tenant: TenantID
        let name: String
        let version: Int32
        let catalog: FieldCatalog
        let operators: Int64
    }

    private let store: RuleSetStore
    private let registry: @Sendable (TenantID) async throws -> TenantRegistry
    private let compiled = Mutex<[Key: CompiledRuleSet]>([:])

    public init(store: RuleSetStore, registry: @escaping @Sendable (TenantID) async throws -> TenantRegistry) {
        self.store = store
        self.registry = registry
    }

    /// The active version of `name`, compiled against `catalog`; nil when none is active. A stored
    /// version that no longer compiles (a field it read was changed) counts as none, and is logged.
    public func active(_ name: String, tenant: TenantID, catalog: FieldCatalog) async throws -> (version: Int32, rules: CompiledRuleSet)? {
        guard let number = try await store.activeVersionNumber(name: name, tenant: tenant) else { return nil }
        let operators = try await registry(tenant)
        let key = Key(tenant: tenant, name: name, version: number, catalog: catalog, operators: operators.version)
        if let hit = compiled.withLock({ $0[key] }) { return (number, hit) }
        guard let version = try await store.versions(name: name, tenant: tenant, only: number).first else { return nil }
        do {
            let rules = try CompiledRuleSet(version.rules, compiler: RuleCompiler(registry: operators.registry, catalog: catalog))
            compiled.withLock { cache in
                if cache.count > 1_000 { cache.removeAll() }
                cache[key] = rules
            }
            return (version.version, rules)
        } catch {
            RequestContext.logger.error(
                "active rule set no longer compiles",
                metadata: [
                    "rule_set": "\(name)", "version": "\(version.version)", "problems": "\(error.problems.map(\.message))",
                ])
            return nil
        }
    }
}
