#!/usr/bin/env python3
"""Writes the import benchmark's lead sheet, the same on every run (fixed seed).

usage: generate.py OUT_FILE [ROWS]   (default 100,000 rows)

A CSV (UTF-8) as sales teams keep it: 姓名,手机,公司,渠道,城市,咨询内容. Every row is a lead the
leads service accepts: a distinct name, a distinct valid mainland mobile (11 digits, 1 then 3–9),
a channel from salesctl's list; about a third are consumers without a company. Names and phones
are all different, so every row creates its own customer and lead (no dedupe shortcut).
"""
import csv
import random
import sys

SEED = 20251127
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鹏辉建国海燕晓东雪琳婷宇浩凯博文斌颖欣宁峰"
CITIES = ["上海", "杭州", "南京", "苏州", "北京", "天津", "广州", "深圳", "成都", "武汉", "西安", "重庆"]
CHANNELS = ["官网表单", "抖音", "微信", "美团", "展会", "门店"]
COMPANIES = ["瑞金医院", "仁济医院", "联影合作诊所", "华东制造", "明远科技", "海川贸易", "蓝天物流", "金桥软件"]
NEEDS = ["腔镜两套", "超声刀耗材", "制氧机", "监护仪", "验光, 套餐", "产品报价", "上门演示", "年度采购"]


def main():
    out = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    rng = random.Random(SEED)
    names = [s + a + b for s in SURNAMES for a in GIVEN for b in GIVEN]
    assert len(names) >= rows, f"only {len(names)} distinct names"
    # 1[3-9] followed by nine digits: 700 million valid mobiles to draw distinct ones from
    phones = [str(13_000_000_000 + n) for n in rng.sample(range(7_000_000_000), rows)]
    with open(out, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["姓名", "手机", "公司", "渠道", "城市", "咨询内容"])
        for name, phone in zip(rng.sample(names, rows), phones):
            company = "" if rng.random() < 0.33 else rng.choice(CITIES) + rng.choice(COMPANIES)
            writer.writerow([name, phone, company, rng.choice(CHANNELS), rng.choice(CITIES), rng.choice(NEEDS)])


if __name__ == "__main__":
    main()
