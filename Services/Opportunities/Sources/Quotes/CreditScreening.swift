import SalesProto
import SwiftProtobuf

/// The credit pre-screen of a quote: each source's finding, and the worst of them as the grade.
struct CreditScreening: Sendable {
    struct Finding: Sendable, Equatable {
        let source: String
        let grade: Sales_Opportunities_V1_CreditGrade
        let reason: String
    }

    /// What the bureau said of the customer, or why it was not asked.
    enum BureauAnswer: Sendable {
        case report(CreditReport)
        case noRecord(code: String)
        case noCode
        case noBureau
        /// The bureau was asked and did not answer: why.
        case unanswered(String)
    }

    let findings: [Finding]

    /// `history` is the customer's own payment record, nil for a deal without a customer;
    /// `termDays` nil judges the customer alone (no plan yet).
    init(bureau: BureauAnswer, termDays: Int32?, industry: String, policy: CreditPolicy, history: PaymentHistory? = nil) {
        let bureauFinding: Finding =
            switch bureau {
            case .report(let report):
                Finding(
                    source: "bureau", grade: report.grade,
                    reason: "\(report.bureau) rates \(report.creditCode) \(Self.name(report.grade))" + (report.note.isEmpty ? "" : ": \(report.note)")
                )
            case .noRecord(let code):
                Finding(source: "bureau", grade: .yellow, reason: "the credit bureau has no record of \(code)")
            case .noCode:
                Finding(source: "bureau", grade: .yellow, reason: "no credit code was given, so the credit bureau was not asked")
            case .noBureau:
                Finding(source: "bureau", grade: .yellow, reason: "no credit bureau is configured for this service")
            case .unanswered(let why):
                Finding(source: "bureau", grade: .yellow, reason: "the credit bureau did not answer (\(why)); screened without it")
            }
        let benchmark = policy.benchmarkDays(for: industry)
        let whose = industry.isEmpty || policy.industryTerms[industry] == nil ? "the tenant's default" : "the benchmark for \(industry)"
        let termFinding: Finding? = termDays.map { termDays in
            if termDays > benchmark * 2 {
                Finding(
                    source: "term", grade: .red,
                    reason: "the longest term, \(termDays) days, is more than twice \(whose) (\(benchmark) days)")
            } else if termDays > benchmark {
                Finding(source: "term", grade: .yellow, reason: "the longest term, \(termDays) days, is longer than \(whose) (\(benchmark) days)")
            } else {
                Finding(source: "term", grade: .green, reason: "the longest term, \(termDays) days, is within \(whose) (\(benchmark) days)")
            }
        }
        // Worst first, so the reason that decided the grade leads.
        findings = ([bureauFinding] + [termFinding, history?.finding].compactMap { $0 })
            .sorted { Self.severity($0.grade) > Self.severity($1.grade) }
    }

    var grade: Sales_Opportunities_V1_CreditGrade {
        findings.map(\.grade).max { Self.severity($0) < Self.severity($1) } ?? .yellow
    }

    static func severity(_ grade: Sales_Opportunities_V1_CreditGrade) -> Int {
        switch grade {
        case .green: 0
        case .yellow, .unspecified, .UNRECOGNIZED: 1
        case .red: 2
        }
    }

    static func name(_ grade: Sales_Opportunities_V1_CreditGrade) -> String {
        switch grade {
        case .green: "green"
        case .red: "red"
        case .yellow, .unspecified, .UNRECOGNIZED: "yellow"
        }
    }

    var message: Sales_Opportunities_V1_CreditScreen {
        .with {
            $0.grade = grade
            $0.findings = findings.map { finding in
                .with {
                    $0.source = finding.source
                    $0.grade = finding.grade
                    $0.reason = finding.reason
                }
            }
        }
    }
}

/// A tenant's margin floor and payment-term benchmarks.
struct CreditPolicy: Sendable, Equatable {
    var marginFloorBasisPoints: Int32
    var defaultTermDays: Int32
    var industryTerms: [String: Int32]
    /// Who approves a quote that needs it, in order.
    var approvalChain: [Sales_Opportunities_V1_Approver]

    /// Until a tenant sets its own: an 18.5% margin floor, 90-day terms, a manager then finance approve.
    static let standard = CreditPolicy(marginFloorBasisPoints: 1_850, defaultTermDays: 90, industryTerms: [:], approvalChain: [.manager, .finance])

    func benchmarkDays(for industry: String) -> Int32 { industryTerms[industry] ?? defaultTermDays }
}
