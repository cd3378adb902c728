import SalesProto

/// The demo tenant: a medical-device distributor with three regions.
enum DemoOrg {
    static let tenant = "demo"

    struct Team {
        let id: String
        let name: String
        let parent: String?
        let manager: String?
    }

    struct Person {
        let id: String
        let name: String
        let team: String
        let roles: [Sales_Gateway_V1_Role]
    }

    static let teams: [Team] = [
        Team(id: "hq", name: "总部", parent: nil, manager: nil),
        Team(id: "east", name: "华东大区", parent: nil, manager: "zhao.lei"),
        Team(id: "east-sh", name: "上海一组", parent: "east", manager: "qian.hong"),
        Team(id: "east-hz", name: "杭州组", parent: "east", manager: nil),
        Team(id: "south", name: "华南大区", parent: nil, manager: "chen.jing"),
        Team(id: "south-gz", name: "广州组", parent: "south", manager: nil),
        Team(id: "south-sz", name: "深圳组", parent: "south", manager: nil),
        Team(id: "north", name: "华北大区", parent: nil, manager: "wang.qiang"),
        Team(id: "north-bj", name: "北京组", parent: "north", manager: nil),
        Team(id: "presales", name: "售前支持部", parent: nil, manager: nil),
    ]

    static let people: [Person] = [
        Person(id: "admin", name: "系统管理员", team: "hq", roles: [.admin]),
        Person(id: "fang.cai", name: "方彩 (财务)", team: "hq", roles: [.finance]),
        Person(id: "zhao.lei", name: "赵磊", team: "east", roles: [.manager]),
        Person(id: "qian.hong", name: "钱红", team: "east-sh", roles: [.manager, .rep]),
        Person(id: "li.na", name: "李娜", team: "east-sh", roles: [.rep]),
        Person(id: "zhang.wei", name: "张伟", team: "east-sh", roles: [.rep]),
        Person(id: "liu.yang", name: "刘洋", team: "east-hz", roles: [.rep]),
        Person(id: "chen.jing", name: "陈静", team: "south", roles: [.manager, .storeManager]),
        Person(id: "huang.min", name: "黄敏", team: "south-gz", roles: [.rep]),
        Person(id: "zhou.jie", name: "周杰", team: "south-sz", roles: [.rep]),
        Person(id: "wang.qiang", name: "王强", team: "north", roles: [.manager]),
        Person(id: "sun.li", name: "孙丽", team: "north-bj", roles: [.rep]),
        Person(id: "ma.chao", name: "马超", team: "north-bj", roles: [.rep]),
        Person(id: "wu.gong", name: "吴工 (售前)", team: "presales", roles: [.rep]),
        // The stores' clerks, one a store (DemoOrg.stores).
        Person(id: "he.xiao", name: "何晓", team: "south-gz", roles: [.storeClerk]),
        Person(id: "lin.na", name: "林娜", team: "south-sz", roles: [.storeClerk]),
        Person(id: "zheng.yu", name: "郑宇", team: "south", roles: [.storeClerk]),
    ]

    struct DemoLead {
        let rep: String
        let contact: String
        let company: String
        let phone: String
        let channel: Sales_Leads_V1_Channel
        let campaign: String
        let city: String
        let inquiry: String
        /// Converted to an opportunity of this many yuan, closing this many days from now.
        let convert: (yuan: Int64, days: Int)?
    }

