#!/usr/bin/env python3
"""Measures the peer JsonLogic engines on the routing benchmark, the way a Python service would
use them: rules parsed once into Python objects, each lead a Python dict, every (rule, lead)
pair evaluated, several passes. Prints one JSON line per engine.

usage: peers.py RULES.json LEADS.json [PASSES]
"""
import json
import sys
import time

import json_logic      # PyPI: panzi-json-logic (pure Python)
import jsonlogic_rs    # PyPI: jsonlogic-rs (Rust core behind a Python API)

ENGINES = {
    "panzi-json-logic": json_logic.jsonLogic,
    "jsonlogic-rs": jsonlogic_rs.apply,
}


def truthy(value):
    # JsonLogic truthiness: Python's, which already treats [], "", 0 and None as false.
    return bool(value)


def measure(apply, rules, leads, passes):
    best = float("inf")
    matches = 0
    for pass_number in range(passes + 1):  # pass 0 warms up
        count = 0
        start = time.perf_counter()
        for rule in rules:
            for lead in leads:
                if truthy(apply(rule, lead)):
                    count += 1
        elapsed = time.perf_counter() - start
        if pass_number > 0:
            best = min(best, elapsed)
        matches = count
    return len(rules) * len(leads) / best, matches


def main():
    rules_path, leads_path = sys.argv[1], sys.argv[2]
    passes = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    with open(rules_path, encoding="utf-8") as f:
        rules = [entry["rule"] for entry in json.load(f)["rules"]]
    with open(leads_path, encoding="utf-8") as f:
        leads = json.load(f)
    for name, apply in ENGINES.items():
        rate, matches = measure(apply, rules, leads, passes)
        print(json.dumps({"engine": name, "evaluations_per_second": round(rate), "matches": matches,
                          "pairs": len(rules) * len(leads)}), flush=True)


if __name__ == "__main__":
    main()
