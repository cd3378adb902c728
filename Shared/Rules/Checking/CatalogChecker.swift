/// Checks a rule against a domain's field catalog before it is saved: every field it reads
/// exists (with the nearest known name when not), and every operator gets the kinds of values it
/// works on. JsonLogic would coerce a text field compared with a number; a saved rule should not
/// depend on that. Inside `map`, `filter`, `all`, `none`, `some` and `reduce`, `var` reads the
/// element (or `current`/`accumulator`), not the record, and is checked against the element's kind.
struct CatalogChecker {
    let catalog: FieldCatalog
    private(set) var problems: [RuleProblem] = []

    init(catalog: FieldCatalog) {
        self.catalog = catalog
    }

    /// An expression's kind with the words messages use for it.
    struct Typed {
        var type: RuleType
        var words: String
        var choices: [String]? = nil
        var constant: RuleValue? = nil

        static let unknown = Typed(type: .any, words: "a value")
    }

    /// What `var` reads from at this point of the rule.
    indirect enum Scope {
        case record
        case element(Typed, of: String)
        case reduce(current: Typed, accumulator: Typed)
    }

    mutating func check(_ expression: Expression) {
        _ = infer(expression, scope: .record)
    }

    private mutating func infer(_ expression: Expression, scope: Scope) -> Typed {
        switch expression {
        case .literal(let value):
            return Self.describe(value)
        case .invalid:
            return .unknown
        case .list(let elements, _):
            let types = elements.map { infer($0, scope: scope) }
            let element = types.dropFirst().reduce(types.first?.type ?? .any) { $0.joined(with: $1.type) }
            return Typed(type: .array(element), words: "a list", constant: expression.constantValue)
        case .operation(let operation):
            switch operation.entry {
            case .plugin(let op): return plugin(op, operation, scope: scope)
            case .builtin(let builtin): return self.builtin(builtin, operation, scope: scope)
            }
        }
    }

    private mutating func plugin(_ op: any RuleOperator, _ operation: Expression.Operation, scope: Scope) -> Typed {
        for (index, argument) in operation.arguments.enumerated() {
            let typed = infer(argument, scope: scope)
            guard let parameter = op.signature.parameter(at: index) else { continue }
            if !parameter.type.accepts(typed.type) {
                report(
                    .typeMismatch, operation.argumentPath(index),
                    "`\(operation.name)` takes \(parameter.type) as its \(parameter.name); got \(typed.words)")
            }
        }
        return Typed(type: op.signature.result, words: "the result of `\(operation.name)`")
    }

