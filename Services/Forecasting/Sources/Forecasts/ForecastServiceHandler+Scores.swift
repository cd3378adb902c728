import Foundation
import GRPCCore
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Training, scores, period forecasts and backtests; and the as-of moment and the forecaster every read starts from.
extension ForecastServiceHandler {
    func train(request: Sales_Forecasting_V1_TrainRequest, context: ServerContext) async throws -> Sales_Forecasting_V1_ModelSummary {
        let caller = try RequestContext.caller(allowedTo: .administer, "retraining the forecast model")
        let moment = try asOf(request.asOf, isSet: request.hasAsOf)
        let calendar = await calendar(for: caller.tenant)
        let deals = try await history.deals(tenant: caller.tenant, knownAt: moment.date)
        let kept = try await records.records(tenant: caller.tenant, endedBy: moment.date)
        let model = try ModelTrainer(calendar: calendar).train(deals, asOf: moment.date, records: kept)
        // A model of a past moment is for looking back; only a model of now serves the scores.
        if !moment.explicit { try await models.save(model, tenant: caller.tenant) }
        return model.summary
    }

    func scoreDeals(
        request: Sales_Forecasting_V1_ScoreDealsRequest, context: ServerContext
    ) async throws -> Sales_Forecasting_V1_ScoreDealsResponse {
        let caller = try RequestContext.caller()
        let page = try Page(request.page)
        let dealID = try Require.optionalText(request.dealID, field: "deal_id", maxLength: 64)
        let moment = try asOf(request.asOf, isSet: request.hasAsOf)
        let forecaster = try await makeForecaster(for: caller.tenant, at: moment)
        let visibility = Visibility(caller)
        let open = forecaster.deals.filter { deal in
            visibility.includes(ownerID: deal.ownerID, orgPath: deal.team) && (dealID.isEmpty || deal.id == dealID) && deal.seq < page.before
                && deal.isOpen(at: moment.date)
        }
        if !dealID.isEmpty && open.isEmpty { throw ServiceError.notFound(kind: "open deal", id: dealID) }
        let (rows, next) = page.finish(Array(open.sorted { $0.seq > $1.seq }.prefix(page.fetchLimit)), seq: \.seq)
        let disputed = try await disputes.latest(tenant: caller.tenant, before: moment.date)
        return .with {
            $0.scores = rows.compactMap { deal in
                DealState(deal, at: moment.date).map { state in
                    var score = forecaster.score(state)
                    if let dispute = disputed[deal.id] { score.dispute = dispute }
                    return score
                }
            }
            $0.page = next
            $0.model = forecaster.model.summary
        }
    }

    func getPeriodForecast(
        request: Sales_Forecasting_V1_GetPeriodForecastRequest, context: ServerContext
    ) async throws -> Sales_Forecasting_V1_GetPeriodForecastResponse {
        let caller = try RequestContext.caller()
        let moment = try asOf(request.asOf, isSet: request.hasAsOf)
        let calendar = await calendar(for: caller.tenant)
        let period = try Period.parse(request.period, field: "period", in: calendar)
        guard period.end > moment.date else {
            throw ServiceError.invalidArgument(
                field: "period", rule: "\(period.name) ended before as_of; ask with an earlier as_of, or run a Backtest for past months")
        }
        let key: (DealRecord) -> String =
            switch request.groupBy {
            case .rep: \.ownerID
            case .team: \.team
            case .region: \.region
            case .tenant, .UNRECOGNIZED: { _ in "" }
            }
        let forecaster = try await makeForecaster(for: caller.tenant, at: moment)
        let visibility = Visibility(caller)
        let contracts = try await cash.contracts(tenant: caller.tenant, knownAt: moment.date, calendar: calendar)
        let lines = forecaster.lines(
            period, key: key, includes: { visibility.includes(ownerID: $0.ownerID, orgPath: $0.team) }, cashDelayDays: cashDelayDays,
            contracts: contracts)
        let total = lines.values.reduce(ForecastTotals(), +)
        return .with {
            $0.period = period.name
            $0.asOf = Google_Protobuf_Timestamp(date: moment.date)
            $0.lines = lines.sorted { ($0.value.expected, $1.key) > ($1.value.expected, $0.key) }.map { $0.value.line(key: $0.key) }
            $0.total = total.line(key: "")
            $0.model = forecaster.model.summary
            $0.cashDelayDays = Int32(cashDelayDays)
        }
    }

