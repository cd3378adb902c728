"""A payment file for the receivables benchmark: ROWS payments (default 100,000) over the
contracts listed one per line in CONTRACTS, in a shuffled order (a bank statement is not sorted by
contract), amounts from 1.00 to 1,500.00 (some pay part of an instalment, some more than one),
each with its own bank reference. Deterministic (seeded).

    python3 generate.py CONTRACTS OUT.csv [ROWS]
"""
import csv
import datetime
import random
import sys

contracts_path, out_path = sys.argv[1], sys.argv[2]
rows = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
contracts = [line.strip() for line in open(contracts_path) if line.strip()]
rng = random.Random(20261201)
start = datetime.date(2026, 1, 1)
with open(out_path, "w", newline="", encoding="utf-8") as out:
    writer = csv.writer(out)
    writer.writerow(["contract_id", "reference", "amount", "received_on"])
    for index in range(rows):
        fen = rng.randint(100, 150_000)
        day = start + datetime.timedelta(days=rng.randint(0, 300))
        writer.writerow([rng.choice(contracts), f"ICBC{day:%Y%m%d}{index:08d}", f"{fen // 100}.{fen % 100:02d}", day.isoformat()])
