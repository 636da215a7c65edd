#!/usr/bin/python3
"""editors/vscode: the manifest, the language configuration and the TextMate grammar are valid
JSON, reference files that exist, and the grammar highlights every keyword of the real grammar
(grammar/Clause.g4): a keyword added to the language without a highlighting rule fails here.

usage: editor_test.py SOURCE_DIR
"""
import json
import pathlib
import re
import sys

src = pathlib.Path(sys.argv[1])
ext = src / "editors" / "vscode"
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def load(path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        failures.append(f"{path}: {e}")
        return {}


pkg = load(ext / "package.json")
langs = pkg.get("contributes", {}).get("languages", [])
grammars = pkg.get("contributes", {}).get("grammars", [])
check(any(".clause" in l.get("extensions", []) and l.get("id") == "clause" for l in langs),
      "package.json: no language `clause` for .clause files")
check((ext / pkg.get("main", "missing")).is_file(), "package.json: `main` names no file")
check("onLanguage:clause" in pkg.get("activationEvents", []), "package.json: not activated for clause")
for l in langs:
    check((ext / l.get("configuration", "missing")).is_file(), "package.json: language configuration missing")
    load(ext / l.get("configuration", "missing"))
check(len(grammars) == 1, "package.json: one grammar expected")
grammar = {}
if grammars:
    check((ext / grammars[0]["path"]).is_file(), "package.json: grammar path missing")
    grammar = load(ext / grammars[0]["path"])
    check(grammar.get("scopeName") == grammars[0].get("scopeName") == "source.clause", "scopeName mismatch")
client = (ext / pkg.get("main", "extension.js")).read_text(encoding="utf-8") if (ext / pkg.get("main", "x")).is_file() else ""
check('"lsp"' in client, "extension.js does not start `conform lsp`")

# Every `match` of the grammar, with the scope it gives (captures included); each must compile.
rules = []


def collect(node):
    if isinstance(node, dict):
        if "match" in node:
            try:
                rx = re.compile(node["match"])
            except re.error as e:
                failures.append(f"grammar: bad regex {node['match']!r}: {e}")
                rx = None
            scopes = [node.get("name", "")] + [c.get("name", "") for c in node.get("captures", {}).values()]
            if rx:
                rules.append((rx, scopes))
        for k in ("begin", "end"):
            if k in node:
                try:
                    re.compile(node[k])
                except re.error as e:
                    failures.append(f"grammar: bad regex {node[k]!r}: {e}")
        for k, v in node.items():
            if k != "captures":
                collect(v)
    elif isinstance(node, list):
        for v in node:
            collect(v)
    if isinstance(node, dict) and "include" in node:
        ref = node["include"]
        check(ref == "$self" or ref.lstrip("#") in grammar.get("repository", {}), f"grammar: dangling include {ref}")


collect(grammar)

# The keywords of the language: the lexer rules of Clause.g4 whose literal is a word.
g4 = (src / "grammar" / "Clause.g4").read_text(encoding="utf-8")
keywords = sorted(set(re.findall(r"\b[A-Z_]+\s*:\s*'([a-z_]+)'\s*;", g4)))
check(len(keywords) >= 30, f"found only {len(keywords)} keywords in Clause.g4")
KEYWORD_SCOPES = ("keyword.", "storage.", "constant.language", "variable.language")
for kw in keywords:
    ok = any(m and m.group(0) == kw and any(s.startswith(KEYWORD_SCOPES) for s in scopes)
             for rx, scopes in rules for m in [rx.fullmatch(kw)])
    check(ok, f"keyword `{kw}` of grammar/Clause.g4 is not highlighted as a keyword by "
              "editors/vscode/syntaxes/clause.tmLanguage.json: add it to a keyword rule")

# A few tokens of real sources get the right scope.
samples = {"2025-09-15": "constant.numeric.date", "major": "constant.language.grade", "// x": "comment.line",
           "12 months": "constant.numeric.duration", "count(": "support.function", "as_of": "variable.language"}
for text, scope in samples.items():
    check(any(rx.match(text) and any(s.startswith(scope) for s in scopes) for rx, scopes in rules),
          f"`{text}` is not scoped {scope}")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"editors/vscode: ok ({len(keywords)} keywords of Clause.g4, {len(rules)} grammar rules)")
