#!/usr/bin/env python3
"""Security and operability posture of the rendered pricewatch chart.

Usage: chart_posture_test.py RENDERED.yaml...   (output of `helm template`, one file per values set)

Each assertion is checked on every rendering; the script prints one line per failed
assertion, then "N passed, N failed", and exits 1 if anything failed. These are the rules
that kubeconform (shape) and checkov (generic policies) do not know about this app.
"""
import ipaddress
import json
import os
import re
import sys

import yaml

# Renderings of test-cluster values, where EGRESS_ALLOW_HOSTS may be set.
TEST_RENDERINGS = {"ingress-testing"}
COMPONENT_PORTS = {"gateway": 3000, "scraper-worker": 3001, "rescheduler": 3002}
REQUIRED_DENIED_CIDRS = {
    "169.254.169.254/32",  # instance metadata service (node role credentials)
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
}
CONTRACT_CONFIG_KEYS = {
    "NODE_ENV", "LOG_LEVEL", "AWS_REGION", "JOBS_TABLE_NAME", "CHECKS_QUEUE_URL", "DUE_SHARDS",
    "DEFAULT_CURRENCY", "MIN_CHECK_INTERVAL_MINUTES", "JWT_ISSUER", "JWT_AUDIENCE",
    "JWT_TTL_SECONDS", "TRUST_PROXY", "WORKER_CONCURRENCY", "BROWSER_CONCURRENCY",
    "PUPPETEER_EXECUTABLE_PATH",
}
SECRET_KEYS = {"DATABASE_URL", "JWT_SECRET"}


class Results:
    def __init__(self):
        self.passed = 0
        self.failures = []

    def check(self, condition, where, message):
        if condition:
            self.passed += 1
        else:
            self.failures.append(f"{where}: {message}")


def pod_spec_of(doc):
    kind = doc.get("kind")
    spec = doc.get("spec") or {}
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
        return spec.get("template", {}).get("spec")
    if kind == "CronJob":
        return spec.get("jobTemplate", {}).get("spec", {}).get("template", {}).get("spec")
    if kind == "Pod":
        return spec
    return None


def component_of(doc):
    return (doc.get("metadata", {}).get("labels") or {}).get("app.kubernetes.io/component", "?")