    func backtest(request: Sales_Forecasting_V1_BacktestRequest, context: ServerContext) async throws -> Sales_Forecasting_V1_BacktestResponse {
        let caller = try RequestContext.caller(allowedTo: .administer, "running a backtest")
        let calendar = await calendar(for: caller.tenant)
        let first = try Period.parse(request.fromMonth, field: "from_month", in: calendar)
        let last = try Period.parse(request.toMonth, field: "to_month", in: calendar)
        guard first.kind == .month else { throw ServiceError.invalidArgument(field: "from_month", rule: "must be a month like 2025-01") }
        guard last.kind == .month else { throw ServiceError.invalidArgument(field: "to_month", rule: "must be a month like 2025-12") }
        let now = Date()
        guard last.end <= now else {
            throw ServiceError.invalidArgument(field: "to_month", rule: "\(last.name) has not ended; a backtest needs what was won in each month")
        }
        var months = [first]
        while let latest = months.last, latest.start < last.start {
            guard months.count < Backtester.mostMonths else {
                throw ServiceError.invalidArgument(field: "to_month", rule: "at most \(Backtester.mostMonths) months a backtest")
            }
            months.append(latest.next)
        }
        guard first.start <= last.start else { throw ServiceError.invalidArgument(field: "to_month", rule: "is before from_month") }
        let deals = try await history.deals(tenant: caller.tenant, knownAt: now)
        let labels = try await signalLabels(caller.tenant)
        let kept = try await records.records(tenant: caller.tenant, endedBy: now)
        let result = try Backtester(trainer: ModelTrainer(calendar: calendar), labels: labels).run(months, deals: deals, records: kept)
        // Each replayed month joins the record the ranges learn from (a live record of a month stays).
        try await records.keep(result.records, tenant: caller.tenant)
        return result.response
    }

    /// Trains on everything known now and keeps the model for the scores (the schedule's round);
    /// in a month's first days, records the month's forecast once (`MonthRecord`).
    func retrain(_ tenant: TenantID) async throws {
        let calendar = await calendar(for: tenant)
        let now = Date()
        let deals = try await history.deals(tenant: tenant, knownAt: now)
        let model = try ModelTrainer(calendar: calendar).train(
            deals, asOf: now, records: try await records.records(tenant: tenant, endedBy: now))
        try await models.save(model, tenant: tenant)
        // The month's first retraining records it; a later one finds it kept and changes nothing.
        // Outside the month's first days there is nothing to record, so no forecaster is built.
        guard MonthRecord.isLiveWindow(now, in: calendar) else { return }
        if let record = Forecaster(model: model, deals: deals, asOf: now, calendar: calendar, labels: [:]).liveMonthRecord() {
            try await records.keep([record], tenant: tenant)
        }
    }

    /// The as-of moment asked for (never in the future), or now.
    func asOf(_ value: Google_Protobuf_Timestamp, isSet: Bool) throws(ServiceError) -> (date: Date, explicit: Bool) {
        let now = Date()
        guard isSet else { return (now, false) }
        let date = try Require.timestamp(value, isSet: true, field: "as_of")
        guard date <= now else { throw .invalidArgument(field: "as_of", rule: "is in the future; forecasts look from now or from the past") }
        return (date, true)
    }

    /// The deals as known at the moment, and the model that scores them: the latest trained for
    /// now (trained and kept on first use), or one trained on what was known at a past moment.
    func makeForecaster(for tenant: TenantID, at moment: (date: Date, explicit: Bool)) async throws -> Forecaster {
        let calendar = await calendar(for: tenant)
        let deals = try await history.deals(tenant: tenant, knownAt: moment.date)
        let model: WinModel
        if !moment.explicit, let latest = try await models.latest(tenant: tenant) {
            model = latest
        } else {
            model = try ModelTrainer(calendar: calendar).train(
                deals, asOf: moment.date, records: try await records.records(tenant: tenant, endedBy: moment.date))
            if !moment.explicit { try await models.save(model, tenant: tenant) }
        }
        let labels = try await signalLabels(tenant)
        return Forecaster(model: model, deals: deals, asOf: moment.date, calendar: calendar, labels: labels)
    }

    func signalLabels(_ tenant: TenantID) async throws -> [String: String] {
        try await signals.lookup(tenant: tenant).mapValues(\.label)
    }

    func calendar(for tenant: TenantID) async -> Calendar {
        Calendar.forecasting(in: await calendars.calendar(for: tenant).timeZone)
    }
}
