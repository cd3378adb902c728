import Foundation
import RulesEngine

// The rules engine's side of scripts/bench-rules.sh: the routing rule set compiled once against
// the lead catalog, then every (rule, lead) pair evaluated, several passes. Prints one JSON line
// per way of holding the records.
//
// usage: rules-benchmark RULES.json LEADS.json [PASSES]

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("rules-benchmark: \(message)\n".utf8))
    exit(1)
}

func load(_ path: String) -> RuleValue {
    guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
    do { return try RuleValue(json: String(decoding: data, as: UTF8.self)) } catch { fail("\(path): \(error)") }
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else { fail("usage: rules-benchmark RULES.json LEADS.json [PASSES]") }
let passes = arguments.count > 3 ? Int(arguments[3]) ?? 20 : 20

let compiler = RuleCompiler(registry: .standard, catalog: .lead)
guard let ruleList = load(arguments[1]).objectValue?["rules"]?.arrayValue else { fail("\(arguments[1]) has no \"rules\" list") }
var rules: [CompiledRule] = []
for (index, entry) in ruleList.enumerated() {
    guard let document = entry.objectValue?["rule"] else { fail("rules[\(index)] has no \"rule\"") }
    do { rules.append(try compiler.compile(document)) } catch { fail("rules[\(index)]:\n\(error)") }
}
let records = load(arguments[2]).arrayValue ?? []
let leads = records.compactMap(BenchLead.init)
guard leads.count == records.count, !leads.isEmpty else { fail("\(arguments[2]) must be a list of leads") }

/// Evaluations per second over `passes` passes (the best pass, after one warm-up), and the matches of one pass.
func measure<D: RuleData>(_ rules: [CompiledRule], _ data: [D], passes: Int) -> (rate: Double, matches: Int) {
    var matches = 0
    var best = Double.infinity
    for pass in 0...passes {
        var count = 0
        let start = ContinuousClock.now
        for rule in rules {
            for record in data {
                do {
                    if try rule.matches(record) { count += 1 }
                } catch {
                    fail("evaluation failed: \(error)")
                }
            }
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if pass > 0 { best = min(best, seconds) }
        matches = count
    }
    return (Double(rules.count * data.count) / best, matches)
}

let native = measure(rules, leads, passes: passes)
let plain = measure(rules, records, passes: passes)
for (engine, result) in [("ours (lead structs)", native), ("ours (JSON-shaped values)", plain)] {
    let line: RuleValue = [
        "engine": .string(engine), "evaluations_per_second": .number(result.rate.rounded()),
        "matches": .number(Double(result.matches)), "pairs": .number(Double(rules.count * leads.count)),
    ]
    print(line.json)
}
