#!/usr/bin/env python3
"""Every value of the chart is documented where it is declared, and the schema knows it.

Usage: values_doc_check.py CHART_DIR

- each leaf key of values.yaml (a scalar, a list or an empty map) has a `## @param <path>`
  comment, or sits inside a documented Kubernetes structure (e.g. `gateway.resources` covers
  `gateway.resources.limits.cpu`), and every `## @param` names a key that exists (bitnami
  readme-generator style);
- every key of values.yaml is declared in values.schema.json (which forbids unknown keys, so
  an undeclared default would make the chart's own defaults invalid).
Prints "N passed, N failed"; exits 1 on any failure.
"""
import json
import os
import re
import sys

import yaml


def leaves(node, prefix=""):
    for key, value in node.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and value:
            yield from leaves(value, path)
        else:
            yield path


def all_paths(node, prefix=""):
    for key, value in node.items():
        path = f"{prefix}.{key}" if prefix else key
        yield path
        if isinstance(value, dict) and value and not path.endswith(("Selector", "annotations", "Labels")):
            yield from all_paths(value, path)


def schema_has(schema, root, path):
    node = schema
    for part in path.split("."):
        while "$ref" in node:
            node = resolve(root, node["$ref"])
        props = node.get("properties")
        if props is None or part not in props:
            # free-form maps (additionalProperties schema) accept any key
            return isinstance(node.get("additionalProperties"), dict) or node.get("type") == "object" and "properties" not in node
        node = props[part]
    return True


def resolve(root, ref):
    node = root
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def main(chart):
    with open(os.path.join(chart, "values.yaml"), encoding="utf-8") as handle:
        text = handle.read()
    values = yaml.safe_load(text)
    with open(os.path.join(chart, "values.schema.json"), encoding="utf-8") as handle:
        schema = json.load(handle)
    documented = set(re.findall(r"^\s*## @param (\S+)", text, re.MULTILINE))
    failures, passed = [], 0
    for path in leaves(values):
        parts = path.split(".")
        if any(".".join(parts[:i]) in documented for i in range(1, len(parts) + 1)):
            passed += 1
        else:
            failures.append(f"values.yaml: {path} has no `## @param {path}` comment")
    existing = set(all_paths(values)) | set(leaves(values))
    for path in sorted(documented - existing):
        failures.append(f"values.yaml: `## @param {path}` documents a key that does not exist")
    for path in all_paths(values):
        if schema_has(schema, schema, path):
            passed += 1
        else:
            failures.append(f"values.schema.json: {path} is not declared")
    for failure in failures:
        print("FAIL", failure)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
