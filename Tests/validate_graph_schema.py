#!/usr/bin/env python3
"""Validates graph files against Schemas/graph.schema.json (used by SchemaTests.swift).

`${param}` references are replaced by a plain placeholder first: flowrun allows them unquoted inside
flow mappings, which plain YAML parsers reject. Exit 0 when every file is valid, 1 otherwise."""
import json
import re
import sys
from pathlib import Path

import jsonschema
import yaml

root = Path(__file__).resolve().parent.parent
schema = json.loads((root / "Schemas" / "graph.schema.json").read_text())
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)

files = [Path(p) for p in sys.argv[1:]] or sorted((root / "Graphs").rglob("*.yaml"))
bad = 0
for path in files:
    text = re.sub(r"\$\{([A-Za-z0-9_.-]+)\}", r"PARAM_\1", path.read_text())
    doc = yaml.safe_load(text)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    for e in errors:
        where = "/".join(str(p) for p in e.path) or "(top)"
        print(f"{path}: {where}: {e.message}")
    bad += bool(errors)
print(f"{len(files) - bad} valid, {bad} invalid")
sys.exit(1 if bad else 0)