def check_pod(r, where, doc, pod):
    kind = doc["kind"]
    pod_sc = pod.get("securityContext") or {}
    r.check(pod.get("automountServiceAccountToken") is False, where, "automountServiceAccountToken must be false")
    volumes = {v["name"]: v for v in pod.get("volumes") or []}
    for container in (pod.get("containers") or []) + (pod.get("initContainers") or []):
        cw = f"{where} container {container['name']}"
        sc = container.get("securityContext") or {}

        def effective(key):
            return sc.get(key, pod_sc.get(key))

        r.check(effective("runAsNonRoot") is True, cw, "runAsNonRoot must be true")
        r.check(effective("runAsUser") == 10001, cw, f"runAsUser must be 10001, got {effective('runAsUser')}")
        r.check(sc.get("readOnlyRootFilesystem") is True, cw, "readOnlyRootFilesystem must be true")
        r.check(sc.get("allowPrivilegeEscalation") is False, cw, "allowPrivilegeEscalation must be false")
        r.check(sc.get("privileged") in (None, False), cw, "must not be privileged")
        caps = sc.get("capabilities") or {}
        r.check("ALL" in (caps.get("drop") or []), cw, "capabilities.drop must include ALL")
        r.check(not caps.get("add"), cw, "must not add capabilities")
        seccomp = (effective("seccompProfile") or {}).get("type")
        r.check(seccomp == "RuntimeDefault", cw, f"seccompProfile must be RuntimeDefault, got {seccomp}")
        resources = container.get("resources") or {}
        limits, requests = resources.get("limits") or {}, resources.get("requests") or {}
        r.check("cpu" in limits and "memory" in limits, cw, "resources.limits.cpu and .memory required")
        r.check("cpu" in requests and "memory" in requests, cw, "resources.requests.cpu and .memory required")
        image = container.get("image", "")
        r.check("@sha256:" in image or (":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest")),
                cw, f"image must have an explicit tag or digest, never latest: {image}")
        if kind == "Deployment":
            r.check("livenessProbe" in container, cw, "livenessProbe required")
            r.check("readinessProbe" in container, cw, "readinessProbe required")
            r.check("startupProbe" in container, cw, "startupProbe required")
            live = (container.get("livenessProbe") or {}).get("httpGet", {}).get("path")
            ready = (container.get("readinessProbe") or {}).get("httpGet", {}).get("path")
            r.check(live == "/health/live", cw, f"liveness must probe /health/live, got {live}")
            r.check(ready == "/health/ready", cw, f"readiness must probe /health/ready, got {ready}")
        if sc.get("readOnlyRootFilesystem") and kind != "Pod":
            mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts") or []}
            tmp = volumes.get(mounts.get("/tmp"), {})
            r.check("emptyDir" in tmp, cw, "a read-only root filesystem needs an emptyDir at /tmp")
        env = {e["name"]: e for e in container.get("env") or []}
        for name in SECRET_KEYS & env.keys():
            r.check("value" not in env[name] and "secretKeyRef" in (env[name].get("valueFrom") or {}),
                    cw, f"{name} must come from a secretKeyRef, never a literal value")
        for name, var in env.items():
            if any(word in name for word in ("SECRET", "PASSWORD", "TOKEN")):
                r.check("value" not in var, cw, f"{name} looks secret and has a literal value")
        component = component_of(doc)
        if component in COMPONENT_PORTS and kind in ("Deployment", "CronJob"):
            r.check(env.get("PORT", {}).get("value") == str(COMPONENT_PORTS[component]), cw,
                    f"PORT must be {COMPONENT_PORTS[component]}")
            r.check("OTEL_SERVICE_NAME" in env, cw, "OTEL_SERVICE_NAME required")
            r.check(any("configMapRef" in s for s in container.get("envFrom") or []), cw,
                    "envFrom the chart's ConfigMap required")
    if kind == "Deployment":
        r.check(bool(pod.get("topologySpreadConstraints")), where, "topologySpreadConstraints required")


def check_worker(r, where, doc, pod):
    r.check((pod.get("terminationGracePeriodSeconds") or 0) >= 90, where,
            "worker terminationGracePeriodSeconds must be >= 90 (finish or release in-flight checks)")
    container = pod["containers"][0]
    mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts") or []}
    volumes = {v["name"]: v for v in pod.get("volumes") or []}
    shm = (volumes.get(mounts.get("/dev/shm"), {}).get("emptyDir") or {})
    r.check(shm.get("medium") == "Memory", where, "worker needs /dev/shm as an emptyDir with medium Memory")
    env = {e["name"] for e in container.get("env") or []}
    r.check(not (SECRET_KEYS & env), where, "the worker must not receive DATABASE_URL or JWT_SECRET")


def check_worker_network_policy(r, where, doc):
    spec = doc.get("spec") or {}
    r.check("Egress" in (spec.get("policyTypes") or []), where, "worker NetworkPolicy must restrict Egress")
    for i, rule in enumerate(spec.get("egress") or []):
        rw = f"{where} egress[{i}]"
        peers = rule.get("to")
        r.check(bool(peers), rw, "an egress rule without `to` allows every destination")
        for peer in peers or []:
            block = peer.get("ipBlock")
            if not block:
                continue
            excepted = set(block.get("except") or [])
            missing = REQUIRED_DENIED_CIDRS - excepted
            r.check(not missing, rw, f"ipBlock {block.get('cidr')} must except {sorted(missing)}")
            ports = {p.get("port") for p in rule.get("ports") or []}
            r.check(ports and ports <= {80, 443, 53}, rw, f"internet egress only on 80/443, got {ports or 'all'}")