    private mutating func builtin(_ builtin: BuiltinOperator, _ operation: Expression.Operation, scope: Scope) -> Typed {
        let name = operation.name
        let arguments = operation.arguments
        let result = { (type: RuleType) in Typed(type: type, words: "the result of `\(name)`") }
        switch builtin {
        case .variable:
            return variable(operation, scope: scope)
        case .missing, .missingSome:
            for (index, argument) in arguments.enumerated() {
                if builtin == .missingSome && index == 0 {
                    let need = infer(argument, scope: scope)
                    if !RuleType.number.accepts(need.type) {
                        report(.typeMismatch, operation.argumentPath(0), "`\(name)` needs a count first; got \(need.words)")
                    }
                    continue
                }
                guard let constant = argument.constantValue else {
                    _ = infer(argument, scope: scope)
                    continue
                }
                for key in constant.arrayValue ?? [constant] {
                    let text = key.isNull ? "" : key.jsString
                    if !text.isEmpty { _ = read(text, scope: scope, at: operation.argumentPath(index)) }
                }
            }
            return result(.array(.text))
        case .if, .ternary:
            let types = arguments.map { infer($0, scope: scope) }
            var outcome: RuleType?
            for (index, typed) in types.enumerated() where index % 2 == 1 || index == types.count - 1 {
                outcome = outcome.map { $0.joined(with: typed.type) } ?? typed.type
            }
            return result(outcome ?? .null)
        case .and, .or:
            let types = arguments.map { infer($0, scope: scope) }
            return result(types.dropFirst().reduce(types.first?.type ?? .any) { $0.joined(with: $1.type) })
        case .not, .truthy:
            arguments.forEach { _ = infer($0, scope: scope) }
            return result(.boolean)
        case .equal, .notEqual, .strictEqual, .strictNotEqual:
            let types = arguments.map { infer($0, scope: scope) }
            if types.count == 2 { compareForEquality(types[0], types[1], operation) }
            return result(.boolean)
        case .greater, .greaterOrEqual, .less, .lessOrEqual:
            let types = arguments.map { infer($0, scope: scope) }
            let orderable = types.map { [.any, .null, .number, .text].contains($0.type) }
            for (index, typed) in types.enumerated() where !orderable[index] {
                report(.typeMismatch, operation.argumentPath(index), "`\(name)` cannot order \(typed.words)")
            }
            for (left, right) in zip(types, types.dropFirst())
            where orderable.allSatisfy({ $0 }) && left.type.isScalar && right.type.isScalar && left.type != right.type {
                report(.typeMismatch, operation.path, "`\(name)` compares \(left.words) with \(right.words)")
            }
            return result(.boolean)
        case .in:
            let types = arguments.map { infer($0, scope: scope) }
            if types.count == 2 { membership(types[0], in: types[1], operation) }
            return result(.boolean)
        case .max, .min, .add, .subtract, .multiply, .divide, .modulo:
            for (index, argument) in arguments.enumerated() {
                let typed = infer(argument, scope: scope)
                if !RuleType.number.accepts(typed.type) {
                    report(.typeMismatch, operation.argumentPath(index), "`\(name)` does arithmetic on \(typed.words)")
                }
            }
            return result(.number)
        case .map, .filter, .all, .none, .some, .reduce:
            guard arguments.count >= 2 else { return result(.any) }
            let source = infer(arguments[0], scope: scope)
            var element = Typed.unknown
            switch source.type {
            case .array(let type): element = Typed(type: type, words: "an element of \(source.words)")
            case .any, .null: break
            default: report(.typeMismatch, operation.argumentPath(0), "`\(name)` needs a list; got \(source.words)")
            }
            if builtin == .reduce {
                let initial = arguments.count > 2 ? infer(arguments[2], scope: scope) : Typed(type: .null, words: "null")
                let body = infer(arguments[1], scope: .reduce(current: element, accumulator: initial))
                return result(initial.type.joined(with: body.type))
            }
            let body = infer(arguments[1], scope: .element(element, of: name))
            return switch builtin {
            case .map: result(.array(body.type))
            case .filter: result(source.type)
            default: result(.boolean)
            }
        case .merge:
            let types = arguments.map { infer($0, scope: scope) }
            let elements = types.map { typed -> RuleType in
                if case .array(let element) = typed.type { return element }
                return typed.type
            }
            return result(.array(elements.dropFirst().reduce(elements.first ?? .any) { $0.joined(with: $1) }))
        case .cat:
            arguments.forEach { _ = infer($0, scope: scope) }
            return result(.text)
        case .substr:
            for (index, argument) in arguments.enumerated() {
                let typed = infer(argument, scope: scope)
                if index > 0 && !RuleType.number.accepts(typed.type) {
                    report(
                        .typeMismatch, operation.argumentPath(index),
                        "`\(name)` takes a number as its \(index == 1 ? "start" : "length"); got \(typed.words)")
                }
            }
            return result(.text)
        case .log:
            let types = arguments.map { infer($0, scope: scope) }
            return types.first ?? .unknown
        }
    }

    // MARK: Fields

    private mutating func variable(_ operation: Expression.Operation, scope: Scope) -> Typed {
        let arguments = operation.arguments
        if arguments.count > 1 { _ = infer(arguments[1], scope: scope) }
        guard let first = arguments.first else { return whole(scope) }
        guard let constant = first.constantValue else {
            _ = infer(first, scope: scope)
            if case .record = scope {
                report(
                    .uncheckable, operation.path,
                    "a computed `var` path cannot be checked against the \(catalog.domain) catalog; name the field")
            }
            return .unknown
        }
        let text = constant.isNull ? "" : constant.jsString
        guard !text.isEmpty else { return whole(scope) }
        return read(text, scope: scope, at: operation.path)
    }

    private func whole(_ scope: Scope) -> Typed {
        switch scope {
        case .record: Typed(type: .object, words: "the whole \(catalog.domain)")
        case .element(let element, _): element
        case .reduce: Typed(type: .object, words: "the reduce scope")
        }
    }

    /// The kind of the value at a dotted path, reporting a path that cannot exist.
    private mutating func read(_ text: String, scope: Scope, at path: RulePath) -> Typed {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch scope {
        case .record:
            guard let field = catalog.field(named: parts[0]) else {
                var message = "`\(parts[0])` is not a \(catalog.domain) field"
                if let nearest = catalog.suggestion(for: parts[0]) { message += "; did you mean `\(nearest)`?" }
                report(.unknownField, path, message)
                return .unknown
            }
            var typed = Typed(type: field.type.ruleType, words: "\(field.type) field `\(field.name)`")
            if case .choice(let options) = field.type { typed.choices = options }
            return descend(typed, fieldType: field.type, parts.dropFirst(), written: text, at: path)
        case .element(let element, let iterator):
            guard element.type != .any, element.type != .object else { return .unknown }
            let typed = descend(element, fieldType: nil, parts[...], written: text, at: path, inside: iterator)
            return typed
        case .reduce(let current, let accumulator):
            switch parts[0] {
            case "current": return descend(current, fieldType: nil, parts.dropFirst(), written: text, at: path, inside: "reduce")
            case "accumulator": return descend(accumulator, fieldType: nil, parts.dropFirst(), written: text, at: path, inside: "reduce")
            default:
                report(.unknownField, path, "inside `reduce`, `var` reads `current` or `accumulator`, not `\(parts[0])`")
                return .unknown
            }
        }
    }

