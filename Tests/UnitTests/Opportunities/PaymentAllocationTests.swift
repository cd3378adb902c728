import Foundation
import SalesModel
import Testing

@testable import OpportunitiesService

/// Money over instalments, to the fen: random payments and refunds over awkward splits, every fen
/// accounted for after each step.
@Suite struct PaymentAllocationTests {
    typealias Instalment = PaymentAllocation.Instalment

    static func instalments(_ amounts: [Int64]) -> [Instalment] {
        amounts.enumerated().map { Instalment(id: UUID(), number: $0.offset + 1, amount: $0.element, paid: 0) }
    }

    @Test func oneHundredInThreeIsPaidOldestFirstAndTheRestIsCredit() {
        let three = Self.instalments([3_333, 3_333, 3_334])
        let (parts, credit) = PaymentAllocation.allocate(5_000, over: three.reversed())
        #expect(parts.map(\.number) == [1, 2] && parts.map(\.amount) == [3_333, 1_667] && credit == 0)
        let paid = three.map { instalment in
            Instalment(
                id: instalment.id, number: instalment.number, amount: instalment.amount,
                paid: parts.first { $0.instalmentID == instalment.id }?.amount ?? 0)
        }
        let (rest, over) = PaymentAllocation.allocate(5_001, over: paid)
        #expect(rest.map(\.amount) == [1_666, 3_334] && over == 1)
        #expect(PaymentAllocation.allocate(7, over: []) == ([], 7), "a contract owing nothing keeps it all as credit")
    }

    @Test func aRefundTakesCreditFirstThenTheNewestAndNeverMoreThanWasPaid() throws {
        let ids = (1...3).map { _ in UUID() }
        let paid = zip(ids, [3_333, 3_333, 1_000] as [Int64]).enumerated().map {
            PaymentAllocation.Part(instalmentID: $0.element.0, number: $0.offset + 1, amount: $0.element.1)
        }
        let unwound = try #require(PaymentAllocation.unwind(2_500, credit: 500, paid: paid))
        #expect(unwound.fromCredit == 500 && unwound.parts.map(\.number) == [3, 2] && unwound.parts.map(\.amount) == [1_000, 1_000])
        #expect(PaymentAllocation.unwind(8_166, credit: 500, paid: paid) != nil)
        #expect(PaymentAllocation.unwind(8_167, credit: 500, paid: paid) == nil)
    }

    /// Ten thousand random contracts, payments and refunds: after each, what the instalments hold
    /// plus the credits equals what came in minus what went back, and no instalment is over- or
    /// under-paid.
    @Test func noFenIsLostOverRandomPaymentsAndRefunds() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let count = Int.random(in: 1...6, using: &generator)
            let total = Int64.random(in: 1...10_000_000, using: &generator)
            let shares = (0..<count).map { _ in Int64.random(in: 1...100, using: &generator) }
            let amounts = try #require(Money(minorUnits: total, currency: .cny).split(proportionalTo: shares)).map(\.minorUnits)
            var instalments = Self.instalments(amounts)
            var payments: [(parts: [PaymentAllocation.Part], credit: Int64)] = []
            var net: Int64 = 0
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                if payments.isEmpty || Bool.random(using: &generator) {
                    let amount = Int64.random(in: 1...(total / Int64(count) + 2), using: &generator)
                    let (parts, credit) = PaymentAllocation.allocate(amount, over: instalments)
                    #expect(parts.reduce(0) { $0 + $1.amount } + credit == amount)
                    instalments = Self.applying(parts, sign: 1, to: instalments)
                    payments.append((parts, credit))
                    net += amount
                } else {
                    let index = Int.random(in: 0..<payments.count, using: &generator)
                    let holds = payments[index].credit + payments[index].parts.reduce(0) { $0 + $1.amount }
                    guard holds > 0 else { continue }
                    let amount = Int64.random(in: 1...holds, using: &generator)
                    let (fromCredit, parts) = try #require(
                        PaymentAllocation.unwind(amount, credit: payments[index].credit, paid: payments[index].parts))
                    #expect(fromCredit + parts.reduce(0) { $0 + $1.amount } == amount)
                    instalments = Self.applying(parts, sign: -1, to: instalments)
                    payments[index].credit -= fromCredit
                    payments[index].parts = payments[index].parts.map { part in
                        .init(
                            instalmentID: part.instalmentID, number: part.number,
                            amount: part.amount - (parts.first { $0.instalmentID == part.instalmentID }?.amount ?? 0))
                    }
                    net -= amount
                }
                #expect(instalments.allSatisfy { (0...$0.amount).contains($0.paid) })
                #expect(instalments.reduce(0) { $0 + $1.paid } + payments.reduce(0) { $0 + $1.credit } == net)
            }
        }
    }

    static func applying(_ parts: [PaymentAllocation.Part], sign: Int64, to instalments: [Instalment]) -> [Instalment] {
        instalments.map { instalment in
            let change = parts.filter { $0.instalmentID == instalment.id }.reduce(0) { $0 + $1.amount }
            return Instalment(id: instalment.id, number: instalment.number, amount: instalment.amount, paid: instalment.paid + sign * change)
        }
    }
}
