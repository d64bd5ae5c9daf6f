#!/usr/bin/python3
"""The Grafana dashboard asks only for what the services export: every
metric, label and label value its queries name is in one of the binaries
the images carry (so a renamed metric fails here, not on an operator's
screen), it covers what operators watch (the onboarding funnel, resync,
latency, errors, rollouts), and its panels are laid out without overlap.
Run by `tools/test` (a sh_test; runfiles hold the binaries).
"""

import json
import re
import sys
import unittest

BINARIES = [
    "services/activation-code/activation_code",
    "services/device-activation/device_activation",
    "services/profile-render/profile_render",
    "services/firmware-catalog/firmware_catalog",
    "services/gateway/gateway",
]
# Labels Prometheus adds when it scrapes (Kubernetes service discovery), and
# histogram buckets.
SCRAPE_LABELS = {"namespace", "le"}


class DashboardTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open("deploy/grafana/onramp.json") as f:
            cls.dashboard = json.load(f)
        cls.binaries = b""
        for path in BINARIES:
            with open(path, "rb") as f:
                cls.binaries += f.read()
        cls.queries = [t["expr"] for p in cls.dashboard["panels"] for t in p.get("targets", [])]

    def exported(self, name):
        return name.encode() in self.binaries

    def test_every_metric_label_and_value_is_exported(self):
        self.assertTrue(self.queries)
        for query in self.queries:
            with self.subTest(query=query):
                for metric in re.findall(r"\bonramp_[a-z_]+", query):
                    family = re.sub(r"_(bucket|sum|count)$", "", metric)
                    self.assertTrue(self.exported(family), f"no service exports {family}")
                for labels in re.findall(r"\bby \(([^)]*)\)", query):
                    for label in (l.strip() for l in labels.split(",")):
                        if label not in SCRAPE_LABELS:
                            self.assertTrue(self.exported(label), f"no metric has the label {label}")
                for label, operator, value in re.findall(r'(\w+)(=~|!~|!=|=)"([^"]*)"', query):
                    if label in SCRAPE_LABELS:
                        continue
                    self.assertTrue(self.exported(label), f"no metric has the label {label}")
                    if operator in ("=", "!="):
                        self.assertTrue(self.exported(value), f"{label} is never {value}")

    def test_it_covers_what_operators_watch(self):
        text = "\n".join(self.queries)
        for metric in [
            "onramp_device_lookups_total",  # funnel: redirected by MAC
            "onramp_activation_redemptions_total",  # funnel: codes redeemed
            "onramp_device_acquisitions_total",  # funnel: first profiles
            "onramp_device_registrations_total",  # funnel: registered
            "onramp_profile_renders_total",  # resync
            "onramp_gateway_request_seconds_bucket",  # latency
            "onramp_grpc_server_handling_seconds_bucket",
            "onramp_grpc_server_handled_total",  # errors
            "onramp_gateway_backend_calls_total",
            "onramp_firmware_upgrades_reported_total",  # rollouts
        ]:
            self.assertIn(metric, text)

    def test_panels_are_laid_out_without_overlap(self):
        cells = {}
        ids = [p["id"] for p in self.dashboard["panels"]]
        self.assertEqual(len(ids), len(set(ids)), "panel ids repeat")
        for panel in self.dashboard["panels"]:
            box = panel["gridPos"]
            self.assertLessEqual(box["x"] + box["w"], 24, panel["title"])
            for x in range(box["x"], box["x"] + box["w"]):
                for y in range(box["y"], box["y"] + box["h"]):
                    self.assertNotIn((x, y), cells, f"{panel['title']} overlaps {cells.get((x, y))}")
                    cells[(x, y)] = panel["title"]
        variables = {v["name"] for v in self.dashboard["templating"]["list"]}
        for query in self.queries:
            for variable in re.findall(r"\$(\w+)", query):
                self.assertTrue(variable in variables or variable.startswith("__"), variable)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
