#!/usr/bin/env python3
"""Generate the parameter tables of helm/pricewatch/README.md from the `## @param` comments.

Usage: chart_readme.py CHART_DIR            rewrite the tables in CHART_DIR/README.md
       chart_readme.py CHART_DIR --check    exit 1 if README.md is not what would be generated

Like bitnami's readme-generator-for-helm, which is not in a registry reachable here: each
`## @section Title` starts a table, each `## @param path Description` becomes a row with the
default read from values.yaml. Only the part of README.md between the markers
<!-- parameters:start --> and <!-- parameters:end --> is generated; the prose around it is kept.
"""
import json
import re
import sys
from pathlib import Path

import yaml

START = "<!-- parameters:start -->"
END = "<!-- parameters:end -->"
SECTION = re.compile(r"^\s*## @section (.+?)\s*$")
PARAM = re.compile(r"^\s*## @param (\S+)\s+(.*?)\s*$")


def lookup(values, path):
    node = values
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            raise KeyError(path)
        node = node[key]
    return node


def cell(text):
    return (
        text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")
    )


def default_of(value):
    if isinstance(value, (dict, list)):
        rendered = json.dumps(value, separators=(",", ":"))
        if len(rendered) > 80:
            return "see values.yaml"
    else:
        rendered = json.dumps(value)
    return f"`{cell(rendered)}`"


def tables(chart):
    text = (chart / "values.yaml").read_text(encoding="utf-8")
    values = yaml.safe_load(text)
    out, rows = [], 0
    for line in text.splitlines():
        if m := SECTION.match(line):
            out += ["", f"### {m.group(1)}", "", "| Name | Description | Default |", "| --- | --- | --- |"]
        elif m := PARAM.match(line):
            path, description = m.groups()
            try:
                default = default_of(lookup(values, path))
            except KeyError:
                sys.exit(f"## @param {path}: no such key in values.yaml")
            out.append(f"| `{path}` | {cell(description)} | {default} |")
            rows += 1
    if rows == 0:
        sys.exit("no ## @param comment found in values.yaml")
    return "\n".join(out).strip() + "\n", rows


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    chart = Path(argv[1])
    readme = chart / "README.md"
    current = readme.read_text(encoding="utf-8")
    if START not in current or END not in current:
        sys.exit(f"{readme} has no {START} ... {END} block")
    head, rest = current.split(START, 1)
    _, tail = rest.split(END, 1)
    body, rows = tables(chart)
    wanted = f"{head}{START}\n\n{body}\n{END}{tail}"
    if "--check" in argv[2:]:
        if wanted != current:
            print(f"{readme} is out of date: run python3 tools/ci/chart_readme.py {chart}")
            print("0 passed, 1 failed")
            return 1
        print(f"{readme}: {rows} parameters, up to date")
        print("1 passed, 0 failed")
        return 0
    readme.write_text(wanted, encoding="utf-8")
    print(f"wrote {rows} parameters to {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
