#!/usr/bin/env python3
"""Prints the rules benchmark's table from the engines' JSON lines, with our rate as a ratio of
each peer's, and checks that every engine found the same matches (the same semantics).

usage: report.py RESULTS.jsonl
"""
import json
import sys

OURS = "ours (lead structs)"
TARGET = ("panzi-json-logic", 15.0)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        results = [json.loads(line) for line in f if line.strip()]
    ours = next(r for r in results if r["engine"] == OURS)
    width = max(len(r["engine"]) for r in results)
    print(f"{'engine':<{width}}  {'evaluations/s':>14}  {'ours ÷ engine':>13}  {'matches':>8}")
    for r in results:
        ratio = ours["evaluations_per_second"] / r["evaluations_per_second"]
        print(f"{r['engine']:<{width}}  {r['evaluations_per_second']:>14,}  {ratio:>12.1f}×  {r['matches']:>8}")
    print(f"({ours['pairs']:,} rule × lead pairs per pass: 48 routing rules × 2,000 leads)")
    peer, target = TARGET
    ratio = ours["evaluations_per_second"] / next(r for r in results if r["engine"] == peer)["evaluations_per_second"]
    print(f"target: at least {target:g}× {peer} — {'met' if ratio >= target else 'NOT met'} ({ratio:.1f}×)")
    if len({r["matches"] for r in results}) != 1:
        print("engines disagree on the matches: the rule semantics differ", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
