import Foundation
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

extension EndToEnd {
    /// `salesctl up --demo` loads the demo tenant through the APIs; running it again adds nothing.
    @Suite struct DemoDataTests {
        @Test func loadingTheDemoTwiceIsSafe() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let loader = DemoLoader(plan: stack.plan, tokens: tokens)
            let first = try await loader.load()
            let second = try await loader.load()
            #expect(first.leads == 18 && first.opportunities == 8 && first.teams == 10 && first.users == 17 && first.stores == 3)
            #expect(second.leads == first.leads && second.opportunities == first.opportunities)

            let client = StackClient(plan: stack.plan, tokens: tokens)
            let admin = Caller(tenant: TenantID("demo")!, userID: "admin", roles: [.admin], orgPath: "/hq")
            let overview = try await client.with(.gateway) { grpc in
                try await Sales_Gateway_V1_DashboardService.Client(wrapping: grpc).getOverview(.init(), metadata: try await client.metadata(admin))
            }
            #expect(overview.leads.total == 18, "no lead twice")
            #expect(overview.opportunities.total == 9, "no opportunity twice: the 8 converted and one imported")
            #expect(overview.stores.stores == 3)
            // The stores' loop: members scanned a clerk's code, got a note, and bought.
            try await client.with(.storeSales) { grpc in
                let members = Sales_Storesales_V1_MemberService.Client(wrapping: grpc)
                let metadata = try await client.metadata(admin)
                let file = try await members.importMembers(
                    .with {
                        $0.rows = [
                            .with {
                                $0.line = 2; $0.mobile = "13922200001"; $0.consent = true; $0.consentAt = "2026-06-01"
                            }
                        ]
                    },
                    metadata: metadata)
                let member = try await members.getMember(.with { $0.memberID = file.outcomes[0].id }, metadata: metadata)
                #expect(member.visits == 1, "one scan, not one a load")
                #expect(!member.firstClerkID.isEmpty && member.notes.count == 1)
                #expect(member.purchases >= 1 && member.spent.minorUnits > 0)
                #expect(member.preferences.map(\.category) == ["慢病监测"], "the 双12 coupon, once")
                let stores = Sales_Storesales_V1_StoreService.Client(wrapping: grpc)
                let week = try await stores.getStoreComparison(
                    .with {
                        $0.from = LocalDays.fromToday(-6)
                        $0.to = LocalDays.fromToday(0)
                        $0.groupBy = "district"
                    }, metadata: metadata)
                #expect(week.rows.count == 3, "three business districts")
                #expect(week.rows.allSatisfy { $0.receipts > 0 && $0.couponsIssued == 2 && $0.couponsRedeemed == 1 })
                #expect(week.total.scansConverted > 0 && week.total.notedReceipts > 0)
                // A week of operations: Guangzhou uploads its whole day, Shenzhen keeps hearing the nebuliser is loud,
                // Foshan took too much off a Meituan set, and the new nebuliser reached one shelf of three.
                let board = try await Sales_Storesales_V1_StoreOperationsService.Client(wrapping: grpc).getOperationsBoard(
                    .init(), metadata: metadata)
                #expect(board.stores.count == 3 && board.storesComplete == 1)
                #expect(board.scenarioCandidates.map(\.storeCode) == ["SZ-001"] && board.scenarioCandidates.first?.days == 3)
                let shuang12 = board.promotions.first { $0.promotionCode == "SHUANG12" }
                #expect(shuang12?.itemsPlanned == 9 && shuang12?.itemsDone == 6, "3, 2 and 1 of the 3 items")
                let set = board.promotions.first { $0.promotionCode == "MT-BP-SET" }
                #expect(set?.orders == 3 && set?.ordersMismatched == 1, "orders once, not once a load")
                #expect(board.launches.first?.storesMissing == ["FS-001", "SZ-001"] && board.launches.first?.overdue == true)
                #expect(week.total.promotionItemsPlanned > 0 && week.total.promotionItemsDone > 0)
                #expect(week.total.feedbackOwed > 0 && week.total.feedbackOwed <= week.total.servedReceipts, "the store-feedback rules in use")
            }
            #expect(Set(overview.leads.byChannel.map(\.channel)).count == 7, "leads from every channel")
            // Two years of history behind the forecasts: scores with their reasons, one disputed, a quarter by team.
            #expect(first.historicalDeals > 1_000 && second.historicalDeals == first.historicalDeals)
            try await client.with(.forecasting) { grpc in
                let forecasts = Sales_Forecasting_V1_ForecastService.Client(wrapping: grpc)
                let rep = Caller(tenant: TenantID("demo")!, userID: "li.na", roles: [.rep], orgPath: "/east/east-sh")
                let scores = try await forecasts.scoreDeals(.with { $0.page.pageSize = 200 }, metadata: try await client.metadata(rep)).scores
                #expect(!scores.isEmpty && scores.allSatisfy { $0.ownerID == "li.na" && !$0.factors.isEmpty })
                #expect(scores.filter(\.hasDispute).count == 1, "one dispute, not one a load")
                #expect(Set(scores.map(\.credibility)).count >= 2)
                let calendar = Calendar(identifier: .gregorian)
                let quarter = "\(calendar.component(.year, from: Date()))-Q\((calendar.component(.month, from: Date()) - 1) / 3 + 1)"
                let byTeam = try await forecasts.getPeriodForecast(
                    .with {
                        $0.period = quarter
                        $0.groupBy = .team
                    }, metadata: try await client.metadata(admin))
                #expect(byTeam.lines.count >= 4 && byTeam.total.expected.minorUnits > byTeam.total.won.minorUnits)
                // The signed contract reached forecasting by the feed: its open instalments are this quarter's cash.
                let contracted = try await client.eventually {
                    let total = try await forecasts.getPeriodForecast(.with { $0.period = quarter }, metadata: try await client.metadata(admin)).total
                    return total.cashFromInstalments.minorUnits > 0 ? total : nil
                }
                #expect(contracted.expectedCash.minorUnits >= contracted.cashFromInstalments.minorUnits + contracted.cashCollected.minorUnits)
                // Competitor news on one of her deals, from the demo's file source: one alert with three responses, once.
                let watch = Sales_Forecasting_V1_SignalWatchService.Client(wrapping: grpc)
                let alerts = try await watch.listCompetitorAlerts(.init(), metadata: try await client.metadata(rep)).alerts
                #expect(alerts.count == 1 && alerts.first?.responses.count == 3 && alerts.first?.headline.contains("降价") == true)
                let sources = try await watch.listSignalSources(.init(), metadata: try await client.metadata(admin)).sources
                #expect(sources.map(\.name) == ["news"] && sources.first?.signalsApplied == 3 && sources.first?.lastError == "")
            }