def check_gateway_network_policy(r, where, doc):
    spec = doc.get("spec") or {}
    rules = spec.get("ingress") or []
    r.check(bool(rules), where, "gateway NetworkPolicy must list ingress sources")
    for i, rule in enumerate(rules):
        sources = rule.get("from")
        r.check(bool(sources), f"{where} ingress[{i}]", "an ingress rule without `from` admits everyone")
        for peer in sources or []:
            if "ipBlock" in peer:
                cidr = ipaddress.ip_network(peer["ipBlock"]["cidr"], strict=False)
                r.check(cidr.is_private, f"{where} ingress[{i}]",
                        f"ingress only from private ranges (the load balancer's subnets), got {cidr}")


# Paths a public route must serve, and paths that must stay in-cluster.
PUBLIC_PATHS = ["/api/v1/jobs", "/api/v1/signin", "/docs", "/docs/swagger-ui.css", "/docs-json", "/",
                "/assets/app-3f1c2a9e.js", "/favicon.svg"]
PRIVATE_PATHS = ["/metrics", "/health/live", "/health/ready", "/health/dependencies", "/healthz"]
STABLE_SERVICE_ACCOUNTS = {"gateway": "pricewatch-gateway", "scraper-worker": "pricewatch-scraper-worker",
                           "rescheduler": "pricewatch-rescheduler"}


def path_matches(kind, value, path):
    """Gateway API semantics: Exact is the whole path; PathPrefix matches whole path elements."""
    if kind == "Exact":
        return path == value
    prefix = value.rstrip("/")
    return prefix == "" or path == prefix or path.startswith(prefix + "/")


def routed(matches, path):
    return any(path_matches(k, v, path) for k, v in matches)


def check_route_paths(r, where, matches):
    """matches: [(type, value)] of every rule that forwards to the gateway."""
    for path in PUBLIC_PATHS:
        r.check(routed(matches, path), where, f"{path} must be routed to the gateway")
    for path in PRIVATE_PATHS:
        r.check(not routed(matches, path), where, f"{path} must not be routed (in-cluster only)")


def check_http_route(r, where, doc):
    spec = doc.get("spec") or {}
    r.check(bool(spec.get("hostnames")), where, "an HTTPRoute needs hostnames (no catch-all on a shared Gateway)")
    forwarding, redirecting = [], []
    for rule in spec.get("rules") or []:
        matches = [((m.get("path") or {}).get("type", "PathPrefix"), (m.get("path") or {}).get("value", "/"))
                   for m in rule.get("matches") or [{}]]
        if rule.get("backendRefs"):
            forwarding += matches
        filters = [f.get("type") for f in rule.get("filters") or []]
        if "RequestRedirect" in filters:
            redirect = next(f["requestRedirect"] for f in rule["filters"] if f["type"] == "RequestRedirect")
            r.check(redirect.get("scheme") == "https" and redirect.get("statusCode") in (301, 308), where,
                    "the plain-HTTP route must redirect to https permanently")
            r.check(not rule.get("backendRefs"), where, "a redirect rule must not also forward")
            redirecting += matches
    if forwarding:
        check_route_paths(r, where, forwarding)
    return bool(forwarding), bool(redirecting)


def check_ingress_paths(r, where, doc):
    for rule in (doc.get("spec") or {}).get("rules") or []:
        matches = [("Exact" if p.get("pathType") == "Exact" else "PathPrefix", p.get("path", "/"))
                   for p in (rule.get("http") or {}).get("paths") or []]
        check_route_paths(r, f"{where} host {rule.get('host')}", matches)


