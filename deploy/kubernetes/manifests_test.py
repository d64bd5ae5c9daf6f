#!/usr/bin/python3
"""Renders every overlay with `kubectl kustomize` and checks what a
production cluster needs of each object (deploy/README.md):

- every Deployment: readiness and liveness probes (gRPC health on a service's
  gRPC port), CPU and memory requests and limits, a non-root user, a
  read-only root filesystem, no privilege escalation or capabilities, a
  topology spread, a PodDisruptionBudget and a HorizontalPodAutoscaler;
- every Job (migrations): the same security and limits;
- every Service selects pods that exist, on ports they declare; those of
  gRPC servers are headless (callers balance per call);
- NetworkPolicies: a default deny; every pod covered by a policy of its own;
  only the gateway open to the world; each service open to exactly the
  callers whose settings name it; PostgreSQL open to the database clients;
- settings: every ONRAMP_ variable is one the binary's --help lists, and
  every [required] one is given;
- Secrets: referenced by name only, none rendered, none committed;
- images: tagged, each built by a stage of deploy/images/Dockerfile.
Run by `tools/test` (a sh_test; runfiles hold the manifests and binaries).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml

OVERLAYS = ["dev", "production", "production-managed-postgres"]
# Container image -> the binary inside it (for its --help).
BINARIES = {
    "onramp/activation-code": "services/activation-code/activation_code",
    "onramp/device-activation": "services/device-activation/device_activation",
    "onramp/profile-render": "services/profile-render/profile_render",
    "onramp/firmware-catalog": "services/firmware-catalog/firmware_catalog",
    "onramp/gateway": "services/gateway/gateway",
    "onramp/acs": "services/acs/acs",
    "onramp/migrate": "tools/migrate/onramp-migrate",
}
SECRETS = {
    "onramp-db-app",
    "onramp-activation-code-key",
    "onramp-onboarding-ca",
    "onramp-profile-kek",
    "onramp-webhook-kek",
    "onramp-tr069-credentials",
    "onramp-gateway-tls",
    "onramp-tls-ticket-keys",
}


def render(overlay):
    # Runfiles are symlinks out of the tree, which kustomize's load
    # restrictions refuse: render a real copy.
    work = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
    shutil.copytree("deploy/kubernetes", os.path.join(work, "k"), symlinks=False)
    result = subprocess.run(["kubectl", "kustomize", os.path.join(work, "k", "overlays", overlay)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise AssertionError(f"kubectl kustomize overlays/{overlay}: {result.stderr}")
    return [o for o in yaml.safe_load_all(result.stdout) if o]


def help_of(binary):
    """The ONRAMP_ variables a binary reads, and which of them are required."""
    out = subprocess.run([binary, "--help"], capture_output=True, text=True, check=False)
    text = out.stdout + out.stderr
    variables, required = set(), set()
    for match in re.finditer(r"\((ONRAMP_[A-Z0-9_]+)\)\n([^\n]*(?:\n {6}[^\n]*)*)", text):
        variables.add(match.group(1))
        if "[required]" in match.group(2):
            required.add(match.group(1))
    if not variables:
        raise AssertionError(f"{binary} --help lists no ONRAMP_ variables:\n{text}")
    return variables, required


def matches(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def pod_spec(obj):
    return obj["spec"]["template"]["spec"]


def pod_labels(obj):
    return obj["spec"]["template"]["metadata"].get("labels", {})


class OverlayChecks:
    """The invariants, for one rendered overlay."""

    def __init__(self, test, overlay, objects):
        self.t, self.overlay, self.objects = test, overlay, objects

    def of(self, kind):
        return [o for o in self.objects if o["kind"] == kind]

    def named(self, kind, name):
        found = [o for o in self.of(kind) if o["metadata"]["name"] == name]
        return found[0] if found else None

    def where(self, obj):
        return f"{self.overlay}: {obj['kind']} {obj['metadata']['name']}"

    def check_workload_security(self, obj):
        spec = pod_spec(obj)
        pod_security = spec.get("securityContext", {})
        self.t.assertTrue(pod_security.get("runAsNonRoot"), self.where(obj))
        self.t.assertNotEqual(pod_security.get("runAsUser", 0), 0, self.where(obj))
        self.t.assertIs(spec.get("automountServiceAccountToken"), False, self.where(obj))
        for container in spec["containers"]:
            where = f"{self.where(obj)} container {container['name']}"
            security = container.get("securityContext", {})
            self.t.assertTrue(security.get("readOnlyRootFilesystem"), where)
            self.t.assertIs(security.get("allowPrivilegeEscalation"), False, where)
            self.t.assertEqual(security.get("capabilities", {}).get("drop"), ["ALL"], where)
            resources = container.get("resources", {})
            for bound in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    self.t.assertIn(resource, resources.get(bound, {}), f"{where}: {bound}.{resource}")

    def check_deployments(self):
        deployments = self.of("Deployment")
        self.t.assertTrue(deployments, self.overlay)
        for deployment in deployments:
            where = self.where(deployment)
            self.check_workload_security(deployment)
            spec = pod_spec(deployment)
            self.t.assertTrue(spec.get("topologySpreadConstraints"), where)
            self.t.assertNotIn("replicas", deployment["spec"], f"{where}: the HPA owns the replica count")
            for container in spec["containers"]:
                self.t.assertIn("readinessProbe", container, where)
                self.t.assertIn("livenessProbe", container, where)
                grpc_ports = [p["containerPort"] for p in container.get("ports", []) if p.get("name") == "grpc"]
                if grpc_ports:
                    self.t.assertEqual(container["readinessProbe"].get("grpc", {}).get("port"), grpc_ports[0],
                                       f"{where}: readiness is gRPC health")
            labels = pod_labels(deployment)
            self.t.assertTrue(
                any(matches(p["spec"]["selector"].get("matchLabels"), labels) for p in self.of("PodDisruptionBudget")),
                f"{where}: no PodDisruptionBudget")
            autoscalers = [h for h in self.of("HorizontalPodAutoscaler")
                           if h["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                                             "name": deployment["metadata"]["name"]}]
            self.t.assertEqual(len(autoscalers), 1, f"{where}: one HorizontalPodAutoscaler")
            self.t.assertLessEqual(autoscalers[0]["spec"]["minReplicas"], autoscalers[0]["spec"]["maxReplicas"], where)

    def check_jobs(self):
        jobs = self.of("Job")
        # One migration Job per service with a schema.
        self.t.assertEqual(sorted(j["spec"]["template"]["spec"]["containers"][0]["args"][1] for j in jobs),
                           ["acs", "activation", "device", "firmware", "profile"], self.overlay)
        for job in jobs:
            self.check_workload_security(job)

    def check_services(self):
        workloads = self.of("Deployment")
        for service in self.of("Service"):
            where = self.where(service)
            selected = [w for w in workloads if matches(service["spec"].get("selector"), pod_labels(w))]
            self.t.assertTrue(selected, f"{where} selects no pods")
            ports = {p.get("name"): p["containerPort"] for w in selected for c in pod_spec(w)["containers"]
                     for p in c.get("ports", [])}
            for port in service["spec"]["ports"]:
                target = port.get("targetPort", port["port"])
                self.t.assertTrue(target in ports or target in ports.values(), f"{where}: port {target}")
            if service["spec"].get("type") == "LoadBalancer":
                for workload in selected:
                    for container in pod_spec(workload)["containers"]:
                        self.t.assertIn("preStop", container.get("lifecycle", {}),
                                        f"{where}: pods leave the load balancer before they stop")
            if "grpc" in ports:
                # Callers balance per call over the pods' addresses; a
                # virtual IP would pin each caller's connection to one pod.
                self.t.assertEqual(service["spec"].get("clusterIP"), "None", f"{where}: gRPC behind a headless Service")

    def policies_for(self, labels):
        return [p for p in self.of("NetworkPolicy") if matches(p["spec"]["podSelector"].get("matchLabels"), labels)]

    def allows(self, policy, caller_labels, port):
        for rule in policy["spec"].get("ingress", []):
            if port not in [p["port"] for p in rule.get("ports", [])]:
                continue
            if "from" not in rule:
                return True
            if any(matches(peer.get("podSelector", {}).get("matchLabels"), caller_labels) for peer in rule["from"]):
                return True
        return False

    def check_network_policies(self):
        deny = [p for p in self.of("NetworkPolicy") if p["spec"]["podSelector"] == {}]
        self.t.assertEqual(len(deny), 1, f"{self.overlay}: a default deny")
        self.t.assertEqual(deny[0]["spec"].get("ingress"), None)
        self.t.assertIn("Ingress", deny[0]["spec"]["policyTypes"])
        for workload in self.of("Deployment"):
            where = self.where(workload)
            policies = self.policies_for(pod_labels(workload))
            self.t.assertTrue(policies, f"{where}: no NetworkPolicy of its own")
            open_to_world = any("from" not in rule for p in policies for rule in p["spec"].get("ingress", []))
            self.t.assertEqual(open_to_world, workload["metadata"]["name"] == "gateway",
                               f"{where}: only the gateway takes outside traffic")
        # Every call a setting names is let through, and only those.
        deployments = {d["metadata"]["name"]: d for d in self.of("Deployment")}
        allowed_callers = {name: set() for name in deployments}
        for caller in deployments.values():
            for key, value in self.settings_of(caller).items():
                if not key.endswith("_ADDR") or ":" not in str(value):
                    continue
                host, port = str(value).rsplit(":", 1)
                self.t.assertIn(host, deployments, f"{self.where(caller)}: {key}={value} names no service")
                callee = deployments[host]
                allowed_callers[host].add(caller["metadata"]["name"])
                self.t.assertTrue(any(self.allows(p, pod_labels(caller), int(port))
                                      for p in self.policies_for(pod_labels(callee))),
                                  f"{self.overlay}: {caller['metadata']['name']} may not call {host}:{port}")
        for name, callee in deployments.items():
            for policy in self.policies_for(pod_labels(callee)):
                for rule in policy["spec"].get("ingress", []):
                    for peer in rule.get("from", []):
                        selector = peer.get("podSelector", {}).get("matchLabels")
                        if selector:
                            self.t.assertIn(selector.get("app.kubernetes.io/name"), allowed_callers[name],
                                            f"{self.where(policy)} admits a pod that never calls it")
        self.check_database_policy()

    def check_database_policy(self):
        clusters = self.of("Cluster")
        clients = [w for w in self.of("Deployment") + self.of("Job")
                   if any(e["name"] == "ONRAMP_DATABASE_URL" for c in pod_spec(w)["containers"] for e in c.get("env", []))]
        self.t.assertTrue(clients, self.overlay)
        for client in clients:
            self.t.assertEqual(pod_labels(client).get("onramp.dev/database-client"), "true",
                               f"{self.where(client)} uses PostgreSQL without the database-client label")
        for workload in self.of("Deployment") + self.of("Job"):
            if workload not in clients:
                self.t.assertNotIn("onramp.dev/database-client", pod_labels(workload), self.where(workload))
        for cluster in clusters:
            policies = self.policies_for({"cnpg.io/cluster": cluster["metadata"]["name"]})
            self.t.assertTrue(policies, f"{self.where(cluster)}: no NetworkPolicy")
            for client in clients:
                self.t.assertTrue(any(self.allows(p, pod_labels(client), 5432) for p in policies), self.where(client))
            self.t.assertFalse(any(self.allows(p, pod_labels(self.named("Deployment", "gateway")), 5432)
                                   for p in policies), f"{self.overlay}: the gateway reaches PostgreSQL")

    def settings_of(self, workload):
        settings = {}
        for container in pod_spec(workload)["containers"]:
            for source in container.get("envFrom", []):
                config_map = self.named("ConfigMap", source["configMapRef"]["name"])
                self.t.assertIsNotNone(config_map, f"{self.where(workload)}: ConfigMap {source}")
                settings.update(config_map.get("data", {}))
            for variable in container.get("env", []):
                settings[variable["name"]] = variable.get("value", "<secret>")
        return settings

    def check_settings(self, helps):
        for workload in self.of("Deployment") + self.of("Job"):
            image = pod_spec(workload)["containers"][0]["image"].split(":")[0]
            variables, required = helps[image]
            settings = set(self.settings_of(workload))
            for name in settings:
                self.t.assertIn(name, variables, f"{self.where(workload)}: {name} is no setting of {image}")
            self.t.assertFalse(required - settings - {"ONRAMP_SCHEMA"},
                               f"{self.where(workload)}: required settings missing")

    def check_secrets(self):
        self.t.assertEqual(self.of("Secret"), [], f"{self.overlay}: Secrets are made in the cluster, not here")
        for workload in self.of("Deployment") + self.of("Job"):
            spec = pod_spec(workload)
            names = {v["secret"]["secretName"] for v in spec.get("volumes", []) if "secret" in v}
            for container in spec["containers"]:
                names |= {e["valueFrom"]["secretKeyRef"]["name"] for e in container.get("env", [])
                          if "secretKeyRef" in e.get("valueFrom", {})}
            self.t.assertLessEqual(names, SECRETS, self.where(workload))

    def check_images(self, dockerfile):
        stages = set(re.findall(r"^FROM \S+ AS (\S+)$", dockerfile, re.M))
        for workload in self.of("Deployment") + self.of("Job"):
            for container in pod_spec(workload)["containers"]:
                image, _, tag = container["image"].partition(":")
                self.t.assertTrue(tag and tag != "latest", f"{self.where(workload)}: {container['image']} untagged")
                self.t.assertIn(image.split("/")[-1], stages, f"{self.where(workload)}: no Dockerfile stage")


class ManifestsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rendered = {overlay: render(overlay) for overlay in OVERLAYS}
        cls.helps = {image: help_of(binary) for image, binary in BINARIES.items()}
        with open("deploy/images/Dockerfile") as f:
            cls.dockerfile = f.read()

    def each(self, check, *args):
        for overlay, objects in self.rendered.items():
            with self.subTest(overlay=overlay):
                getattr(OverlayChecks(self, overlay, objects), check)(*args)

    def test_deployments(self):
        self.each("check_deployments")

    def test_migration_jobs(self):
        self.each("check_jobs")

    def test_services_select_pods(self):
        self.each("check_services")

    def test_network_policies(self):
        self.each("check_network_policies")

    def test_settings_are_the_binaries(self):
        self.each("check_settings", self.helps)

    def test_secrets_by_name_only(self):
        self.each("check_secrets")
        for root, _, files in os.walk("deploy", followlinks=True):
            for name in files:
                with open(os.path.join(root, name), errors="replace") as f:
                    text = f.read()
                self.assertNotRegex(text, r"(?m)^kind: Secret", os.path.join(root, name))
                self.assertNotRegex(text, r"-----BEGIN [A-Z ]*PRIVATE KEY-----", os.path.join(root, name))

    def test_images_are_built(self):
        self.each("check_images", self.dockerfile)

    def test_overlays_differ_as_documented(self):
        dev, production = self.rendered["dev"], self.rendered["production"]
        managed = self.rendered["production-managed-postgres"]
        hpa = lambda objects: {h["metadata"]["name"]: h["spec"]["minReplicas"] for h in objects
                               if h["kind"] == "HorizontalPodAutoscaler"}
        self.assertEqual(set(hpa(dev).values()), {1})
        self.assertGreaterEqual(min(hpa(production).values()), 3)
        cluster = lambda objects: [o for o in objects if o["kind"] == "Cluster"]
        self.assertEqual(cluster(dev)[0]["spec"]["instances"], 1)
        self.assertEqual(cluster(production)[0]["spec"]["instances"], 3)  # a primary and two replicas
        self.assertEqual(cluster(managed), [])


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