    static let leads: [DemoLead] = [
        DemoLead(
            rep: "li.na", contact: "王建国", company: "上海瑞金医院设备科", phone: "13816620001", channel: .webForm, campaign: "2026秋季官网", city: "上海",
            inquiry: "询价：腔镜手术系统两套，需要报价和试用", convert: (1_280_000, 40)),
        DemoLead(
            rep: "li.na", contact: "周晓梅", company: "上海仁济医院", phone: "13816620002", channel: .tradeShow, campaign: "CMEF 2026", city: "上海",
            inquiry: "展会扫码：关注超声刀耗材", convert: nil),
        DemoLead(
            rep: "li.na", contact: "吴海", company: "", phone: "13916620003", channel: .douyin, campaign: "抖音直播-11月", city: "上海", inquiry: "私信咨询家用制氧机",
            convert: nil),
        DemoLead(
            rep: "zhang.wei", contact: "郑国强", company: "上海联影合作诊所", phone: "13916620004", channel: .wechat, campaign: "公众号菜单", city: "上海",
            inquiry: "想了解监护仪批量采购", convert: (360_000, 25)),
        DemoLead(
            rep: "zhang.wei", contact: "孙莉", company: "", phone: "15026620005", channel: .meituan, campaign: "美团到店", city: "上海", inquiry: "门店体验后留资",
            convert: nil),
        DemoLead(
            rep: "zhang.wei", contact: "冯涛", company: "苏州明基医院", phone: "15026620006", channel: .api, campaign: "渠道伙伴推荐", city: "苏州",
            inquiry: "合同续签，需新增两台呼吸机", convert: (540_000, 60)),
        DemoLead(
            rep: "liu.yang", contact: "蒋文", company: "浙江大学附属第一医院", phone: "13706620007", channel: .webForm, campaign: "2026秋季官网", city: "杭州",
            inquiry: "手术室整体方案，预算待定", convert: (2_150_000, 75)),
        DemoLead(
            rep: "liu.yang", contact: "沈佳", company: "", phone: "13706620008", channel: .storePos, campaign: "杭州西湖店小票", city: "杭州",
            inquiry: "门店小票扫码，血压计售后", convert: nil),
        DemoLead(
            rep: "liu.yang", contact: "韩磊", company: "宁波第二医院", phone: "18906620009", channel: .tradeShow, campaign: "CMEF 2026", city: "宁波",
            inquiry: "样品申请：一次性穿刺器", convert: nil),
        DemoLead(
            rep: "huang.min", contact: "杨帆", company: "广州中山一院", phone: "13526620010", channel: .wechat, campaign: "企微活码", city: "广州",
            inquiry: "试用后想谈价格", convert: (880_000, 30)),
        DemoLead(
            rep: "huang.min", contact: "朱琳", company: "", phone: "13526620011", channel: .douyin, campaign: "抖音直播-11月", city: "广州",
            inquiry: "咨询按摩椅分期", convert: nil),
        DemoLead(
            rep: "huang.min", contact: "胡斌", company: "佛山市妇幼保健院", phone: "13526620012", channel: .webForm, campaign: "百度搜索", city: "佛山",
            inquiry: "胎心监护仪采购，下月招标", convert: nil),
        DemoLead(
            rep: "zhou.jie", contact: "林峰", company: "深圳迈瑞合作医院", phone: "18626620013", channel: .api, campaign: "渠道伙伴推荐", city: "深圳",
            inquiry: "DSA 设备置换，要求现场演示", convert: (3_600_000, 90)),
        DemoLead(
            rep: "zhou.jie", contact: "何静", company: "", phone: "18626620014", channel: .meituan, campaign: "美团到店", city: "深圳", inquiry: "团购验光套餐",
            convert: nil),
        DemoLead(
            rep: "sun.li", contact: "高远", company: "北京协和医院", phone: "13366620015", channel: .tradeShow, campaign: "北京医博会", city: "北京",
            inquiry: "内镜清洗消毒设备，预算已批", convert: (1_450_000, 20)),
        DemoLead(
            rep: "sun.li", contact: "罗敏", company: "", phone: "13366620016", channel: .wechat, campaign: "公众号菜单", city: "北京", inquiry: "家用雾化器售后咨询",
            convert: nil),
        DemoLead(
            rep: "ma.chao", contact: "梁宇", company: "天津医科大学总医院", phone: "17766620017", channel: .webForm, campaign: "2026秋季官网", city: "天津",
            inquiry: "合同到期，考虑更换供应商", convert: (760_000, 50)),
        DemoLead(
            rep: "ma.chao", contact: "宋雪", company: "", phone: "17766620018", channel: .douyin, campaign: "抖音短视频", city: "北京", inquiry: "咨询轮椅租赁",
            convert: nil),
    ]

    struct DemoStore {
        let manager: String
        let code: String
        let name: String
        let city: String
        let latitude: Double
        let longitude: Double
        let district: String
        let clerk: String
    }

    static let stores: [DemoStore] = [
        DemoStore(
            manager: "chen.jing", code: "GZ-001", name: "广州天河体验店", city: "广州", latitude: 23.1291, longitude: 113.3245,
            district: "天河路商圈", clerk: "he.xiao"),
        DemoStore(
            manager: "chen.jing", code: "SZ-001", name: "深圳南山体验店", city: "深圳", latitude: 22.5333, longitude: 113.9304,
            district: "南山科技园", clerk: "lin.na"),
        DemoStore(
            manager: "chen.jing", code: "FS-001", name: "佛山禅城店", city: "佛山", latitude: 23.0218, longitude: 113.1219,
            district: "祖庙商圈", clerk: "zheng.yu"),
    ]
}
