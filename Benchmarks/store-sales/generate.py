#!/usr/bin/env python3
"""Files for the store-sales benchmark, deterministic for a given size:

  generate.py FOLDER LINES

writes FOLDER/products.csv (300 SKUs), FOLDER/members.csv (50,000 members with consent),
FOLDER/receipts.csv (a POS export of LINES lines: receipts of 1 to 3 lines over 50 stores in the
last 30 days, 60% with a member's mobile, half naming the cashier), and FOLDER/inserts.sql: the
same receipts and lines as plain INSERTs into bench.receipts and bench.receipt_items, 1,000 lines
a transaction, the baseline of "Postgres inserting the same rows".
"""
import random
import sys
from datetime import datetime, timedelta

folder, lines = sys.argv[1], int(sys.argv[2])
rng = random.Random(14)
stores, members, skus = 50, 50_000, 300
prices = {f"SKU-{n}": rng.randrange(990, 49_900, 10) for n in range(1, skus + 1)}

with open(f"{folder}/products.csv", "w") as out:
    out.write("sku,name,category,price\n")
    for n, (sku, fen) in enumerate(prices.items()):
        out.write(f"{sku},商品{n},品类{n % 12},{fen // 100}.{fen % 100:02d}\n")

with open(f"{folder}/members.csv", "w") as out:
    out.write("mobile,name,birth_year,consent\n")
    for n in range(members):
        out.write(f"139{n:08d},会员{n},{1940 + n % 60},是\n")

start = datetime(2026, 11, 1, 9, 0, 0)
written = 0
receipt = 0
with open(f"{folder}/receipts.csv", "w") as csv, open(f"{folder}/inserts.sql", "w") as sql:
    csv.write("store_code,receipt_number,sold_at,sku,quantity,unit_price,discount,payment_method,clerk_user_id,member_mobile\n")
    sql.write("BEGIN;\n")
    in_transaction = 0
    while written < lines:
        receipt += 1
        store = 1 + rng.randrange(stores)
        sold = (start + timedelta(seconds=receipt * 2)).strftime("%Y-%m-%d %H:%M:%S")
        member = f"139{rng.randrange(members):08d}" if rng.random() < 0.6 else ""
        clerk = f"clerk-{store}-{1 + rng.randrange(5)}" if rng.random() < 0.5 else ""
        method = rng.choice(["微信", "支付宝", "现金", "银行卡"])
        count = min(1 + rng.randrange(3), lines - written)
        values = []
        for line in range(count):
            sku = f"SKU-{1 + rng.randrange(skus)}"
            quantity = 1 + rng.randrange(3)
            unit = prices[sku]
            discount = 500 if rng.random() < 0.2 else 0
            csv.write(f"S-{store},R-{receipt},{sold},{sku},{quantity},{unit // 100}.{unit % 100:02d},"
                      f"{discount // 100}.{discount % 100:02d},{method},{clerk},{member}\n")
            values.append(f"({receipt},{line + 1},'{sku}',{quantity},{unit},{discount},{unit * quantity - discount})")
        sql.write(f"INSERT INTO bench.receipts VALUES ({receipt},'S-{store}','R-{receipt}','{sold}+08','{method}','{clerk}','{member}');\n")
        sql.write("INSERT INTO bench.receipt_items VALUES " + ",".join(values) + ";\n")
        written += count
        in_transaction += count
        if in_transaction >= 1_000:
            sql.write("COMMIT;\nBEGIN;\n")
            in_transaction = 0
    sql.write("COMMIT;\n")
print(f"{written} lines in {receipt} receipts")