def check_zero_downtime(r, where, pod, deployment):
    """preStop sleep, then SIGTERM -> readiness fails, SHUTDOWN_DRAIN_MS of serving, then close:
    all of it inside the grace period, with maxUnavailable 0."""
    container = pod["containers"][0]
    sleep = (((container.get("lifecycle") or {}).get("preStop") or {}).get("sleep") or {}).get("seconds", 0)
    r.check(sleep >= 5, where, f"the gateway needs a preStop sleep of 5 s or more (ALB deregistration), got {sleep}")
    env = {e["name"]: e.get("value") for e in container.get("env") or []}
    drain_ms = env.get("SHUTDOWN_DRAIN_MS")
    r.check(drain_ms is not None and drain_ms.isdigit(), where, "SHUTDOWN_DRAIN_MS must be set on the gateway")
    grace = pod.get("terminationGracePeriodSeconds") or 30
    if drain_ms and drain_ms.isdigit():
        r.check(sleep + int(drain_ms) / 1000 + 10 <= grace, where,
                f"preStop {sleep}s + drain {int(drain_ms) / 1000}s + 10s for in-flight requests exceeds the grace period {grace}s")
    rolling = ((deployment.get("spec") or {}).get("strategy") or {}).get("rollingUpdate") or {}
    r.check(rolling.get("maxUnavailable") == 0, where, "the gateway rolls with maxUnavailable 0")


REQUIRED_ALERTS = {"PricewatchGatewayErrorRate", "PricewatchGatewayLatency", "PricewatchGatewayDown",
                   "PricewatchDependencyDown", "PricewatchWorkerDown", "PricewatchCheckFailureRatio",
                   "PricewatchCheckDuration", "PricewatchBrowserPoolSaturated"}
CLOUDWATCH_ALERTS = {"PricewatchQueueAge", "PricewatchDeadLetters", "PricewatchAlertsUndelivered"}


def check_prometheus_rule(r, where, doc):
    """Every alert has a severity and a runbook anchor that exists in docs/DEPLOY.md."""
    rules = [rule for group in (doc.get("spec") or {}).get("groups") or [] for rule in group.get("rules") or []]
    names = {rule.get("alert") for rule in rules}
    missing = REQUIRED_ALERTS - names
    r.check(not missing, where, f"alerts missing: {sorted(missing)}")
    deploy_doc = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "DEPLOY.md")
    with open(deploy_doc, encoding="utf-8") as handle:
        anchors = set(re.findall(r'<a id="([a-z0-9-]+)"></a>', handle.read()))
    for rule in rules:
        annotations = rule.get("annotations") or {}
        runbook = annotations.get("runbook_url", "")
        anchor = runbook.rsplit("#", 1)[-1] if "#" in runbook else ""
        r.check(anchor in anchors, f"{where} {rule.get('alert')}",
                f"runbook_url must point at a runbook anchor in docs/DEPLOY.md, got {runbook!r}")
        r.check((rule.get("labels") or {}).get("severity") in ("critical", "warning"),
                f"{where} {rule.get('alert')}", "severity label critical or warning required")


