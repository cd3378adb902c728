// The rules engine (issue 3): JsonLogic documents compiled once and evaluated many times.
//
// Pipeline: JSON text → `JSONParser` (non-recursive, depth-limited) → `RuleValue` →
// `SyntaxReader` (operators resolved in the `OperatorRegistry`, argument counts, depth) →
// `CatalogChecker` (fields and kinds, when compiled against a `FieldCatalog`) → `Lowering`
// (evaluable `Node` tree: `var` paths split, catalog positions resolved, constants folded) →
// `CompiledRule.evaluate(record)`, where the record is any `RuleData`: a service's own type, or
// a plain `RuleValue`. `CompiledRule.explain` evaluates on a separate path and says why.
//
// Semantics are json-logic-js's (the official suite passes in full), with these choices where
// JavaScript's behaviour is an accident or cannot be had:
// - Division and remainder by zero are null (JavaScript gives Infinity/NaN, which JSON writes as null).
// - Lists and objects compare by content under `==`/`===` (JavaScript compares identities).
// - Text compares by code units, as JavaScript does (Swift's `==` would apply canonical equivalence).
// - `*` with one argument gives a number (JavaScript returns the argument unconverted).
// - Saved rules may not pass extra arguments (JavaScript ignores them): wrong counts are refused.
// - `log` writes to the registry's `logSink` (nowhere by default), not to the console.
// - `merge` and `cat` stop at `RuleLimits` sizes, so a rule cannot exhaust memory.
