"""Signer policies: who must have signed, checked on the Fulcio certificate's SAN and extensions.

Two forms, as the command line offers them: an identity with its issuer (release managers
sign with an e-mail or URI identity), and a CI repository (``OWNER/NAME`` on GitHub, or a
``https://github.com/...`` / ``https://gitlab.com/...`` URL) optionally narrowed to one
workflow and one ref, matched as PyPI's trusted publishers match them.

Each policy is a sigstore-python ``VerificationPolicy`` (its ``verify(cert)`` raises
``sigstore.errors.VerificationError``) and can also list what does not match, as
"expected vs found" lines for the report. sigstore-python has no prefix or regular
expression policies, so the "any ref" and "any workflow" cases are checked here on the
decoded extensions.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Union

from cryptography import x509
from cryptography.x509.oid import ObjectIdentifier
from sigstore.errors import VerificationError as SigstoreVerificationError
from sigstore.verify.policy import Identity

from pyprov._internal.der import utf8_string

Forge = Literal["github", "gitlab"]

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
GITLAB_ISSUER = "https://gitlab.com"
GOOGLE_ISSUER = "https://accounts.google.com"
_FORGE_URLS: dict[Forge, str] = {"github": "https://github.com", "gitlab": "https://gitlab.com"}
_FORGE_ISSUERS: dict[Forge, str] = {"github": GITHUB_ISSUER, "gitlab": GITLAB_ISSUER}

# Fulcio's certificate extensions (https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md).
_ISSUER_V1 = ObjectIdentifier("1.3.6.1.4.1.57264.1.1")  # raw bytes (deprecated)
_ISSUER_V2 = ObjectIdentifier("1.3.6.1.4.1.57264.1.8")  # DER UTF8String, as are the ones below
_BUILD_SIGNER_URI = ObjectIdentifier("1.3.6.1.4.1.57264.1.9")
_RUNNER_ENVIRONMENT = ObjectIdentifier("1.3.6.1.4.1.57264.1.11")
_SOURCE_REPOSITORY_URI = ObjectIdentifier("1.3.6.1.4.1.57264.1.12")
_SOURCE_REPOSITORY_DIGEST = ObjectIdentifier("1.3.6.1.4.1.57264.1.13")
_SOURCE_REPOSITORY_REF = ObjectIdentifier("1.3.6.1.4.1.57264.1.14")
_BUILD_CONFIG_URI = ObjectIdentifier("1.3.6.1.4.1.57264.1.18")
_BUILD_TRIGGER = ObjectIdentifier("1.3.6.1.4.1.57264.1.20")

_SEGMENT = r"[A-Za-z0-9_.-]+"
_GITHUB_REPOSITORY = re.compile(rf"{_SEGMENT}/{_SEGMENT}")
_GITLAB_REPOSITORY = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})+")
_COMMIT = re.compile(r"[0-9a-f]{40}")


def _extension(cert: x509.Certificate, oid: ObjectIdentifier, *, der: bool = True) -> str | None:
    try:
        value = cert.extensions.get_extension_for_oid(oid).value
    except x509.ExtensionNotFound:
        return None
    if not isinstance(value, x509.UnrecognizedExtension):
        return None
    try:
        return utf8_string(value.value) if der else value.value.decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class CertificateIdentity:
    """What a signing certificate says about its signer (decoded, untrusted until verified)."""

    sans: tuple[str, ...]
    issuer: str | None
    source_repository_uri: str | None = None
    source_repository_ref: str | None = None
    source_repository_digest: str | None = None
    build_config_uri: str | None = None
    build_signer_uri: str | None = None
    runner_environment: str | None = None
    """``github-hosted`` or ``self-hosted``: where the signing job ran (Fulcio's Runner Environment)."""
    build_trigger: str | None = None
    """The event that started the run (``push``, ``release``, ``workflow_dispatch``, ...)."""

    @classmethod
    def from_certificate(cls, cert: x509.Certificate) -> CertificateIdentity:
        """Read the SANs and Fulcio extensions of ``cert`` (unreadable ones count as absent)."""
        sans: list[str] = []
        try:
            names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            sans += names.get_values_for_type(x509.RFC822Name)
            sans += names.get_values_for_type(x509.UniformResourceIdentifier)
        except (x509.ExtensionNotFound, ValueError):
            pass
        return cls(
            sans=tuple(sans),
            issuer=_extension(cert, _ISSUER_V2) or _extension(cert, _ISSUER_V1, der=False),
            source_repository_uri=_extension(cert, _SOURCE_REPOSITORY_URI),
            source_repository_ref=_extension(cert, _SOURCE_REPOSITORY_REF),
            source_repository_digest=_extension(cert, _SOURCE_REPOSITORY_DIGEST),
            build_config_uri=_extension(cert, _BUILD_CONFIG_URI),
            build_signer_uri=_extension(cert, _BUILD_SIGNER_URI),
            runner_environment=_extension(cert, _RUNNER_ENVIRONMENT),
            build_trigger=_extension(cert, _BUILD_TRIGGER),
        )

    def describe(self) -> str:
        """One line: the SAN and issuer, and the build config when there is one."""
        text = f"{', '.join(self.sans) or '(no identity)'} (issuer {self.issuer or 'unknown'})"
        if self.build_config_uri and self.build_config_uri not in self.sans:
            text += f", build config {self.build_config_uri}"
        return text


class _PolicyBase(abc.ABC):
    """The sigstore-python ``VerificationPolicy`` side, shared by pyprov's policies."""

    __slots__ = ()

    @abc.abstractmethod
    def mismatches(self, signer: CertificateIdentity) -> list[str]:
        """Return one "field: expected X, found Y" line per mismatch (empty: the policy holds)."""

    @abc.abstractmethod
    def describe(self) -> str:
        """One line: who the policy accepts."""

    def verify(self, cert: x509.Certificate) -> None:
        """Raise ``sigstore.errors.VerificationError`` unless ``cert`` satisfies the policy."""
        problems = self.mismatches(CertificateIdentity.from_certificate(cert))
        if problems:
            raise SigstoreVerificationError("; ".join(problems))
        self.cross_check(cert)

    def cross_check(self, cert: x509.Certificate) -> None:
        """Check ``cert`` again with sigstore-python's own policy where it has one (none by default).

        Called once `mismatches` found nothing; raises ``sigstore.errors.VerificationError``.
        """
        del cert


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentityPolicy(_PolicyBase):
    """An exact identity (e-mail or URI SAN) issued by an exact OIDC issuer."""

    identity: str
    issuer: str

    def describe(self) -> str:
        """One line: the identity and issuer."""
        return f"{self.identity} (issuer {self.issuer})"

    def mismatches(self, signer: CertificateIdentity) -> list[str]:
        """Compare the SANs and the issuer."""
        problems = []
        if signer.issuer != self.issuer:
            problems.append(f"issuer: expected {self.issuer}, found {signer.issuer or 'none'}")
        if self.identity not in signer.sans:
            problems.append(f"identity: expected {self.identity}, found {', '.join(signer.sans) or 'none'}")
        return problems

    def cross_check(self, cert: x509.Certificate) -> None:
        """Check with sigstore-python's own `Identity` policy too."""
        Identity(identity=self.identity, issuer=self.issuer).verify(cert)


@dataclass(frozen=True, slots=True, kw_only=True)
class RepositoryPolicy(_PolicyBase):
    """A CI signer: a repository on a forge, optionally one workflow file and one ref.

    Matched as PyPI's trusted publishers match: the issuer is the forge's, the source
    repository URI is the repository's, and the build config URI is
    ``<repository>/.github/workflows/<workflow>@<suffix>`` (GitLab:
    ``<repository>//<path>@<suffix>``) where the suffix is the certificate's own source
    ref or commit. ``ref`` (``refs/tags/v1``; a bare ``v1`` means ``refs/tags/v1`` or
    ``refs/heads/v1``; 40 hex digits a commit) narrows the source ref further.
    ``runner_environment`` (``github-hosted``) and ``trigger`` (an event name such as
    ``push``) require the certificate's Runner Environment and Build Trigger.
    """

    forge: Forge
    repository: str
    workflow: str | None = None
    ref: str | None = None
    runner_environment: str | None = None
    trigger: str | None = None

    @classmethod
    def parse(
        cls,
        repository: str,
        *,
        workflow: str | None = None,
        ref: str | None = None,
        runner_environment: str | None = None,
        trigger: str | None = None,
    ) -> RepositoryPolicy:
        """Read ``OWNER/NAME`` (GitHub) or a ``https://github.com/...``/``https://gitlab.com/...`` URL.

        Raises ``ValueError`` with a user-facing message for anything else.
        """
        forge: Forge = "github"
        path = repository.strip()
        for candidate, base in _FORGE_URLS.items():
            if path.startswith(base + "/"):
                forge, path = candidate, path[len(base) + 1 :]
                break
        else:
            if "://" in path:
                raise ValueError(
                    f"unsupported repository URL {repository!r}: use OWNER/NAME (GitHub), "
                    "https://github.com/OWNER/NAME or https://gitlab.com/GROUP/NAME"
                )
        path = path.removesuffix("/").removesuffix(".git")
        pattern = _GITHUB_REPOSITORY if forge == "github" else _GITLAB_REPOSITORY
        if not pattern.fullmatch(path) or any(part in {".", ".."} for part in path.split("/")):
            raise ValueError(f"not a repository: {repository!r} (expected OWNER/NAME)")
        if workflow is not None:
            workflow = workflow.strip()
            if forge == "github":
                workflow = workflow.removeprefix(".github/workflows/")
            if not workflow or ".." in workflow.split("/") or (forge == "github" and "/" in workflow):
                raise ValueError(f"not a workflow file name: {workflow!r}")
        if ref is not None and not ref.strip():
            raise ValueError("--ref is empty")
        if trigger is not None and not re.fullmatch(r"[a-z_]+", trigger.strip()):
            raise ValueError(f"not an event name: {trigger!r} (push, release, workflow_dispatch, ...)")
        return cls(
            forge=forge,
            repository=path,
            workflow=workflow,
            ref=ref.strip() if ref else None,
            runner_environment=runner_environment,
            trigger=trigger.strip() if trigger else None,
        )

    @property
    def issuer(self) -> str:
        """The OIDC issuer of the forge's CI."""
        return _FORGE_ISSUERS[self.forge]

    @property
    def repository_uri(self) -> str:
        """The source repository URI the certificate must carry."""
        return f"{_FORGE_URLS[self.forge]}/{self.repository}"

    @property
    def build_config_prefix(self) -> str:
        """Everything of the build config URI up to the ref (the workflow directory without one)."""
        if self.forge == "github":
            directory = f"{self.repository_uri}/.github/workflows/"
            return f"{directory}{self.workflow}@" if self.workflow else directory
        return f"{self.repository_uri}//{self.workflow}@" if self.workflow else f"{self.repository_uri}//"

    def accepted_refs(self) -> tuple[str, ...]:
        """The source refs ``ref`` stands for (empty: any ref)."""
        if self.ref is None:
            return ()
        if self.ref.startswith("refs/") or _COMMIT.fullmatch(self.ref):
            return (self.ref,)
        return (f"refs/tags/{self.ref}", f"refs/heads/{self.ref}")

    def describe(self) -> str:
        """One line: the repository, workflow and ref."""
        text = self.repository_uri
        text += f" workflow {self.workflow}" if self.workflow else " (any workflow)"
        text += f" ref {self.ref}" if self.ref else " (any ref)"
        if self.runner_environment:
            text += f" on {self.runner_environment} runners"
        if self.trigger:
            text += f" triggered by {self.trigger}"
        return text

    def mismatches(self, signer: CertificateIdentity) -> list[str]:
        """Compare issuer, source repository, build config URI and ref."""
        problems = []
        if signer.issuer != self.issuer:
            problems.append(f"issuer: expected {self.issuer}, found {signer.issuer or 'none'}")
        if signer.source_repository_uri != self.repository_uri:
            found = signer.source_repository_uri or "none"
            problems.append(f"repository: expected {self.repository_uri}, found {found}")
        problems += self._workflow_mismatches(signer)
        refs = self.accepted_refs()
        if refs:
            found_ref = (
                signer.source_repository_digest
                if _COMMIT.fullmatch(refs[0])
                else signer.source_repository_ref
            )
            if found_ref not in refs:
                problems.append(f"ref: expected {' or '.join(refs)}, found {found_ref or 'none'}")
        if self.runner_environment and signer.runner_environment != self.runner_environment:
            found = signer.runner_environment or "none"
            problems.append(f"runner environment: expected {self.runner_environment}, found {found}")
        if self.trigger and signer.build_trigger != self.trigger:
            problems.append(f"trigger: expected {self.trigger}, found {signer.build_trigger or 'none'}")
        return problems

    def _workflow_mismatches(self, signer: CertificateIdentity) -> list[str]:
        config = signer.build_config_uri
        expected = f"{self.build_config_prefix}<ref>" if self.workflow else f"{self.build_config_prefix}..."
        if config is None:
            return [f"workflow: expected {expected}, found no build config URI"]
        if not self.workflow:
            ok = config.startswith(self.build_config_prefix)
        else:
            # As PyPI: the part after "@" must be the certificate's own source ref or commit,
            # so a certificate cannot name one workflow ref and build from another.
            suffixes = [s for s in (signer.source_repository_ref, signer.source_repository_digest) if s]
            ok = any(config == f"{self.build_config_prefix}{suffix}" for suffix in suffixes)
        return [] if ok else [f"workflow: expected {expected}, found {config}"]


@dataclass(frozen=True, slots=True)
class AnyOfPolicy(_PolicyBase):
    """Any one of several policies (a lock file's ``attestation-identities``); never empty."""

    policies: tuple[SignerPolicy, ...]

    def describe(self) -> str:
        """One line: the alternatives."""
        return " or ".join(policy.describe() for policy in self.policies) or "(nothing: refuses all)"

    def mismatches(self, signer: CertificateIdentity) -> list[str]:
        """Empty when one alternative holds; otherwise the mismatches of each."""
        if not self.policies:
            return ["no signer is allowed (empty policy)"]
        collected = []
        for policy in self.policies:
            problems = policy.mismatches(signer)
            if not problems:
                return []
            collected.append("; ".join(problems))
        return [" | ".join(collected)]


@dataclass(frozen=True, slots=True)
class ObservedSigner(_PolicyBase):
    """Accepts any signer: for reports that say *who* signed (``pyprov posture``), never for verify.

    The signature, certificate chain and transparency log are still checked; only the
    question "is this the signer you expect" is left to the reader of the report.
    """

    def describe(self) -> str:
        """One line: no signer is required."""
        return "any signer (reported, not checked against a policy)"

    def mismatches(self, signer: CertificateIdentity) -> list[str]:
        """Never a mismatch."""
        del signer
        return []


SignerPolicy = Union[IdentityPolicy, RepositoryPolicy, AnyOfPolicy, ObservedSigner]  # noqa: UP007 - a runtime alias on 3.10
"""Any of pyprov's signer policies."""


def policy_from_publisher(publisher: dict[str, object]) -> SignerPolicy:
    """Return the policy of a PEP 740 / PEP 751 publisher (``kind`` GitHub, GitLab or Google).

    Raises ``ValueError`` for kinds pyprov cannot check.
    """
    kind = publisher.get("kind")
    repository = publisher.get("repository")
    if kind == "GitHub" and isinstance(repository, str):
        workflow = publisher.get("workflow")
        return RepositoryPolicy.parse(repository, workflow=workflow if isinstance(workflow, str) else None)
    if kind == "GitLab" and isinstance(repository, str):
        path = publisher.get("workflow_filepath", publisher.get("workflow-filepath"))
        return RepositoryPolicy.parse(
            f"{_FORGE_URLS['gitlab']}/{repository}", workflow=path if isinstance(path, str) else None
        )
    email = publisher.get("email")
    if kind == "Google" and isinstance(email, str):
        return IdentityPolicy(identity=email, issuer=GOOGLE_ISSUER)
    raise ValueError(f"unsupported publisher kind {kind!r} (or a required field is missing)")


def any_of(policies: Sequence[SignerPolicy]) -> SignerPolicy:
    """Return the single policy, or an `AnyOfPolicy` of several."""
    return policies[0] if len(policies) == 1 else AnyOfPolicy(tuple(policies))
