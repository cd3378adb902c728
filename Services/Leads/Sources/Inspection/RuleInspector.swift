import Foundation
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Rule health: for each active grading, routing and checkpoint rule, how often it matched recent
/// leads and how often the fields it reads were empty; the values its mapping tables miss; the
/// hours of the next two weeks nobody is on duty; and the leads waiting on nobody or on a manager.
struct RuleInspector: Sendable {
    let store: LeadStore
    let domain: LeadRuleDomain
    let activeRules: ActiveRuleSets
    let checkpoints: LeadCheckpoints
    let desk: RoutingDeskStore
    let managers: TeamManagers
    let calendars: TenantCalendars

    func inspect(for caller: Caller, sampleSize: Int) async throws -> Sales_Leads_V1_RuleInspection {
        let catalog = try await domain.catalog(for: caller)
        let sample = try await domain.recentRecords(limit: sampleSize, for: caller)
        var inspection = Sales_Leads_V1_RuleInspection.with { $0.sampled = Int32(sample.count) }
        var lookups: [MappingLookup: [String]] = [:]
        let tables = Dictionary(try await domain.mappingTables.tables(for: caller.tenant).map { ($0.name, $0) }) { _, last in last }
        let monthAgo = Date().addingTimeInterval(-30 * 86_400)
        let lastMonth = sample.filter { record in
            record.data.objectValue?["created_at"]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) }.map { $0 >= monthAgo } ?? false
        }
        for name in Self.ruleSets {
            guard let active = try await activeRules.active(name, tenant: caller.tenant, catalog: catalog) else { continue }
            for entry in active.rules.entries {
                let matched = sample.filter { (try? entry.condition.matches($0.data)) == true }.count
                let fields = entry.condition.source.fieldsRead.filter { catalog.field(named: $0) != nil }.sorted()
                inspection.rules.append(
                    .with {
                        $0.ruleSet = name
                        $0.ruleID = entry.id
                        $0.matched = Int64(matched)
                        $0.fields = fields.map { field in
                            let empty = sample.filter { Self.isEmpty($0.data.objectValue?[field]) }.count
                            return .with {
                                $0.field = field
                                $0.emptyRate = sample.isEmpty ? 0 : Double(empty) / Double(sample.count)
                            }
                        }
                    })
                if matched == 0 { inspection.neverMatched.append("\(name)/\(entry.id)") }
                for (field, table) in Self.mappingLookups(entry.condition.source) {
                    lookups[MappingLookup(table: table, field: field), default: []].append("\(name)/\(entry.id)")
                }
            }
        }
        inspection.mappingMisses = Self.mappingMisses(lookups, tables: tables, records: lastMonth.map(\.data))
        inspection.unassigned = try await store.poolCount(for: caller)
        if let managers = await managers.managers(of: caller.tenant) {
            inspection.onManagers = try await store.openCount(ownedBy: managers, for: caller)
        } else {
            inspection.onManagers = -1
        }
        let recent = try await store.list(for: caller, status: .unspecified, page: try Page(.with { $0.pageSize = 200 }))
        let statuses = try await checkpoints.statuses(of: recent, tenant: caller.tenant, catalog: catalog)
        inspection.missedCheckpoints = Int64(statuses.filter { $0.contains { $0.state == .missed } }.count)
        inspection.rosterGaps = try await rosterGaps(for: caller)
        return inspection
    }

    /// Business hours of the next 14 days with nobody on duty, per team the desk serves (in the caller's scope).
    func rosterGaps(for caller: Caller, from start: Date = Date()) async throws -> [Sales_Leads_V1_RosterGap] {
        let calendar = await calendars.calendar(for: caller.tenant)
        let first = calendar.localDate(of: start)
        let last = first.adding(days: 13)
        let shifts = try await desk.roster(team: nil, first: first, last: last, tenant: caller.tenant)
        let reps = try await desk.list(tenant: caller.tenant, team: nil)
        let teams = Set(reps.map(\.teamPath) + shifts.map(\.team)).filter { team in
            caller.seesWholeTenant || caller.managedSubtree?.contains(team) == true
        }
        var covered: Set<String> = []
        for (team, shift) in shifts {
            for hour in shift.startHour..<shift.endHour { covered.insert("\(team)|\(shift.day)|\(hour)") }
        }
        let hours = (0..<24).filter { hour in calendar.periods.contains { $0.start < (hour + 1) * 60 && $0.end > hour * 60 } }
        var gaps: [Sales_Leads_V1_RosterGap] = []
        for team in teams.sorted() {
            var day = first
            while day <= last {
                if calendar.isWorkday(day) {
                    let open = hours.filter { !covered.contains("\(team)|\(day)|\($0)") }
                    if !open.isEmpty {
                        gaps.append(
                            .with {
                                $0.teamPath = team; $0.day = day.description; $0.hours = open.map(Int32.init)
                            })
                    }
                }
                day = day.adding(days: 1)
            }
        }
        return gaps
    }

    /// The rule sets the report looks at.
    static let ruleSets = [LeadGrading.ruleSetName, RoutingDecision.ruleSetName, Checkpoint.ruleSetName]

    /// For each table and field rules look up, the values `records` had that the table lacks.
    static func mappingMisses(
        _ lookups: [MappingLookup: [String]], tables: [String: MappingTable], records: [RuleValue]
    ) -> [Sales_Leads_V1_MappingMiss] {
        lookups.sorted { ($0.key.table, $0.key.field) < ($1.key.table, $1.key.field) }.compactMap { lookup, rules in
            guard let entries = tables[lookup.table]?.entries else { return nil }
            let missing = records.compactMap { record -> String? in
                guard let value = record.objectValue?[lookup.field], !isEmpty(value) else { return nil }
                return entries[value.jsString] == nil ? value.jsString : nil
            }
            guard !missing.isEmpty else { return nil }
            let counts = Dictionary(missing.map { ($0, 1) }, uniquingKeysWith: +)
            return .with {
                $0.rules = rules
                $0.table = lookup.table
                $0.field = lookup.field
                $0.values = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(20).map(\.key)
                $0.leads = Int64(missing.count)
            }
        }
    }

    struct MappingLookup: Hashable {
        let table: String
        let field: String
    }

    /// The (field, table) pairs a rule looks up with `{"in_mapping": [{"var": field}, "table"]}`.
    static func mappingLookups(_ rule: RuleValue) -> [(field: String, table: String)] {
        var lookups: [(String, String)] = []
        rule.forEachObject { members in
            if let arguments = members["in_mapping"]?.arrayValue, arguments.count == 2,
                let table = arguments[1].stringValue,
                let field = arguments[0].objectValue?["var"]?.stringValue, !field.isEmpty
            {
                lookups.append((field, table))
            }
        }
        return lookups
    }

    static func isEmpty(_ value: RuleValue?) -> Bool {
        switch value {
        case nil, .null?: true
        case .string(let text)?: text.isEmpty
        case .array(let items)?: items.isEmpty
        default: false
        }
    }
}
