#!/usr/bin/env python3
"""Writes the routing benchmark's rule set and lead records, the same on every run (fixed seed).

48 routing rules, each with five conditions like the ones operators write:
  city in a list, channel == X or budget >= N, industry not in an excluded list,
  min <= employee_count <= max (JsonLogic's three-argument form), and some tag in a list.
2,000 leads spread over the same cities, channels, industries and tags.

usage: generate.py OUT_DIR   (writes OUT_DIR/rules.json and OUT_DIR/leads.json)
The rule file has the shape `salesctl rules check` reads: {"name", "rules": [{"id", "rule"}]}.
"""
import json
import os
import random
import sys

SEED = 20251009
CITIES = ["上海", "杭州", "南京", "苏州", "宁波", "合肥", "北京", "天津", "济南", "青岛",
          "广州", "深圳", "东莞", "佛山", "厦门", "福州", "成都", "重庆", "武汉", "西安"]
CHANNELS = ["web_form", "douyin", "wechat", "meituan", "trade_show", "store_pos", "api"]
INDUSTRIES = ["制造", "医疗器械", "SaaS", "零售", "教育", "政府", "金融", "物流", "餐饮", "地产", "能源", "汽车"]
TAGS = ["展会", "老客户", "转介绍", "高意向", "比价", "招标", "试用", "复购", "VIP", "大客户", "新品", "售后", "渠道商", "海外", "预约演示"]


def rule(rng):
    return {"and": [
        {"in": [{"var": "city"}, rng.sample(CITIES, rng.randint(3, 6))]},
        {"or": [
            {"==": [{"var": "channel"}, rng.choice(CHANNELS)]},
            {">=": [{"var": "budget"}, rng.choice([20000, 50000, 100000, 200000])]},
        ]},
        {"!": [{"in": [{"var": "industry"}, rng.sample(INDUSTRIES, rng.randint(2, 4))]}]},
        {"<=": [(low := rng.choice([1, 10, 50, 100, 200])), {"var": "employee_count"}, low + rng.choice([50, 200, 1000, 5000])]},
        {"some": [{"var": "tags"}, {"in": [{"var": ""}, rng.sample(TAGS, rng.randint(2, 5))]}]},
    ]}


def lead(rng):
    return {
        "city": rng.choice(CITIES),
        "channel": rng.choice(CHANNELS),
        "budget": rng.randint(1, 400) * 1000,
        "industry": rng.choice(INDUSTRIES),
        "employee_count": min(int(rng.paretovariate(0.8) * 5), 20000),
        "tags": rng.sample(TAGS, rng.randint(0, 4)),
    }


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    rng = random.Random(SEED)
    rules = {"name": "routing-benchmark", "rules": [{"id": f"route-{i + 1:02d}", "rule": rule(rng)} for i in range(48)]}
    leads = [lead(rng) for _ in range(2000)]
    with open(os.path.join(out, "rules.json"), "w", encoding="utf-8") as f:
        json.dump(rules, f, ensure_ascii=False, indent=1)
    with open(os.path.join(out, "leads.json"), "w", encoding="utf-8") as f:
        json.dump(leads, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