            // Customer health: one customer fell after a major complaint, once however often the demo loads.
            try await client.with(.opportunities) { grpc in
                let health = Sales_Opportunities_V1_CustomerHealthService.Client(wrapping: grpc)
                let falling = try await health.listCustomerHealth(.init(), metadata: try await client.metadata(admin)).customers
                let fell = try #require(falling.first)
                #expect(fell.change == -15 && fell.deductions.contains { $0.reason == "1 个重大投诉未关闭" }, "\(fell)")
                #expect(falling.contains { $0.score > fell.score && $0.deductions.allSatisfy { $0.side != "marketing" } })
            }

            // The converted deals went through the pipeline's gates: every stage shows, with history.
            try await client.with(.opportunities) { grpc in
                let deals = Sales_Opportunities_V1_OpportunityService.Client(wrapping: grpc)
                let metadata = try await client.metadata(admin)
                let all = try await deals.listOpportunities(.init(), metadata: metadata).opportunities
                #expect(Set(all.map(\.stageKey)) == ["初步接触", "需求确认", "方案报价", "商务谈判", "赢单", "输单"])
                let won = try #require(all.first { $0.stage == .won })
                let history = try await deals.listStageHistory(.with { $0.opportunityID = won.id }, metadata: metadata).changes
                #expect(history.map(\.toStage) == ["需求确认", "方案报价", "商务谈判", "赢单"], "no move twice on a second load")
                #expect(history.allSatisfy { !$0.keyAction.isEmpty && !$0.feedback.isEmpty })
                // Who did the work: the rep and the presales engineer who ran the demo, each confirmed.
                let matrix = try await Sales_Opportunities_V1_ContributionService.Client(wrapping: grpc).getContributionMatrix(
                    .with { $0.opportunityID = won.id }, metadata: metadata)
                #expect(matrix.frozen && !matrix.held)
                #expect(Set(matrix.shares.map(\.personID)) == [won.ownerID, "wu.gong"])
                #expect(matrix.shares.allSatisfy { $0.confirmation.state == .confirmed && !$0.confirmation.statement.isEmpty })
                #expect(matrix.shares.map(\.amount.minorUnits).reduce(0, +) == won.amount.minorUnits)
                // The deal from the old CRM that sat in 需求确认 is flagged stale; the playbook has its atoms.
                let stale = try await deals.listOpportunities(.with { $0.staleOnly = true }, metadata: metadata).opportunities
                #expect(stale.map(\.name) == ["华山医院 · 监护仪更新"])
                let atoms = try await Sales_Opportunities_V1_PlaybookService.Client(wrapping: grpc).listPlaybookAtoms(.init(), metadata: metadata)
                    .atoms
                #expect(atoms.count == DemoPlaybook.atoms.count, "no atom twice")
                // Quotes of each credit grade, once each; the red one waits for approval.
                var grades: [Sales_Opportunities_V1_CreditGrade] = []
                var states: [Sales_Opportunities_V1_QuoteState] = []
                for deal in all {
                    let quotes = try await Sales_Opportunities_V1_QuoteService.Client(wrapping: grpc).listQuotes(
                        .with { $0.opportunityID = deal.id }, metadata: metadata
                    ).quotes
                    grades += quotes.map(\.credit.grade)
                    states += quotes.map(\.state)
                    #expect(quotes.allSatisfy { $0.paymentPlan.map(\.amount.minorUnits).reduce(0, +) == $0.total.minorUnits })
                    #expect(quotes.allSatisfy { $0.needsApproval == ($0.credit.grade == .red) })
                }
                #expect(grades.sorted { $0.rawValue < $1.rawValue } == [.green, .green, .yellow, .red], "each grade, the won deal's too, none twice")
                #expect(Set(states) == [.accepted, .ready, .pendingApproval])
                // The won deal was won by signing its contract: the first instalment paid, the second
                // overdue with part paid and its invoice awaiting acceptance, the third to come.
                let finance = try await client.metadata(Caller(tenant: admin.tenant, userID: "fang.cai", roles: [.finance], orgPath: "/hq"))
                let receivables = Sales_Opportunities_V1_ReceivableService.Client(wrapping: grpc)
                let board = try await receivables.listReceivables(.init(), metadata: finance).receivables
                #expect(board.map(\.opportunityID) == [won.id, won.id, won.id], "one signed contract, loaded once")
                #expect(board.map(\.state) == [.paid, .awaitingAcceptance, .notInvoiced])
                #expect(board[1].daysOverdue > 5 && board[1].paid.minorUnits > 0 && board[1].outstanding.minorUnits > 0)
                #expect(board[2].daysOverdue == 0 && board[2].daysLeft > 0)
                let account = try await receivables.getContractAccount(.with { $0.contractID = board[0].contractID }, metadata: finance)
                #expect(account.payments.count == 2 && account.total.minorUnits == board.map(\.amount.minorUnits).reduce(0, +))
                let contract = try await Sales_Opportunities_V1_ContractService.Client(wrapping: grpc).getContract(
                    .with { $0.id = account.contractID }, metadata: metadata)
                #expect(contract.state == .signed && contract.signature.documentSha256.count == 64)
                // The ERP took it as its order at signing; the late payment came back from the ERP's export.
                #expect(contract.erpOrderID.hasPrefix("SO") && account.payments.map(\.source).sorted() == ["api", "erp"])
            }

