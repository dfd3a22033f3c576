#!/usr/bin/env python3
"""Render deploy/flux for kubeconform: Flux's postBuild substitution with sample values.

Usage: flux_render.py DEPLOY_DIR PLATFORM_OUTPUTS_TF OUT_DIR

deploy/flux uses ${var} placeholders that Flux fills from the ConfigMap
flux-system/cluster-settings, which is `terraform output -raw cluster_settings`. This script
- reads the keys that output defines (terraform/modules/platform/outputs.tf),
- fails if a manifest uses a variable the output does not define (a typo would reach the
  cluster as an empty string),
- writes every manifest to OUT_DIR with each ${var} replaced by a sample value of the right
  shape, so that kubeconform validates the objects as Flux would apply them.
Prints "N passed, N failed"; exits 1 on any failure.
"""
import os
import re
import sys

import yaml

VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Sample values by variable name (anything else gets a plain word).
SAMPLES = {
    "cluster_name": "pricewatch-dev",
    "environment": "dev",
    "aws_region": "eu-west-1",
    "vpc_id": "vpc-0123456789abcdef0",
    "vpc_cidr": "10.40.0.0/16",
    "public_hostname": "pricewatch.example.com",
    "certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
    "dns_zone_name": "example.com",
    "karpenter_node_role": "pricewatch-dev-karpenter-node",
    "karpenter_interruption_queue": "Karpenter-pricewatch-dev",
    "db_endpoint": "pricewatch-dev.abcdefghijkl.eu-west-1.rds.amazonaws.com:5432",
    "db_name": "pricewatch",
    "db_master_secret_arn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0000-AbCdEf",
    "db_app_secret_arn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pricewatch-dev/app-AbCdEf",
    "jobs_table_name": "pricewatch-dev-jobs",
    "checks_queue_url": "https://sqs.eu-west-1.amazonaws.com/123456789012/pricewatch-dev-checks",
    "alerts_topic_arn": "arn:aws:sns:eu-west-1:123456789012:pricewatch-dev-price-alerts",
    "image_namespace": "acme",
}


def defined_keys(outputs_tf):
    text = open(outputs_tf, encoding="utf-8").read()
    block = text.split('output "cluster_settings"', 1)
    if len(block) < 2:
        sys.exit(f"{outputs_tf} has no cluster_settings output")
    body = block[1].split("\noutput ", 1)[0]
    keys = set(re.findall(r'"([a-z_][a-z0-9_]*)=', body))
    # "public_subnet_cidr_${i}=..." for each public subnet (2 in dev, 3 in prod).
    for prefix in re.findall(r'"([a-z_][a-z0-9_]*_)\$\{i\}=', body):
        keys |= {f"{prefix}{i}" for i in range(3)}
    return keys


def sample(name):
    if name.startswith("public_subnet_cidr_"):
        return f"10.40.{48 + int(name.rsplit('_', 1)[1])}.0/24"
    return SAMPLES.get(name, name.replace("_", "-"))


def main(deploy_dir, outputs_tf, out_dir):
    keys = defined_keys(outputs_tf)
    passed, failures = 0, []
    os.makedirs(out_dir, exist_ok=True)
    for root, _, files in sorted(os.walk(deploy_dir)):
        for name in sorted(files):
            if not name.endswith((".yaml", ".yml")):
                continue
            path = os.path.join(root, name)
            text = open(path, encoding="utf-8").read()
            used = set(VAR.findall(text))
            unknown = used - keys
            if unknown:
                failures.append(f"{path}: variables not in cluster_settings: {sorted(unknown)}")
            else:
                passed += 1
            rendered = VAR.sub(lambda m: sample(m.group(1)), text)
            try:
                list(yaml.safe_load_all(rendered))
                passed += 1
            except yaml.YAMLError as err:
                failures.append(f"{path}: not valid YAML after substitution: {err}")
            target = os.path.join(out_dir, os.path.relpath(path, deploy_dir).replace(os.sep, "__"))
            with open(target, "w", encoding="utf-8") as handle:
                handle.write(rendered)
    for failure in failures:
        print("FAIL", failure)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
