#!/usr/bin/env bash
# `make demo`: build a fixture project with pyprov, end to end, and show what it recorded.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/pyprov-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "== a sample project, as a git checkout: $work/project"
cp -r "$here/fixtures/hatchling-pure" "$work/project"
git -C "$work/project" init -q
git -C "$work/project" add .
git -C "$work/project" -c user.name=demo -c user.email=demo@example.invalid commit -q -m "sample project"
git -C "$work/project" tag v1.0.0

echo "== pyprov build (sdist, then the wheel from the sdist, each in an isolated environment)"
(cd "$work/project" && pyprov build)

echo
echo "== the wheel's build record, abridged (full file: evidence/<wheel>.build.json)"
python - "$work/project/evidence" <<'PY'
import json, pathlib, sys
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.whl.build.json")):
    record = json.loads(path.read_text())
    env, src, inv = record["environment"], record["source"], record["invocation"]
    print(f"artifact     {record['artifact']['filename']}  sha256:{record['artifact']['digests']['sha256']}")
    print(f"built from   {record['artifact']['builtFrom']['filename']}")
    print(f"source       git {src['git']['commit'][:12]} {src['git']['ref']} tags={src['git']['tags']} dirty={src['git']['dirty']}")
    print(f"backend      {env['backend']} (requires {', '.join(env['buildSystemRequires'])})")
    print(f"environment  {len(env['installed'])} distributions, captured before it was deleted:")
    for dist in env["installed"]:
        print(f"               {dist['name']}=={dist['version']}  wheel sha256:{(dist['wheelSha256'] or '-')[:16]}…")
    print(f"python       {inv['pythonImplementation']} {inv['pythonVersion']} on {inv['platform']}")
PY

echo
echo "== twine check accepts the output directory as it is"
twine check "$work/project/dist/"*