            // The demo's routing is set up once: one version of each rule set, the desk, the mapping table.
            try await client.with(.leads) { grpc in
                let metadata = try await client.metadata(admin)
                let rules = Sales_Common_V1_RuleSetService.Client(wrapping: grpc)
                for name in ["lead-grading", "lead-routing", "lead-checkpoints"] {
                    let versions = try await rules.listRuleSetVersions(.with { $0.name = name }, metadata: metadata).versions
                    #expect(versions.map(\.version) == [1] && versions.first?.active == true, "\(name)")
                }
                let reps = try await Sales_Leads_V1_RoutingDeskService.Client(wrapping: grpc).listRoutingReps(.init(), metadata: metadata).reps
                #expect(reps.count == 8)
                let lead = try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).createLead(
                    .with {
                        $0.contactName = "新客户"; $0.phone = "13700001111"; $0.channel = .webForm; $0.city = "上海"; $0.inquiry = "想要报价"
                    }, metadata: metadata
                ).lead
                #expect(lead.grade == "B" && lead.routingRuleID == "city-east-sh")
                #expect(["li.na", "qian.hong"].contains(lead.ownerID), "a score of 90 or more picks first: \(lead.assignmentReason)")

                // Rule health counts open leads on a manager's own account, managers as the directory knows them.
                let all = try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).listLeads(
                    .with { $0.page = .with { $0.pageSize = 200 } }, metadata: metadata
                ).leads
                let managers: Set<String> = ["zhao.lei", "qian.hong", "chen.jing", "wang.qiang"]
                let onManagers = all.filter { managers.contains($0.ownerID) && $0.status != .converted }.count
                let health = try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).inspectRules(.init(), metadata: metadata)
                #expect(health.onManagers == Int64(onManagers))
            }
        }
    }
}
