import Foundation
import FoundationNetworking
import GRPCCore
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

/// The whole way across services over real gRPC and Postgres: token → lead → convert →
/// opportunity → incentives and forecasting learn of it → the gateway's overview shows it.
extension EndToEnd {
    @Suite struct LeadToCashFlowTests {
        @Test func leadBecomesOpportunityAndEveryServiceSeesIt() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)

            let created = try await client.with(.leads) { grpc in
                try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).createLead(
                    .with {
                        $0.contactName = "王建国"
                        $0.companyName = "上海瑞金医院设备科"
                        $0.phone = "138 1662 0001"
                        $0.channel = .webForm
                        $0.city = "上海"
                        $0.inquiry = "腔镜手术系统两套"
                    }, metadata: try await client.metadata(People.rep))
            }.lead
            #expect(created.phone.masked == "138****0001")
            #expect(created.phone.e164.isEmpty, "a rep without the unmask permission sees a masked phone")
            #expect(created.ownerID == People.rep.userID)
            #expect(created.status == .new)

            let converted = try await client.with(.leads) { grpc in
                try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).convertLead(
                    .with {
                        $0.leadID = created.id
                        $0.opportunityName = "腔镜手术系统"
                        $0.expectedAmount = .with {
                            $0.minorUnits = 128_000_000; $0.currency = "CNY"
                        }
                        $0.expectedClose = Google_Protobuf_Timestamp(date: Date(timeIntervalSince1970: 1_798_000_000))
                    }, metadata: try await client.metadata(People.rep))
            }
            #expect(converted.lead.status == .converted)
            #expect(converted.lead.opportunityID == converted.opportunityID)

            let opportunity = try await client.with(.opportunities) { grpc in
                try await Sales_Opportunities_V1_OpportunityService.Client(wrapping: grpc).getOpportunity(
                    .with { $0.id = converted.opportunityID }, metadata: try await client.metadata(People.rep))
            }
            #expect(opportunity.leadID == created.id)
            #expect(opportunity.ownerID == People.rep.userID)
            #expect(opportunity.amount.minorUnits == 128_000_000)
            #expect(opportunity.stage == .qualification)

            let credit = try await client.eventually {
                try await client.with(.incentives) { grpc in
                    try await Sales_Incentives_V1_IncentiveService.Client(wrapping: grpc).listPipelineCredits(
                        .with { $0.opportunityID = converted.opportunityID }, metadata: try await client.metadata(People.rep))
                }.credits.first
            }
            #expect(credit.ownerID == People.rep.userID)
            #expect(credit.amount.minorUnits == 128_000_000)

            let tracked = try await client.eventually {
                try await client.with(.forecasting) { grpc in
                    try await Sales_Forecasting_V1_ForecastService.Client(wrapping: grpc).listTrackedOpportunities(
                        .with { $0.opportunityID = converted.opportunityID }, metadata: try await client.metadata(People.rep))
                }.opportunities.first
            }
            // 1_798_000_000 is 2026-12-23 in Shanghai; qualification weighs 10%.
            #expect(tracked.period == "2026-12")
            #expect(tracked.weighted.minorUnits == 12_800_000)

            let overview = try await client.with(.gateway) { grpc in
                try await Sales_Gateway_V1_DashboardService.Client(wrapping: grpc).getOverview(
                    .init(), metadata: try await client.metadata(People.manager))
            }
            #expect(overview.unavailable.isEmpty, "\(overview.unavailable)")
            #expect(overview.leads.converted >= 1)
            #expect(overview.opportunities.total >= 1)
            #expect(overview.incentives.opportunitiesRecorded >= 1)
            #expect(overview.forecasting.periods.contains { $0.period == "2026-12" })

            // The same overview as JSON over HTTP.
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(stack.plan.gatewayHTTPPort)/api/v1/overview")!)
            request.setValue("Bearer \(try await client.token(People.manager))", forHTTPHeaderField: "Authorization")
            let (body, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            let json = try Sales_Gateway_V1_Overview(jsonUTF8Data: body)
            #expect(json.userID == People.manager.userID)
            #expect(json.leads.total == overview.leads.total)

            var anonymous = URLRequest(url: URL(string: "http://127.0.0.1:\(stack.plan.gatewayHTTPPort)/api/v1/overview")!)
            anonymous.httpMethod = "GET"
            let (_, refused) = try await URLSession.shared.data(for: anonymous)
            #expect((refused as? HTTPURLResponse)?.statusCode == 401)
        }

        @Test func unmaskPermissionShowsTheFullPhone() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let lead = try await client.with(.leads) { grpc in
                try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).createLead(
                    .with {
                        $0.contactName = "周晓梅"
                        $0.phone = "+86 139-1662-0002"
                        $0.channel = .tradeShow
                    }, metadata: try await client.metadata(People.unmasker))
            }.lead
            #expect(lead.phone.e164 == "+8613916620002")
            #expect(lead.phone.masked == "139****0002")

            // Reading it unmasked is audited; a masked read by someone without the permission is not.
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                _ = try await leads.getLead(.with { $0.id = lead.id }, metadata: try await client.metadata(People.unmasker))
                _ = try await leads.getLead(.with { $0.id = lead.id }, metadata: try await client.metadata(People.manager))
                let audit = try await leads.listUnmaskAudit(
                    .with { $0.page = .with { $0.pageSize = 200 } },
                    metadata: try await client.metadata(People.admin)
                ).entries
                let mine = audit.filter { $0.leadID == lead.id }
                #expect(mine.map(\.userID) == [People.unmasker.userID])
                #expect(mine.map(\.method) == ["GetLead"])
                let denied = await #expect(throws: RPCError.self) {
                    try await leads.listUnmaskAudit(.init(), metadata: try await client.metadata(People.unmasker))
                }
                #expect(denied?.code == .permissionDenied)
            }
        }

        @Test func convertingTwiceIsRefusedWithTheExistingOpportunity() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let metadata = try await client.metadata(People.rep)
                let lead = try await leads.createLead(
                    .with {
                        $0.contactName = "郑国强"; $0.phone = "13916620004"; $0.channel = .wechat
                    }, metadata: metadata
                ).lead
                let convert = Sales_Leads_V1_ConvertLeadRequest.with {
                    $0.leadID = lead.id
                    $0.opportunityName = "监护仪批量采购"
                    $0.expectedAmount = .with {
                        $0.minorUnits = 36_000_000; $0.currency = "CNY"
                    }
                    $0.expectedClose = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(86_400 * 30))
                }
                let first = try await leads.convertLead(convert, metadata: metadata)
                let error = await #expect(throws: RPCError.self) { try await leads.convertLead(convert, metadata: metadata) }
                #expect(error?.code == .failedPrecondition)
                #expect(error?.message.contains(first.opportunityID) == true)
            }
        }

        /// A conversion whose opportunity was created but whose lead was not yet marked (the leads
        /// service killed between the two) finds the same opportunity when retried: the call to
        /// opportunities is keyed on the lead for the tenant. The crash is stood in for by sending
        /// that very call first, as the leads service would have sent it.
        @Test func aConversionRetriedAfterACrashFindsTheSameOpportunity() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let metadata = try await client.metadata(People.rep)
            let lead = try await client.with(.leads) { grpc in
                try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).createLead(
                    .with {
                        $0.contactName = "重试"; $0.companyName = "重试医疗"; $0.phone = "1391663" + String(format: "%04d", Int.random(in: 0..<10_000));
                        $0.channel = .api
                    }, metadata: metadata
                ).lead
            }
            let close = Google_Protobuf_Timestamp(seconds: 1_800_000_000)
            let amount = Sales_Common_V1_Money.with {
                $0.minorUnits = 9_900_000; $0.currency = "CNY"
            }
            let half = try await client.with(.opportunities) { grpc in
                var first = metadata
                first.addString("lead-convert:\(lead.id)", forKey: "idempotency-key")
                first.addString("tenant", forKey: "idempotency-scope")
                return try await Sales_Opportunities_V1_OpportunityService.Client(wrapping: grpc).createOpportunity(
                    .with {
                        $0.name = "重试商机"; $0.customerName = "重试医疗"; $0.leadID = lead.id; $0.amount = amount; $0.expectedClose = close
                        $0.ownerID = lead.ownerID; $0.ownerOrgPath = lead.orgPath; $0.customerID = lead.customerID
                    }, metadata: first)
            }
            let converted = try await client.with(.leads) { grpc in
                try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).convertLead(
                    .with {
                        $0.leadID = lead.id; $0.opportunityName = "重试商机"; $0.expectedAmount = amount; $0.expectedClose = close
                    }, metadata: metadata)
            }
            #expect(converted.opportunityID == half.id, "the retried conversion made no second opportunity")
            let listed = try await client.with(.opportunities) { grpc in
                try await Sales_Opportunities_V1_OpportunityService.Client(wrapping: grpc).listOpportunities(
                    .with { $0.page.pageSize = 200 }, metadata: metadata)
            }.opportunities.filter { $0.leadID == lead.id }
            #expect(listed.count == 1)
        }

        /// A refusal from the service a handler calls reaches the caller as a plain status with its
        /// message: the peer's own response metadata once went along as trailers and broke the
        /// caller's stream ("Stream unexpectedly closed").
        @Test func aPeersRefusalReachesTheCallerWhole() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            let metadata = try await client.metadata(People.rep)
            let lead = try await client.with(.leads) { grpc in
                try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).createLead(
                    .with {
                        $0.contactName = "转发"; $0.phone = "1391664" + String(format: "%04d", Int.random(in: 0..<10_000)); $0.channel = .api
                    }, metadata: metadata
                ).lead
            }
            let amount = Sales_Common_V1_Money.with {
                $0.minorUnits = 1_000_000; $0.currency = "CNY"
            }
            let close = Google_Protobuf_Timestamp(seconds: 1_800_000_000)
            // The conversion's key, taken by another request: opportunities refuses the conversion's call.
            _ = try await client.with(.opportunities) { grpc in
                var taken = metadata
                taken.addString("lead-convert:\(lead.id)", forKey: "idempotency-key")
                taken.addString("tenant", forKey: "idempotency-scope")
                return try await Sales_Opportunities_V1_OpportunityService.Client(wrapping: grpc).createOpportunity(
                    .with {
                        $0.name = "别的请求"; $0.customerName = "转发"; $0.amount = amount; $0.expectedClose = close
                    }, metadata: taken)
            }
            let error = await #expect(throws: RPCError.self) {
                try await client.with(.leads) { grpc in
                    try await Sales_Leads_V1_LeadService.Client(wrapping: grpc).convertLead(
                        .with {
                            $0.leadID = lead.id; $0.opportunityName = "转发商机"; $0.expectedAmount = amount; $0.expectedClose = close
                        }, metadata: metadata)
                }
            }
            #expect(error?.code == .invalidArgument, "\(String(describing: error))")
            #expect(error?.message.contains("was already used for a different request") == true)
        }
    }
}
