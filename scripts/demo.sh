#!/usr/bin/env bash
# `make demo`: pyprov end to end on a sample project: build, SBOM, provenance, signing against the
# bundled local Sigstore instance (insecure, for tests and demos only), and verification of the
# result with the real sigstore CLI.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/pyprov-demo.XXXXXX")
sigstore_pid=""
cleanup() {
    if [ -n "$sigstore_pid" ]; then kill "$sigstore_pid" 2>/dev/null || true; wait "$sigstore_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
# The sample project's backend, pinned: the demo shows the same build whatever the index serves today.
export PIP_CONSTRAINT="$here/fixtures/build-constraints.txt" UV_CONSTRAINT="$here/fixtures/build-constraints.txt"

echo "== a sample project, as a git checkout: $work/project"
cp -r "$here/fixtures/hatchling-pure" "$work/project"
git -C "$work/project" init -q
git -C "$work/project" add .
git -C "$work/project" -c user.name=demo -c user.email=demo@example.invalid commit -q -m "sample project"
git -C "$work/project" tag v1.0.0

echo "== a local Sigstore instance on 127.0.0.1 (python -m pyprov.testing.sigstore serve)"
python -m pyprov.testing.sigstore serve --dir "$work/sigstore" > "$work/sigstore.log" 2>&1 &
sigstore_pid=$!
for _ in $(seq 100); do [ -f "$work/sigstore/identity_token" ] && break; sleep 0.1; done
[ -f "$work/sigstore/identity_token" ] || { cat "$work/sigstore.log"; exit 1; }
trust_config="$work/sigstore/trust_config.json"

echo
echo "== pyprov build --sign: sdist, then the wheel from the sdist, SBOMs, provenance, signatures"
(cd "$work/project" && SIGSTORE_ID_TOKEN=$(cat "$work/sigstore/identity_token") \
    pyprov build --sign --trust-config "$trust_config")

echo
echo "== the wheel's build record, abridged (evidence/<wheel>.build.json)"
python - "$work/project/evidence" <<'PY'
import json, pathlib, sys
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.whl.build.json")):
    record = json.loads(path.read_text())
    env, src, inv = record["environment"], record["source"], record["invocation"]
    print(f"artifact     {record['artifact']['filename']}  sha256:{record['artifact']['digests']['sha256']}")
    print(f"built from   {record['artifact']['builtFrom']['filename']}")
    git = src["git"]
    print(f"source       git {git['commit'][:12]} {git['ref']} tags={git['tags']} dirty={git['dirty']}")
    print(f"backend      {env['backend']} (requires {', '.join(env['buildSystemRequires'])})")
    print(f"environment  {len(env['installed'])} distributions, listed before pypa/build deleted it:")
    for dist in env["installed"]:
        print(f"               {dist['name']}=={dist['version']}  wheel sha256:{(dist['wheelSha256'] or '-')[:16]}...")
    print(f"python       {inv['pythonImplementation']} {inv['pythonVersion']} on {inv['platform']}")
PY

echo
echo "== the wheel's provenance, for people (pyprov inspect)"
pyprov inspect "$work/project/evidence/"*.whl.intoto.json | sed -n '1,24p'

echo
echo "== its SBOM (pyprov inspect)"
pyprov inspect "$work/project/evidence/"*.whl.cdx.json

echo
echo "== an independent check: the sigstore CLI verifies every signature pyprov wrote"
for artifact in "$work/project/dist/"*.whl "$work/project/dist/"*.tar.gz; do
    name=$(basename "$artifact")
    for bundle in "$name.sigstore.json" "$name.intoto.sigstore.json" "$name.cdx.sigstore.json"; do
        python -m sigstore --trust-config "$trust_config" verify identity \
            --cert-identity signer@example.com --cert-oidc-issuer https://oidc.local-sigstore.invalid \
            --bundle "$work/project/evidence/$bundle" "$artifact" > /dev/null
        echo "  verified $bundle"
    done
done

echo
echo "== pyprov verify, as a consumer would before installing: signature, signer, provenance, SBOM"
pyprov verify --identity signer@example.com --issuer https://oidc.local-sigstore.invalid \
    --trust-config "$trust_config" --require provenance,sbom "$work/project/dist/"*.whl "$work/project/dist/"*.tar.gz \
    > "$work/verify.txt" 2>&1
grep -E '^(✓|✗) |^verified|^signer' "$work/verify.txt"
echo "  ($(grep -c '✓' "$work/verify.txt") checks passed; the full report lists each one)"

echo
echo "== ... and it refuses the wheel with one byte changed (exit code 4)"
wheel=$(ls "$work/project/dist/"*.whl)
python -c "import sys; p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[len(b) // 2] ^= 1; open(p, 'wb').write(b)" "$wheel"
if pyprov verify --identity signer@example.com --issuer https://oidc.local-sigstore.invalid \
    --trust-config "$trust_config" "$wheel" > "$work/verify.txt" 2>&1; then
    echo "the tampered wheel was accepted: this must not happen"; exit 1
else
    status=$?
fi
grep '✗' "$work/verify.txt" | head -3
echo "pyprov verify exit code: $status"

echo
echo "== the output directory as twine uploads it: distributions and their PEP 740 attestations"
ls "$work/project/dist/"
echo "== pyprov verify takes dist/* as it is (the attestations are skipped as artifacts, read as evidence)"
python -c "import sys; p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[len(b) // 2] ^= 1; open(p, 'wb').write(b)" "$wheel"  # the byte restored
pyprov verify --identity signer@example.com --issuer https://oidc.local-sigstore.invalid \
    --trust-config "$trust_config" -q "$work/project/dist/"*
echo "  all artifacts in dist/* verified"
if command -v twine > /dev/null; then  # installed by `make test`, not needed for the demo
    twine check "$work/project/dist/"*
fi

echo
echo "== pyprov posture: which security properties hold for this release, artifact by artifact"
pyprov posture --trust-config "$trust_config" "$work/project/dist/"
