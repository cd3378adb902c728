import APIIntake
import DouyinIntake
import LeadIntake
import MeituanIntake
import RulesEngine
import ServiceKit
import StorePOSIntake
import Testing
import TradeShowIntake
import WeChatIntake
import WebFormIntake

/// Each channel's payload read into the one lead shape, and payloads an adapter does not know.
@Suite struct IntakeAdapterTests {
    func payload(_ json: String) throws -> [String: RuleValue] {
        guard case .object(let members) = try RuleValue(json: json) else { throw IntakeFailure.unknownShape("not an object") }
        return members
    }

    @Test func eachChannelMapsItsOwnShape() throws {
        let douyin = try DouyinIntake().read(
            payload(#"{"clue_id": 7301, "name": "吴海", "telephone": "13916620003", "city_name": "上海", "remark": "家用制氧机", "ad_name": "抖音直播-11月"}"#))
        #expect(
            douyin
                == {
                    var lead = IntakeLead(externalID: "7301")
                    lead.contactName = "吴海"; lead.phone = "13916620003"; lead.city = "上海"; lead.inquiry = "家用制氧机"; lead.campaign = "抖音直播-11月"
                    return lead
                }())
        let form = try WebFormIntake().read(
            payload(
                #"{"submission_id": "s-1", "fields": {"name": "王建国", "phone": "13816620001", "company": "瑞金医院", "message": "询价"}, "utm_campaign": "官网"}"#
            ))
        #expect(form.companyName == "瑞金医院" && form.campaign == "官网" && form.externalID == "s-1")
        let wechat = try WeChatIntake().read(payload(#"{"msg_id": "m1", "openid": "o-x", "content": "想试用"}"#))
        #expect(wechat.contactName == "微信用户" && wechat.phone.isEmpty)
        let meituan = try MeituanIntake().read(payload(#"{"lead_id": "mt-9", "mobile": "15026620005", "shop_city": "上海", "deal_title": "验光套餐"}"#))
        #expect(meituan.city == "上海" && meituan.campaign == "美团到店")
        let scan = try TradeShowIntake().read(
            payload(
                #"{"scan_id": "cmef-1", "exhibition": "CMEF 2026", "visitor": {"name": "韩磊", "mobile": "18906620009", "company": "宁波第二医院", "credit_code": "91350100M000100Y43"}}"#
            ))
        #expect(scan.creditCode == "91350100M000100Y43" && scan.campaign == "CMEF 2026")
        let receipt = try StorePOSIntake().read(payload(#"{"receipt_no": "0001", "store_code": "HZ-001", "member_mobile": "13706620008"}"#))
        #expect(receipt.externalID == "HZ-001/0001" && receipt.campaign == "门店 HZ-001")
        let api = try APIIntake().read(payload(#"{"contact_name": "梁宇", "phone": "17766620017"}"#))
        #expect(api.externalID == nil)
    }

    @Test func aForeignShapeIsNamedNotGuessed() throws {
        #expect(throws: IntakeFailure.unknownShape("not a Douyin clue: clue_id missing")) {
            try DouyinIntake().read(try payload(#"{"telephone": "13916620003"}"#))
        }
        #expect(throws: IntakeFailure.unknownShape("not a trade-show scan: scan_id, visitor missing")) {
            try TradeShowIntake().read(try payload(#"{"badge": "x"}"#))
        }
    }

    @Test func configurationChoosesTheActiveAdapters() throws {
        let all: [any IntakeAdapter] = [DouyinIntake(), WeChatIntake()]
        #expect(try IntakeAdapters(all).names == ["douyin", "wechat"])
        #expect(try IntakeAdapters(all, active: ["wechat"]).adapter(named: "douyin") == nil)
        #expect(throws: ConfigurationError.self) { try IntakeAdapters(all, active: ["fax"]) }
    }
}