def check_rendering(r, path):
    name = os.path.basename(path).removesuffix(".yaml")
    with open(path, encoding="utf-8") as handle:
        docs = [d for d in yaml.safe_load_all(handle) if d]
    kinds = {}
    for doc in docs:
        kinds.setdefault(doc["kind"], []).append(doc)
        where = f"{name}: {doc['kind']}/{doc['metadata']['name']}"
        if doc["kind"] == "Secret":
            r.check(not doc.get("data") and not doc.get("stringData"), where,
                    "the chart must not render Secret data (use existingSecret)")
        if doc["kind"] == "ConfigMap" and "pricewatch.json" in (doc.get("data") or {}):
            try:
                dashboard = json.loads(doc["data"]["pricewatch.json"])
                r.check(bool(dashboard.get("panels")) and dashboard.get("uid"), where,
                        "the Grafana dashboard needs a uid and panels")
            except ValueError as err:
                r.check(False, where, f"the Grafana dashboard is not valid JSON: {err}")
        elif doc["kind"] == "ConfigMap":
            data = doc.get("data") or {}
            r.check(not (SECRET_KEYS & data.keys()), where, "secrets in a ConfigMap")
            missing = CONTRACT_CONFIG_KEYS - data.keys()
            r.check(not missing, where, f"env contract keys missing: {sorted(missing)}")
            if name not in TEST_RENDERINGS:
                r.check(data.get("NODE_ENV") == "production", where, "NODE_ENV must be production")
            r.check(not any(k.startswith("AWS_ENDPOINT_URL") for k in data), where,
                    "no AWS_ENDPOINT_URL_* overrides on AWS")
            if name not in TEST_RENDERINGS:
                r.check(not data.get("EGRESS_ALLOW_HOSTS"), where, "EGRESS_ALLOW_HOSTS must be empty in production")
        pod = pod_spec_of(doc)
        if pod is not None:
            check_pod(r, where, doc, pod)
            if doc["kind"] == "Deployment" and component_of(doc) == "scraper-worker":
                check_worker(r, where, doc, pod)
        if doc["kind"] == "NetworkPolicy" and component_of(doc) == "scraper-worker":
            check_worker_network_policy(r, where, doc)
        if doc["kind"] == "NetworkPolicy" and component_of(doc) == "gateway":
            check_gateway_network_policy(r, where, doc)
        if doc["kind"] == "Deployment" and component_of(doc) == "gateway":
            check_zero_downtime(r, where, pod, doc)
        if pod is not None and component_of(doc) in STABLE_SERVICE_ACCOUNTS and doc["kind"] != "Job":
            account = pod.get("serviceAccountName")
            annotated = name == "cronjob-rescheduler"  # IRSA: any name works with the annotation
            r.check(annotated or account == STABLE_SERVICE_ACCOUNTS[component_of(doc)], where,
                    f"ServiceAccount must be {STABLE_SERVICE_ACCOUNTS[component_of(doc)]} (Pod Identity binds it), got {account}")
        if doc["kind"] == "PrometheusRule":
            check_prometheus_rule(r, where, doc)
        if doc["kind"] == "HTTPRoute":
            check_http_route(r, where, doc)
        if doc["kind"] == "Ingress":
            check_ingress_paths(r, where, doc)
        hook = (doc["metadata"].get("annotations") or {}).get("helm.sh/hook")
        if hook and doc["kind"] in ("NetworkPolicy", "Job", "Pod"):
            policy = set((doc["metadata"].get("annotations") or {}).get("helm.sh/hook-delete-policy", "").split(","))
            ttl = (doc.get("spec") or {}).get("ttlSecondsAfterFinished")
            r.check("hook-succeeded" in policy and ("before-hook-creation" in policy), where,
                    "hook resources must be deleted once their hook succeeded (helm uninstall leaves hooks behind)")
            if doc["kind"] == "Job":
                r.check(isinstance(ttl, int), where, "a hook Job needs ttlSecondsAfterFinished so a failed one is cleaned up")
        if doc["kind"] == "Job" and component_of(doc) == "migrations":
            hooks = (doc["metadata"].get("annotations") or {}).get("helm.sh/hook", "")
            r.check({"pre-install", "pre-upgrade"} <= set(hooks.split(",")), where,
                    "migrations must be a pre-install,pre-upgrade hook")
    components = {component_of(d): d for d in kinds.get("Deployment", [])}
    r.check({"gateway", "scraper-worker"} <= components.keys(), name, "gateway and worker Deployments expected")
    policies = {component_of(d) for d in kinds.get("NetworkPolicy", [])}
    r.check("scraper-worker" in policies, name, "the worker must have a NetworkPolicy")
    r.check("gateway" in policies, name, "the gateway must have a NetworkPolicy")
    tests = [d for d in kinds.get("Pod", [])
             if (d["metadata"].get("annotations") or {}).get("helm.sh/hook") == "test"]
    r.check(bool(tests), name, "a helm test pod is expected")
    scalers = {component_of(d) for d in kinds.get("ScaledObject", []) + kinds.get("HorizontalPodAutoscaler", [])}
    if "scraper-worker" in scalers:
        both = [d for d in kinds.get("HorizontalPodAutoscaler", []) if component_of(d) == "scraper-worker"]
        r.check(not (both and kinds.get("ScaledObject")), name,
                "the worker must not have both a ScaledObject and an HPA (KEDA owns the HPA)")


def main(paths):
    if not paths:
        sys.exit(__doc__)
    r = Results()
    for path in paths:
        check_rendering(r, path)
    for failure in r.failures:
        print("FAIL", failure)
    print(f"{r.passed} passed, {len(r.failures)} failed")
    return 1 if r.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
