"""`pyprov verify` on 100 signed artifacts against `sigstore verify identity` and the library floor.

Three contenders verify the same 100 files and bundles (signed by the real sigstore client
against a local Sigstore instance, pyprov.testing, on 127.0.0.1), each as a fresh process:

- one `pyprov verify` call over the directory (evidence discovered, policy checked);
- 100 `sigstore verify identity` CLI calls, one per file (what a shell loop does today);
- one Python process looping over sigstore-python's `Verifier.verify_artifact` (the floor).

Usage: python benchmarks/bench_verify.py [--runs N] [--artifacts N] [--jobs N]
Targets: >= 10x faster than the CLI loop; <= 1.3x the library loop.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from _timing import alternate, report, wall_time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from pyprov.testing.sigstore import DEFAULT_EMAIL, DEFAULT_EMAIL_ISSUER, LocalSigstore  # noqa: E402

LIBRARY_LOOP = """
import sys
from pathlib import Path
from sigstore.models import Bundle, ClientTrustConfig
from sigstore.verify import Verifier
from sigstore.verify.policy import Identity

config, dist, evidence, identity, issuer = sys.argv[1:]
verifier = Verifier(trusted_root=ClientTrustConfig.from_json(Path(config).read_text()).trusted_root)
policy = Identity(identity=identity, issuer=issuer)
for artifact in sorted(Path(dist).iterdir()):
    bundle = Bundle.from_json((Path(evidence) / (artifact.name + ".sigstore.json")).read_bytes())
    verifier.verify_artifact(artifact.read_bytes(), bundle, policy)
"""


def sign(instance: LocalSigstore, dist: Path, evidence: Path, count: int) -> None:
    from sigstore.oidc import IdentityToken  # noqa: PLC0415
    from sigstore.sign import SigningContext  # noqa: PLC0415

    context = SigningContext.from_trust_config(instance.client_trust_config())
    dist.mkdir()
    evidence.mkdir()
    with context.signer(IdentityToken(instance.identity_token(DEFAULT_EMAIL)), cache=True) as signer:
        for number in range(count):
            name = f"widget-1.0.{number}.tar.gz"
            data = os.urandom(64 * 1024)
            (dist / name).write_bytes(data)
            (evidence / f"{name}.sigstore.json").write_text(signer.sign_artifact(data).to_json())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--artifacts", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, LocalSigstore(Path(scratch) / "sigstore") as instance:
        base = Path(scratch)
        dist, evidence = base / "dist", base / "evidence"
        sign(instance, dist, evidence, args.artifacts)
        config = str(instance.trust_config_path)
        env = {**os.environ, "HOME": scratch, "PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1"}
        identity = ("--identity", DEFAULT_EMAIL, "--issuer", DEFAULT_EMAIL_ISSUER)

        def pyprov() -> float:
            command = [sys.executable, "-m", "pyprov", "verify", "-q", "--trust-config", config, *identity]
            return wall_time([*command, "-j", str(args.jobs), "--require", "signature", str(dist)], env=env)

        def library() -> float:
            command = [sys.executable, "-c", LIBRARY_LOOP, config, str(dist), str(evidence), *identity[1::2]]
            return wall_time(command, env=env)

        def cli_loop() -> float:
            total = 0.0
            for artifact in sorted(dist.iterdir()):
                bundle = evidence / f"{artifact.name}.sigstore.json"
                command = [sys.executable, "-m", "sigstore", "--trust-config", config, "verify", "identity"]
                command += ["--cert-identity", DEFAULT_EMAIL, "--cert-oidc-issuer", DEFAULT_EMAIL_ISSUER]
                total += wall_time([*command, "--bundle", str(bundle), str(artifact)], env=env)
            return total

        pyprov(), library()  # warm the file system cache and bytecode for both
        ours, floor, loop = alternate(args.runs, pyprov, library, cli_loop)
    title = f"{args.artifacts} artifacts, -j {args.jobs}, {args.runs} runs"
    report(f"pyprov verify ({title})", ours, loop, f"{args.artifacts} x sigstore verify identity", limit=0.1)
    print(f"  -> pyprov is {statistics.median(loop) / statistics.median(ours):.1f}x faster than the CLI loop")
    report(f"pyprov verify ({title})", ours, floor, "Verifier.verify_artifact loop (one process)", limit=1.3)


if __name__ == "__main__":
    main()
