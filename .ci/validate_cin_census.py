"""Validate CIN census XML files with the DfE rules as the open-source validator implements them
(csc-validator-be-cin, from Data to Insight and Social Finance), return-level rules included.

Run it with the validator's own virtual environment (`.ci/cin-validator FILE...` makes it):
its pins (pandas 1.5.3, numpy below 2) do not belong in Front Door's lock. The validator's
command line always exits 0 and leaves out the return-level rules, so this script calls its
Python interface: the XML is read into its tables, `CinValidator` runs the rule set of the
file's collection year, and every issue is counted by its rule's type. Every query is listed;
the exit status is 1 if any ERROR-type rule fired (or a rule could not run), else 0.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import sys
import warnings
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

from cin_validator import cin_validator
from cin_validator.rule_engine import RuleType


def ruleset_for(year: int):
    """The registry of the collection year ending 31 March `year` (cin2025_26 for 2026), or
    of the latest year the validator knows if it is newer than that."""
    package = importlib.import_module("cin_validator.rules")
    known = sorted(
        path.name
        for path in Path(package.__path__[0]).iterdir()
        if path.is_dir() and path.name.startswith("cin")
    )
    wanted = f"cin{year - 1}_{year % 100:02d}"
    name = wanted if wanted in known else max(n for n in known if n <= wanted or n == known[0])
    return name, importlib.import_module(f"cin_validator.rules.{name}").registry


def validate(path: Path) -> tuple[int, int, int]:
    """Print the issues found in one file; return the numbers of errors, queries and rules
    that could not run."""
    root = ET.parse(path).getroot()  # noqa: S314  # our own export, as the validator reads it
    year = int(root.findtext("Header/CollectionDetails/Year") or 0)
    children = len(root.findall("Children/Child"))
    name, registry = ruleset_for(year)
    data = cin_validator.process_data(cin_validator.convert_data(root))
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        validator = cin_validator.CinValidator(data, registry)
    crashed = [line for line in captured.getvalue().splitlines() if line.startswith("Error with")]

    rules = {str(rule.code): rule for _, rule in registry.items()}
    issues: Counter[str] = Counter()
    children_of: dict[str, set[str]] = defaultdict(set)
    located = validator.full_issue_df
    for code, child in zip(located["rule_code"], located["child_id"], strict=True):
        issues[str(code)] += 1
        if isinstance(child, str):
            children_of[str(code)].add(child)
    # Return-level rules (and header rules) have no child: counted once per rule.
    for code in set(validator.multichild_issues["rule_code"].astype(str)):
        issues[code] += 1

    print(f"{path}: year {year} ({name}), {children} children, {len(rules)} rules")
    errors = queries = 0
    for code in sorted(issues):
        rule = rules.get(code)
        kind = rule.rule_type if rule is not None else RuleType.ERROR
        message = (rule.message if rule is not None else "unknown rule") or ""
        who = ", ".join(sorted(children_of[code])[:10]) or "the whole return"
        more = " ..." if len(children_of[code]) > 10 else ""
        count = f"{issues[code]} issues, {len(children_of[code])} children"
        print(f"  {kind.name} {code} ({count}): {message.strip()} [{who}{more}]")
        if kind == RuleType.ERROR:
            errors += issues[code]
        else:
            queries += issues[code]
    for line in crashed:
        print(f"  RULE FAILED TO RUN: {line}")
    print(f"  {errors} errors, {queries} queries, {len(crashed)} rules failed to run")
    return errors, queries, len(crashed)


def main(paths: list[str]) -> int:
    # The validator's pandas code warns about its own use of pandas; its findings are printed.
    warnings.simplefilter("ignore")
    if not paths:
        print("usage: validate_cin_census.py CENSUS.xml [...]", file=sys.stderr)
        return 2
    failed = False
    for path in paths:
        errors, _, crashed = validate(Path(path))
        failed = failed or errors > 0 or crashed > 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
