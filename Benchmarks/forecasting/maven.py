"""The Maven CRM export (../shared/datasets/maven-crm) for the forecasting backtest.

  maven.py history DATASET OUT.csv   the deals as a `salesctl import history` file
  maven.py baseline DATASET FIRST LAST
      a naive Bayes baseline over the same month-start snapshots the service's backtest uses:
      for each month from FIRST to LAST ("2017-03"), trained on the months before it, the Brier
      score of "won within the month" over the deals open at the month's start.

The export has no stage history and no behaviour signals: a deal is engaged on its engage date
and won or lost on its close date; Prospecting rows have no engage date and are left out (the
baseline leaves them out too). Amounts are the product's list price (close_value is known only
after the close), labelled CNY because forecasts are kept in CNY; the Brier score has no unit.
"""
import csv, math, sys
from collections import defaultdict
from datetime import date


def load(folder):
    teams = {r["sales_agent"]: r for r in csv.DictReader(open(f"{folder}/sales_teams.csv", encoding="utf-8"))}
    prices = {r["product"]: r["sales_price"] for r in csv.DictReader(open(f"{folder}/products.csv", encoding="utf-8"))}
    sectors = {r["account"]: r["sector"] for r in csv.DictReader(open(f"{folder}/accounts.csv", encoding="utf-8"))}
    deals = []
    for r in csv.DictReader(open(f"{folder}/sales_pipeline.csv", encoding="utf-8")):
        if not r["engage_date"]:
            continue
        team = teams.get(r["sales_agent"], {})
        product = r["product"].replace("GTXPro", "GTX Pro")
        deals.append({
            "id": r["opportunity_id"],
            "owner": slug(r["sales_agent"]),
            "team": "/" + slug(team.get("regional_office", "none")) + "/" + slug(team.get("manager", "none")),
            "product": product,
            "sector": sectors.get(r["account"], "unknown") or "unknown",
            "amount": prices.get(product, "1000"),
            "engaged": date.fromisoformat(r["engage_date"]),
            "closed": date.fromisoformat(r["close_date"]) if r["close_date"] else None,
            "won": r["deal_stage"] == "Won",
            "stage": r["deal_stage"],
        })
    return deals


def slug(text):
    return "".join(c if c.isalnum() else "_" for c in text.strip().lower()) or "none"


def history(folder, out):
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["deal_id", "event", "at", "value", "owner", "team", "segment", "industry", "amount", "currency", "product"])
        for d in load(folder):
            w.writerow([d["id"], "created", d["engaged"].isoformat(), "", d["owner"], d["team"], d["sector"], d["sector"], d["amount"], "CNY", d["product"]])
            w.writerow([d["id"], "stage", d["engaged"].isoformat(), "Engaging", "", "", "", "", "", "", ""])
            if d["closed"] and d["stage"] in ("Won", "Lost"):
                w.writerow([d["id"], "won" if d["won"] else "lost", d["closed"].isoformat() + " 18:00", "", "", "", "", "", "", "", ""])


def month_start(text):
    y, m = map(int, text.split("-"))
    return date(y, m, 1)


def next_month(d):
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def snapshot(d, start):
    """The deal's features at a month's start, and whether it was won within the month; None if not open."""
    end = next_month(start)
    # Engaged during the day of `engaged` (local): open at a month start strictly after it.
    if d["engaged"] >= start or (d["closed"] and d["closed"] < start and d["stage"] in ("Won", "Lost")):
        return None
    age = (start - d["engaged"]).days // 30
    features = {"owner": d["owner"], "team": d["team"], "product": d["product"], "sector": d["sector"], "age": str(min(age, 4))}
    won = d["won"] and d["closed"] is not None and d["closed"] < end
    return features, won


def baseline(folder, first, last):
    deals = load(folder)
    months = []
    m = month_start(first)
    while m <= month_start(last):
        months.append(m)
        m = next_month(m)
    results = []
    for month in months:
        counts = {True: 0, False: 0}
        by = defaultdict(lambda: {True: 0, False: 0})
        s = month_start("2016-10")
        while next_month(s) <= month:
            for d in deals:
                snap = snapshot(d, s)
                if not snap:
                    continue
                features, won = snap
                counts[won] += 1
                for k, v in features.items():
                    by[(k, v)][won] += 1
            s = next_month(s)
        total = counts[True] + counts[False]
        brier, n = 0.0, 0
        for d in deals:
            snap = snapshot(d, month)
            if not snap:
                continue
            features, won = snap
            logit = math.log((counts[True] + 1) / (counts[False] + 1))
            for k, v in features.items():
                c = by[(k, v)]
                # Laplace-smoothed likelihoods of each feature value given won / not won.
                logit += math.log((c[True] + 1) / (counts[True] + 2)) - math.log((c[False] + 1) / (counts[False] + 2))
            p = 1 / (1 + math.exp(-max(-30, min(30, logit))))
            brier += (p - won) ** 2
            n += 1
        results.append((month.strftime("%Y-%m"), brier / max(n, 1), n, total))
    for name, b, n, total in results:
        print(f"nb_{name}={b:.5f} nb_open_{name}={n}")
    print(f"nb_mean={sum(r[1] for r in results) / len(results):.5f}")


if __name__ == "__main__":
    if sys.argv[1] == "history":
        history(sys.argv[2], sys.argv[3])
    else:
        baseline(sys.argv[2], sys.argv[3], sys.argv[4])
