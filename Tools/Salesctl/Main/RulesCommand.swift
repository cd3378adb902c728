import ArgumentParser
import Foundation
import RulesEngine
import SalesControl

/// `salesctl rules`: evaluate JsonLogic rules and check rule sets before they are saved.
struct RulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "Evaluate rules and check rule sets against a domain's fields.",
        subcommands: [Eval.self, Check.self])

    /// The data the domain operators read: mapping tables for `in_mapping`, a work calendar for
    /// `business_hours_between`.
    struct OperatorData: ParsableArguments {
        @Option(help: "JSON file of mapping tables for in_mapping: {\"table\": {\"key\": value}}.")
        var mappings: String?

        @Option(
            help:
                "JSON file of the work calendar for business_hours_between: {\"time_zone\", \"working_hours\", \"weekend\", \"holidays\", \"make_up_workdays\"}."
        )
        var calendar: String?

        func environment() throws -> RuleToolEnvironment {
            do {
                return try RuleToolEnvironment.load(mappingsPath: mappings, calendarPath: calendar)
            } catch {
                throw ValidationError(error.message)
            }
        }
    }

    struct Eval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a rule's value for some data as JSON, or answer a file of {\"rule\", \"data\"} lines.")

        @Option(help: "The rule, as JSON.")
        var rule: String?

        @Option(help: "The data the rule reads, as JSON (default null).")
        var data: String?

        @Option(help: "A file of JSON lines {\"rule\": …, \"data\": …} (- for standard input); prints {\"result\": …} or {\"error\": …} per line.")
        var batch: String?

        @Option(help: "Check the rule against this domain's field catalog first (e.g. lead).")
        var domain: String?

        @Flag(help: "After the result, print how the rule reached it.")
        var explain = false

        @OptionGroup var operatorData: OperatorData

        func validate() throws {
            switch (rule, batch) {
            case (nil, nil): throw ValidationError("give --rule JSON (with --data JSON) or --batch FILE")
            case (_?, _?): throw ValidationError("give either --rule or --batch, not both")
            case (nil, _?) where data != nil || explain:
                throw ValidationError("--data and --explain go with --rule; batch lines carry their own data")
            default: break
            }
        }

        func run() async throws {
            let environment = try operatorData.environment()
            if let batch {
                var evaluator = try RuleBatch(environment: environment, domain: domain)
                let input: FileHandle
                if batch == "-" {
                    input = .standardInput
                } else {
                    guard let file = FileHandle(forReadingAtPath: batch) else { throw ValidationError("cannot read \(batch)") }
                    input = file
                }
                try evaluator.run(input: input, output: .standardOutput)
                return
            }
            do {
                say(try RuleEval.evaluate(rule: rule ?? "", data: data, domain: domain, environment: environment))
                if explain {
                    say(try RuleEval.explain(rule: rule ?? "", data: data, domain: domain, environment: environment).outline)
                }
            } catch {
                FileHandle.standardError.write(Data((error.message + "\n").utf8))
                throw ExitCode(1)
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a rule set file against a domain's field catalog; list every problem with its path (exit 1 when any).")

        @Argument(help: "The rule set: {\"name\": …, \"rules\": [{\"id\": …, \"rule\": {…}}, …]} (- for standard input).")
        var file: String

        @Option(help: "The domain whose fields the rules read.")
        var domain = LeadField.domain

        @OptionGroup var operatorData: OperatorData

        func run() async throws {
            let environment = try operatorData.environment()
            let contents = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: file)
            guard let contents else { throw ValidationError("cannot read \(file)") }
            let report: RuleSetReport
            do {
                report = try RuleSetCheck.check(text: String(decoding: contents, as: UTF8.self), domain: domain, environment: environment)
            } catch {
                throw ValidationError(error.message)
            }
            report.lines.forEach(say)
            if !report.isClean { throw ExitCode(1) }
        }
    }
}
