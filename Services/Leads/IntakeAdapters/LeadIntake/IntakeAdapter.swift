import Foundation
import RulesEngine
import SalesProto
import ServiceKit

/// One lead shape, whatever channel it came from.
public struct IntakeLead: Sendable, Equatable {
    /// The channel's own id of the message (clue id, order id…): a repeat delivery carries the same.
    public var externalID: String?
    public var contactName = ""
    public var companyName = ""
    public var phone = ""
    public var creditCode = ""
    public var city = ""
    public var inquiry = ""
    public var campaign = ""

    public init(externalID: String? = nil) {
        self.externalID = externalID
    }
}

/// Why a payload did not become a lead.
public enum IntakeFailure: Error, Sendable, Equatable {
    /// The payload is the channel's, but lacks what makes a lead usable: refused, naming the field.
    case unusable(field: String, rule: String)
    /// Not a shape this adapter knows: kept in the dead-letter table, never dropped.
    case unknownShape(String)
}

/// An intake channel: reads the channel's payload into the one lead shape. Each adapter is its
/// own small module; the leads executable registers the ones it ships and configuration
/// (SALES_LEADS_INTAKE) chooses which are active. Adding a channel never touches domain code.
public protocol IntakeAdapter: Sendable {
    /// How IngestLead and configuration name it, e.g. "douyin".
    var name: String { get }
    var channel: Sales_Leads_V1_Channel { get }
    func read(_ payload: [String: RuleValue]) throws(IntakeFailure) -> IntakeLead
}

extension IntakeAdapter {
    /// The text at `path` ("visitor.mobile"), trimmed; numbers are read as their digits.
    public func text(_ payload: [String: RuleValue], _ path: String) -> String {
        var current: RuleValue = .object(payload)
        for key in path.split(separator: ".") {
            guard case .object(let members) = current, let next = members[String(key)] else { return "" }
            current = next
        }
        switch current {
        case .string(let text): return text.trimmingCharacters(in: .whitespacesAndNewlines)
        case .number(let number) where number.rounded() == number && abs(number) < 1e15: return String(Int64(number))
        default: return ""
        }
    }

    /// Fails with `unknownShape` unless every key is present: how an adapter recognises its payload.
    public func requireShape(_ payload: [String: RuleValue], keys: [String], described: String) throws(IntakeFailure) {
        let missing = keys.filter { payload[$0] == nil }
        guard missing.isEmpty else {
            throw .unknownShape("not \(described): \(missing.joined(separator: ", ")) missing")
        }
    }
}

/// The adapters a leads process may use.
public struct IntakeAdapters: Sendable {
    private let byName: [String: any IntakeAdapter]

    /// `active` limits them to those names; nil keeps all. An unknown name fails with the variable.
    public init(_ adapters: [any IntakeAdapter], active: [String]? = nil, variable: String = "SALES_LEADS_INTAKE") throws(ConfigurationError) {
        var all: [String: any IntakeAdapter] = [:]
        for adapter in adapters { all[adapter.name] = adapter }
        guard let active else {
            byName = all
            return
        }
        var chosen: [String: any IntakeAdapter] = [:]
        for name in active {
            guard let adapter = all[name] else {
                throw ConfigurationError(
                    variable: variable,
                    problem: "names \"\(name)\", which this build does not ship; known: \(all.keys.sorted().joined(separator: ", "))")
            }
            chosen[name] = adapter
        }
        byName = chosen
    }

    public func adapter(named name: String) -> (any IntakeAdapter)? { byName[name] }

    public var names: [String] { byName.keys.sorted() }
}
