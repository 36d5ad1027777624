"""Scrapes a Prometheus endpoint and parses it with prometheus_client (the reference Python parser).

Usage: prom_scrape.py URL
Prints one JSON object per sample: {"name": ..., "labels": {...}, "value": ...}; exits non-zero
if the exposition does not parse.
"""
import json
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

with urllib.request.urlopen(sys.argv[1], timeout=30) as response:
    content_type = response.headers.get("Content-Type", "")
    text = response.read().decode("utf-8")

if not content_type.startswith("text/plain"):
    sys.exit(f"unexpected Content-Type {content_type!r}")

for family in text_string_to_metric_families(text):
    for sample in family.samples:
        print(json.dumps({"name": sample.name, "labels": sample.labels, "value": sample.value}))
