#!/usr/bin/env python3
"""Convert CustomResourceDefinition YAML into the JSON schemas kubeconform reads.

Usage: crd_to_jsonschema.py OUT_DIR CRD.yaml...

Writes OUT_DIR/<group>/<kind lowercased>_<version>.json for every served version, matching
the kubeconform -schema-location template
  OUT_DIR/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json
Like kubeconform's own openapi2jsonschema.py in strict mode, objects that declare
properties and neither additionalProperties nor x-kubernetes-preserve-unknown-fields get
additionalProperties: false, so a misspelt field in a ScaledObject or HTTPRoute fails.
"""
import json
import os
import sys

import yaml


def strictify(node):
    if isinstance(node, dict):
        if (
            node.get("type") == "object"
            and "properties" in node
            and "additionalProperties" not in node
            and not node.get("x-kubernetes-preserve-unknown-fields")
        ):
            node["additionalProperties"] = False
        for value in node.values():
            strictify(value)
    elif isinstance(node, list):
        for value in node:
            strictify(value)
    return node


def main(out_dir, paths):
    written = 0
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for doc in yaml.safe_load_all(handle):
                if not doc or doc.get("kind") != "CustomResourceDefinition":
                    continue
                spec = doc["spec"]
                group, kind = spec["group"], spec["names"]["kind"].lower()
                for version in spec["versions"]:
                    schema = (version.get("schema") or {}).get("openAPIV3Schema")
                    if not schema or not version.get("served", True):
                        continue
                    schema = strictify(json.loads(json.dumps(schema)))
                    # apiVersion/kind/metadata are validated by the API server, not the CRD.
                    schema.setdefault("properties", {})
                    schema["properties"]["metadata"] = {"type": "object"}
                    target = os.path.join(out_dir, group, f"{kind}_{version['name']}.json")
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    with open(target, "w", encoding="utf-8") as out:
                        json.dump(schema, out, indent=1)
                    written += 1
    if written == 0:
        sys.exit("no CRD schema found in " + " ".join(paths))
    print(f"wrote {written} CRD schemas to {out_dir}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
