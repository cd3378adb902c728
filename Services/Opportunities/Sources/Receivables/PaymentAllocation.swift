import Foundation

/// How money in or out spreads over a contract's instalments, in fen. Pure, so unit tests reach
/// every split: every fen of a payment lands on an instalment or in the credit, and a refund
/// takes back exactly what it names.
enum PaymentAllocation {
    struct Instalment: Sendable, Equatable {
        let id: UUID
        let number: Int
        let amount: Int64
        let paid: Int64

        var outstanding: Int64 { amount - paid }
    }

    /// What one payment (or refund) moved on one instalment.
    struct Part: Sendable, Equatable {
        let instalmentID: UUID
        let number: Int
        let amount: Int64
    }

    /// `amount` over the unpaid instalments, lowest number first (the oldest due); what is left
    /// once all are paid is the credit.
    static func allocate(_ amount: Int64, over instalments: [Instalment]) -> (parts: [Part], credit: Int64) {
        var left = amount
        var parts: [Part] = []
        for instalment in instalments.sorted(by: { $0.number < $1.number }) where left > 0 && instalment.outstanding > 0 {
            let part = min(left, instalment.outstanding)
            parts.append(Part(instalmentID: instalment.id, number: instalment.number, amount: part))
            left -= part
        }
        return (parts, left)
    }

    /// A refund of `amount` from a payment holding `credit` and having paid `paid`: the credit
    /// first, then the newest instalments it paid. Nil when the payment holds less than `amount`.
    static func unwind(_ amount: Int64, credit: Int64, paid: [Part]) -> (fromCredit: Int64, parts: [Part])? {
        guard amount <= credit + paid.reduce(0, { $0 + $1.amount }) else { return nil }
        let fromCredit = min(amount, credit)
        var left = amount - fromCredit
        var parts: [Part] = []
        for part in paid.sorted(by: { $0.number > $1.number }) where left > 0 && part.amount > 0 {
            let back = min(left, part.amount)
            parts.append(Part(instalmentID: part.instalmentID, number: part.number, amount: back))
            left -= back
        }
        return (fromCredit, parts)
    }
}