    /// Steps into a value: a geo point's `lat`/`lng`, a list's index or `length`, text's `length`.
    private mutating func descend(
        _ start: Typed, fieldType: FieldType?, _ steps: ArraySlice<String>, written: String, at path: RulePath,
        inside iterator: String? = nil
    ) -> Typed {
        var typed = start
        var fieldType = fieldType
        for step in steps {
            let next: Typed?
            switch (fieldType, typed.type) {
            case (.geoPoint?, _):
                next = step == "lat" || step == "lng" ? Typed(type: .number, words: "number `\(written)`") : nil
            case (_, .any), (_, .object):
                return .unknown
            case (_, .array(let element)):
                if FieldKey.listIndex(step) != nil {
                    if case .list(let inner)? = fieldType { fieldType = inner } else { fieldType = nil }
                    next = Typed(type: element, words: "\(element) `\(written)`")
                } else {
                    next = step == "length" ? Typed(type: .number, words: "number `\(written)`") : nil
                }
            case (_, .text):
                next = step == "length" ? Typed(type: .number, words: "number `\(written)`") : nil
            default:
                next = nil
            }
            guard let next else {
                if let iterator {
                    report(.unknownField, path, "inside `\(iterator)`, `var` \"\(written)\" reads \(start.words), which has no `\(step)`")
                } else {
                    report(.unknownField, path, "`\(written)` does not exist: \(typed.words) has no `\(step)`")
                }
                return .unknown
            }
            if case .geoPoint? = fieldType { fieldType = .number }
            typed = next
        }
        return typed
    }

    // MARK: Operators

    private mutating func compareForEquality(_ left: Typed, _ right: Typed, _ operation: Expression.Operation) {
        if !Self.comparable(left.type, right.type) {
            report(.typeMismatch, operation.path, "`\(operation.name)` compares \(left.words) with \(right.words)")
            return
        }
        checkOption(left, right.constant, operation)
        checkOption(right, left.constant, operation)
    }

    private mutating func membership(_ needle: Typed, in haystack: Typed, _ operation: Expression.Operation) {
        switch haystack.type {
        case .array(let element):
            if !Self.comparable(needle.type, element) {
                report(.typeMismatch, operation.path, "`in` looks for \(needle.words) in \(haystack.words) of \(element)")
            } else if let options = haystack.constant?.arrayValue {
                for option in options { checkOption(needle, option, operation) }
            }
        case .text:
            if !RuleType.text.accepts(needle.type) {
                report(.typeMismatch, operation.path, "`in` looks for \(needle.words) inside \(haystack.words)")
            }
        case .any, .null:
            break
        default:
            report(.typeMismatch, operation.argumentPath(1), "`in` needs a list or text to look in; got \(haystack.words)")
        }
    }

    /// A choice field compared with text that is none of its options can never match.
    private mutating func checkOption(_ typed: Typed, _ value: RuleValue?, _ operation: Expression.Operation) {
        guard let options = typed.choices, case .string(let text)? = value, !options.contains(text) else { return }
        report(
            .invalidArgument, operation.path,
            "\"\(text)\" is not an option of \(typed.words) (\(options.joined(separator: ", ")))")
    }

    private static func comparable(_ a: RuleType, _ b: RuleType) -> Bool {
        switch (a, b) {
        case (.any, _), (_, .any), (.null, _), (_, .null): true
        case (.array(let x), .array(let y)): comparable(x, y)
        default: a == b
        }
    }

    private static func describe(_ value: RuleValue) -> Typed {
        switch value {
        case .null: return Typed(type: .null, words: "null", constant: value)
        case .bool(let flag): return Typed(type: .boolean, words: "boolean \(flag)", constant: value)
        case .number: return Typed(type: .number, words: "number \(value.json)", constant: value)
        case .string: return Typed(type: .text, words: "text \(value.json)", constant: value)
        case .array(let elements):
            let element = elements.dropFirst().reduce(elements.first.map { describe($0).type } ?? .any) { $0.joined(with: describe($1).type) }
            return Typed(type: .array(element), words: "a list", constant: value)
        case .object: return Typed(type: .object, words: "an object", constant: value)
        }
    }

    private mutating func report(_ kind: RuleProblem.Kind, _ path: RulePath, _ message: String) {
        problems.append(RuleProblem(kind, at: path, message))
    }
}
