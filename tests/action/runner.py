"""A simulated GitHub Actions runner: runs pyprov's action and reusable workflow on this machine.

It does what the runner does for the parts pyprov uses: evaluates ``${{ }}`` expressions
(literals, contexts, ``!``, ``==``, ``!=``, ``&&``, ``||``, ``format``, ``toJSON``,
``fromJSON``, ``contains``, ``startsWith``, ``endsWith``, ``success``, ``always``,
``failure``), runs each ``run:`` step with its ``shell`` and ``env:``, gives it
``GITHUB_OUTPUT``, ``GITHUB_ENV``, ``GITHUB_PATH`` and ``GITHUB_STEP_SUMMARY`` files and
the ``GITHUB_*``/``RUNNER_*`` variables, runs local composite actions (``uses: ./dir``)
step by step, and grants ``ACTIONS_ID_TOKEN_REQUEST_URL``/``_TOKEN`` only to jobs with
``permissions: id-token: write``. Steps that use other actions are not run: they are
reported as such, or, when the test gives a stand-in (artifact upload and download
through a directory, a checkout that copies a directory), reported as simulated.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import yaml

# -- expressions ------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?\d+(?:\.\d+)?)|(?P<op>==|!=|<=|>=|&&|\|\||[!<>()\[\].,])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))"
)


class ExpressionError(Exception):
    """An expression the simulated runner cannot evaluate."""


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise ExpressionError(f"cannot read {text[position:]!r} in {text!r}")
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _truthy(value: Any) -> bool:
    return value not in (None, False, 0, "") and value == value  # noqa: PLR0124 - NaN is falsy


def to_string(value: Any) -> str:
    """How the runner turns an expression's value into text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, indent=2)
    return str(value)


def _number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip() or 0)
        except ValueError:
            return float("nan")
    return float("nan")


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()
    if type(left) is type(right) or (isinstance(left, (dict, list)) or isinstance(right, (dict, list))):
        return left is right if isinstance(left, (dict, list)) else left == right
    return _number(left) == _number(right)


def _lookup(value: Any, key: Any) -> Any:
    if isinstance(value, dict):
        if key in value:
            return value[key]
        folded = str(key).casefold()
        return next((item for name, item in value.items() if str(name).casefold() == folded), None)
    if isinstance(value, list) and isinstance(key, (int, float)):
        index = int(key)
        return value[index] if 0 <= index < len(value) else None
    return None


def _format(template: str, *args: Any) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "{{":
            return "{"
        if match.group(0) == "}}":
            return "}"
        return to_string(args[int(match.group(1))])

    return re.sub(r"\{\{|\}\}|\{(\d+)\}", replace, template)


class _Parser:
    def __init__(self, text: str, contexts: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]]):
        self.tokens = _tokens(text)
        self.index = 0
        self.contexts = contexts
        self.functions = functions
        self.text = text

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise ExpressionError(f"expected {value or 'more'} in {self.text!r}")
        self.index += 1
        return token

    def parse(self) -> Any:
        value = self.or_()
        if self.peek() is not None:
            raise ExpressionError(f"unexpected {self.peek()!r} in {self.text!r}")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.and_()
            value = value if _truthy(value) else right
        return value

    def and_(self) -> Any:
        value = self.equality()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.equality()
            value = right if _truthy(value) else value
        return value

    def equality(self) -> Any:
        value = self.comparison()
        while self.peek() in (("op", "=="), ("op", "!=")):
            operator = self.take()[1]
            right = self.comparison()
            value = _equal(value, right) if operator == "==" else not _equal(value, right)
        return value

    def comparison(self) -> Any:
        value = self.unary()
        while self.peek() in (("op", "<"), ("op", ">"), ("op", "<="), ("op", ">=")):
            operator = self.take()[1]
            left, right = _number(value), _number(self.unary())
            value = {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[operator]
        return value

    def unary(self) -> Any:
        if self.peek() == ("op", "!"):
            self.take()
            return not _truthy(self.unary())
        return self.postfix()

    def postfix(self) -> Any:
        value = self.primary()
        while self.peek() in (("op", "."), ("op", "[")):
            if self.take()[1] == ".":
                value = _lookup(value, self.take()[1])
            else:
                key = self.or_()
                self.take("]")
                value = _lookup(value, key)
        return value

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind == "number":
            return float(text)
        if (kind, text) == ("op", "("):
            value = self.or_()
            self.take(")")
            return value
        if kind != "name":
            raise ExpressionError(f"unexpected {text!r} in {self.text!r}")
        literal = {"true": True, "false": False, "null": None}
        if text in literal:
            return literal[text]
        if self.peek() == ("op", "("):
            self.take()
            args = []
            while self.peek() != ("op", ")"):
                args.append(self.or_())
                if self.peek() == ("op", ","):
                    self.take()
            self.take(")")
            function = self.functions.get(text.casefold())
            if function is None:
                raise ExpressionError(f"unsupported function {text}() in {self.text!r}")
            return function(*args)
        return _lookup(self.contexts, text)


def _functions(status: Callable[[], str]) -> dict[str, Callable[..., Any]]:
    def contains(haystack: Any, needle: Any) -> bool:
        if isinstance(haystack, list):
            return any(_equal(item, needle) for item in haystack)
        return to_string(needle).casefold() in to_string(haystack).casefold()

    return {
        "format": _format,
        "tojson": lambda value: json.dumps(value, indent=2),
        "fromjson": json.loads,
        "contains": contains,
        "startswith": lambda a, b: to_string(a).casefold().startswith(to_string(b).casefold()),
        "endswith": lambda a, b: to_string(a).casefold().endswith(to_string(b).casefold()),
        "success": lambda: status() == "success",
        "failure": lambda: status() == "failure",
        "always": lambda: True,
        "cancelled": lambda: False,
    }


def evaluate(
    expression: str, contexts: Mapping[str, Any], status: Callable[[], str] = lambda: "success"
) -> Any:
    """Evaluate one expression (without ``${{ }}``)."""
    return _Parser(expression, contexts, _functions(status)).parse()


def _split_template(text: str) -> list[tuple[bool, str]]:
    """Split ``text`` into literal parts and expressions, honouring quotes inside ``${{ }}``."""
    parts: list[tuple[bool, str]] = []
    position = 0
    while (start := text.find("${{", position)) != -1:
        parts.append((False, text[position:start]))
        index, quoted = start + 3, False
        while index < len(text):
            if text[index] == "'":
                quoted = not quoted
            elif not quoted and text.startswith("}}", index):
                break
            index += 1
        else:
            raise ExpressionError(f"unterminated expression in {text!r}")
        parts.append((True, text[start + 3 : index].strip()))
        position = index + 2
    parts.append((False, text[position:]))
    return [part for part in parts if part != (False, "")]


def interpolate(text: Any, contexts: Mapping[str, Any]) -> Any:
    """Substitute every ``${{ }}`` in a string (other values are returned unchanged)."""
    if not isinstance(text, str) or "${{" not in text:
        return text
    parts = _split_template(text)
    if len(parts) == 1 and parts[0][0]:
        return evaluate(parts[0][1], contexts)
    return "".join(
        to_string(evaluate(value, contexts)) if is_expression else value for is_expression, value in parts
    )


def condition(text: Any, contexts: Mapping[str, Any], status: Callable[[], str]) -> bool:
    """Evaluate a step's or job's ``if:`` (bare or in ``${{ }}``), with ``success()`` implied."""
    if text is None:
        return status() == "success"
    if isinstance(text, bool):
        return text
    expression = str(text).strip()
    if expression.startswith("${{") and expression.endswith("}}"):
        expression = expression[3:-2].strip()
    uses_status = re.search(r"\b(success|failure|always|cancelled)\s*\(", expression)
    value = _truthy(evaluate(expression, contexts, status))
    return value if uses_status else value and status() == "success"


# -- the runner -------------------------------------------------------------------------------

_PASSTHROUGH = re.compile(
    r"(PATH|LANG|LC_\w+|TZ|TMPDIR|SSL_CERT_\w+|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|PIP_\w+|UV_\w+"
    r"|(?i:https?_proxy|no_proxy))"
)
_SHELLS = {
    "bash": ["bash", "--noprofile", "--norc", "-eo", "pipefail", "{0}"],
    "sh": ["sh", "-e", "{0}"],
    "python": ["python3", "{0}"],
}


@dataclass
class StepReport:
    """What happened to one step."""

    name: str
    status: str
    """``ran``, ``failed``, ``skipped``, ``not run (uses: X)`` or ``simulated (uses: X)``."""
    stdout: str = ""
    stderr: str = ""
    children: list[StepReport] = field(default_factory=list)


@dataclass
class JobResult:
    """A job's (or a composite action's) outputs, steps and summary."""

    outputs: dict[str, str]
    steps: list[StepReport]
    summary: str
    ok: bool

    def statuses(self) -> list[tuple[str, str]]:
        """Every step, composite steps flattened, as (name, status)."""
        flat: list[tuple[str, str]] = []

        def walk(reports: list[StepReport], prefix: str) -> None:
            for report in reports:
                flat.append((prefix + report.name, report.status))
                walk(report.children, prefix + report.name + " > ")

        walk(self.steps, "")
        return flat

    def log(self) -> str:
        """Everything the steps printed, for assertion messages."""
        lines: list[str] = []

        def walk(reports: list[StepReport]) -> None:
            for report in reports:
                lines.append(f"--- {report.name}: {report.status}\n{report.stdout}{report.stderr}")
                walk(report.children)

        walk(self.steps)
        return "\n".join(lines)


StandIn = Callable[[dict[str, str], "JobRun"], dict[str, str]]
"""Simulates one ``uses:`` action: gets its ``with:`` values and the job, returns its outputs."""


@dataclass
class Machine:
    """What every job shares: the run's ``github`` context, the id-token endpoint, the stand-ins."""

    root: Path
    github: dict[str, Any]
    """The ``github`` context (repository, sha, ref, workflow_ref, run_id, ...)."""
    id_token_env: dict[str, str]
    """``ACTIONS_ID_TOKEN_REQUEST_URL``/``_TOKEN`` for jobs with ``id-token: write``."""
    stand_ins: dict[str, StandIn] = field(default_factory=dict)
    shared_venv: Path | None = None
    """Linked to ``$RUNNER_TEMP/pyprov-action-venv`` so that the action's install step is reused."""
    timeout: float = 900

    def job(self, name: str, *, id_token: bool) -> JobRun:
        """A fresh runner for one job: its own workspace, temp directory and home."""
        base = self.root / name
        for directory in ("work", "temp", "home"):
            (base / directory).mkdir(parents=True, exist_ok=False)
        if self.shared_venv is not None:
            (base / "temp" / "pyprov-action-venv").symlink_to(self.shared_venv)
        return JobRun(self, name, base / "work", base / "temp", base / "home", id_token=id_token)


class JobRun:
    """One job on its own simulated runner."""

    def __init__(
        self, machine: Machine, name: str, workspace: Path, temp: Path, home: Path, *, id_token: bool
    ):
        self.machine, self.name = machine, name
        self.workspace, self.temp, self.home = workspace, temp, home
        self.id_token = id_token
        self.env: dict[str, str] = {}
        """Set with ``GITHUB_ENV``."""
        self.path: list[str] = []
        """Prepended to ``PATH`` with ``GITHUB_PATH``."""
        self.summary = ""
        self.failed = False
        self.counter = 0

    # -- contexts and environment --

    def github_context(self, action_path: Path | None = None) -> dict[str, Any]:
        context = {**self.machine.github, "workspace": str(self.workspace), "job": self.name}
        if action_path is not None:
            context["action_path"] = str(action_path)
        return context

    def runner_context(self) -> dict[str, str]:
        return {"os": "Linux", "arch": "X64", "temp": str(self.temp), "environment": "github-hosted"}

    def base_env(self) -> dict[str, str]:
        github = self.machine.github
        here = str(Path(sys.executable).parent)
        environ = {name: value for name, value in os.environ.items() if _PASSTHROUGH.fullmatch(name)}
        environ["PATH"] = os.pathsep.join(
            [*self.path, *(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != here)]
        )
        environ.update(
            {
                "HOME": str(self.home),
                "CI": "true",
                "GITHUB_ACTIONS": "true",
                "GITHUB_WORKSPACE": str(self.workspace),
                "GITHUB_REPOSITORY": github["repository"],
                "GITHUB_REPOSITORY_OWNER": github["repository"].split("/")[0],
                "GITHUB_SHA": github["sha"],
                "GITHUB_REF": github["ref"],
                "GITHUB_REF_NAME": github["ref"].rpartition("/")[2],
                "GITHUB_WORKFLOW_REF": github["workflow_ref"],
                "GITHUB_WORKFLOW_SHA": github["sha"],
                "GITHUB_SERVER_URL": github["server_url"],
                "GITHUB_RUN_ID": github["run_id"],
                "GITHUB_RUN_ATTEMPT": github["run_attempt"],
                "GITHUB_EVENT_NAME": github["event_name"],
                "GITHUB_ACTOR": github["actor"],
                "GITHUB_JOB": self.name,
                "RUNNER_TEMP": str(self.temp),
                "RUNNER_OS": "Linux",
                "RUNNER_ARCH": "X64",
                "RUNNER_ENVIRONMENT": "github-hosted",
            }
        )
        if self.id_token:
            environ.update(self.machine.id_token_env)
        environ.update(self.env)
        return environ

    def status(self) -> str:
        return "failure" if self.failed else "success"

    # -- steps --

    def run_steps(
        self,
        steps: list[dict[str, Any]],
        contexts: dict[str, Any],
        *,
        step_env: Mapping[str, str] = {},
        action_path: Path | None = None,
    ) -> list[StepReport]:
        reports = []
        contexts.setdefault("steps", {})
        for index, step in enumerate(steps):
            step_id = step.get("id") or f"__step{index}"
            name = step.get("name") or step.get("uses") or step_id
            current = {**contexts, "env": {**contexts.get("env", {}), **self.env}}
            if not condition(step.get("if"), current, self.status):
                reports.append(StepReport(name, "skipped"))
                contexts["steps"][step_id] = {"outputs": {}, "outcome": "skipped", "conclusion": "skipped"}
                continue
            env = {
                **step_env,
                **{k: to_string(interpolate(v, current)) for k, v in (step.get("env") or {}).items()},
            }
            if "run" in step:
                report, outputs = self.run_script(step, name, env, current, action_path)
            else:
                report, outputs = self.use(step, name, current)
            reports.append(report)
            outcome = "failure" if report.status == "failed" else "success"
            contexts["steps"][step_id] = {"outputs": outputs, "outcome": outcome, "conclusion": outcome}
            if report.status == "failed":
                self.failed = True
        return reports

    def run_script(
        self,
        step: dict[str, Any],
        name: str,
        env: Mapping[str, str],
        contexts: Mapping[str, Any],
        action_path: Path | None,
    ) -> tuple[StepReport, dict[str, str]]:
        self.counter += 1
        files = {
            kind: self.temp / f"_runner_{kind}_{self.counter}"
            for kind in ("output", "env", "path", "summary")
        }
        for file in files.values():
            file.write_text("")
        script = to_string(interpolate(step["run"], contexts))
        shell = step.get("shell", "bash")
        suffix = ".py" if shell == "python" else ".sh"
        script_path = self.temp / f"_runner_script_{self.counter}{suffix}"
        script_path.write_text(script)
        command = [part.replace("{0}", str(script_path)) for part in _SHELLS[shell]]
        environ = {
            **self.base_env(),
            **env,
            "GITHUB_OUTPUT": str(files["output"]),
            "GITHUB_ENV": str(files["env"]),
            "GITHUB_PATH": str(files["path"]),
            "GITHUB_STEP_SUMMARY": str(files["summary"]),
            "GITHUB_ACTION": step.get("id") or f"__run_{self.counter}",
        }
        if action_path is not None:
            environ["GITHUB_ACTION_PATH"] = str(action_path)
        cwd = self.workspace / step.get("working-directory", ".")
        done = subprocess.run(
            command,
            cwd=cwd,
            env=environ,
            capture_output=True,
            text=True,
            check=False,
            timeout=self.machine.timeout,
        )
        outputs = _read_commands(files["output"].read_text())
        self.env.update(_read_commands(files["env"].read_text()))
        self.path[:0] = [line for line in files["path"].read_text().splitlines() if line]
        self.summary += files["summary"].read_text()
        status = "ran" if done.returncode == 0 else "failed"
        return StepReport(name, status, done.stdout, done.stderr), outputs

    def use(
        self, step: dict[str, Any], name: str, contexts: Mapping[str, Any]
    ) -> tuple[StepReport, dict[str, str]]:
        uses = str(step["uses"])
        with_ = {k: to_string(interpolate(v, contexts)) for k, v in (step.get("with") or {}).items()}
        if uses.startswith("./"):
            result = self.run_action(self.workspace / uses, with_)
            return StepReport(name, "ran" if result.ok else "failed", children=result.steps), result.outputs
        action = uses.partition("@")[0]
        stand_in = self.machine.stand_ins.get(action)
        if stand_in is None:
            return StepReport(name, f"not run (uses: {uses})"), {}
        return StepReport(name, f"simulated (uses: {action})"), stand_in(with_, self)

    def run_action(self, path: Path, inputs: Mapping[str, str]) -> JobResult:
        """Run a composite action's steps with ``inputs`` (the ``with:`` values), as the runner does."""
        definition = yaml.safe_load((path / "action.yml").read_text())
        if definition["runs"]["using"] != "composite":
            raise ExpressionError(f"{path}: only composite actions are simulated")
        base = {"github": self.github_context(path), "runner": self.runner_context(), "env": dict(self.env)}
        declared = definition.get("inputs") or {}
        unknown = set(inputs) - set(declared)
        if unknown:
            raise ExpressionError(f"{path}: unexpected inputs {sorted(unknown)}")
        values = {
            key: inputs[key] if key in inputs else to_string(interpolate(spec.get("default", ""), base))
            for key, spec in declared.items()
        }
        contexts: dict[str, Any] = {**base, "inputs": values, "steps": {}}
        before = self.failed
        self.failed = False
        steps = self.run_steps(definition["runs"]["steps"], contexts, action_path=path)
        ok = not self.failed
        self.failed = before or not ok
        outputs = {
            key: to_string(interpolate(spec.get("value", ""), contexts))
            for key, spec in (definition.get("outputs") or {}).items()
        }
        return JobResult(outputs=outputs, steps=steps, summary=self.summary, ok=ok)


def _read_commands(text: str) -> dict[str, str]:
    """Read a ``GITHUB_OUTPUT``/``GITHUB_ENV`` file: ``name=value`` and ``name<<DELIMITER`` blocks."""
    values: dict[str, str] = {}
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, _, delimiter = line.partition("<<")
            block = []
            while lines[index] != delimiter:
                block.append(lines[index])
                index += 1
            index += 1
            values[key] = "\n".join(block)
        else:
            key, _, value = line.partition("=")
            values[key] = value
    return values


# -- whole workflows --------------------------------------------------------------------------


@dataclass
class WorkflowResult:
    """Every job's result, and the workflow's outputs."""

    jobs: dict[str, JobResult]
    outputs: dict[str, str]


def run_workflow_call(machine: Machine, workflow: Path, inputs: Mapping[str, Any]) -> WorkflowResult:
    """Run a reusable workflow's jobs in ``needs`` order, each on a fresh simulated runner."""
    definition = yaml.safe_load(workflow.read_text())
    trigger = definition.get("on", definition.get(True))["workflow_call"]
    declared = trigger.get("inputs") or {}
    values = {key: inputs.get(key, spec.get("default")) for key, spec in declared.items()}
    jobs: dict[str, JobResult] = {}
    needs_context: dict[str, Any] = {}
    pending = dict(definition["jobs"])
    while pending:
        ready = [
            name for name, job in pending.items() if all(need in jobs for need in _as_list(job.get("needs")))
        ]
        if not ready:
            raise ExpressionError(f"cyclic or unknown needs among {sorted(pending)}")
        for name in ready:
            job = pending.pop(name)
            needs = {need: needs_context[need] for need in _as_list(job.get("needs"))}
            if any(item["result"] != "success" for item in needs.values()):
                jobs[name] = JobResult(outputs={}, steps=[], summary="", ok=False)
                needs_context[name] = {"outputs": {}, "result": "skipped"}
                continue
            permissions = job.get("permissions", definition.get("permissions")) or {}
            run = machine.job(name, id_token=permissions.get("id-token") == "write")
            contexts: dict[str, Any] = {
                "github": run.github_context(),
                "runner": run.runner_context(),
                "inputs": values,
                "needs": needs,
                "env": {**(definition.get("env") or {}), **(job.get("env") or {})},
                "steps": {},
            }
            steps = run.run_steps(job["steps"], contexts)
            outputs = {
                key: to_string(interpolate(value, contexts))
                for key, value in (job.get("outputs") or {}).items()
            }
            jobs[name] = JobResult(outputs=outputs, steps=steps, summary=run.summary, ok=not run.failed)
            needs_context[name] = {"outputs": outputs, "result": "success" if not run.failed else "failure"}
    jobs_context = {name: {"outputs": result.outputs} for name, result in jobs.items()}
    outputs = {
        key: to_string(interpolate(spec.get("value", ""), {"jobs": jobs_context, "inputs": values}))
        for key, spec in (trigger.get("outputs") or {}).items()
    }
    return WorkflowResult(jobs=jobs, outputs=outputs)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


# -- stand-ins for actions that are not run ---------------------------------------------------


def checkout_stand_in(repositories: Mapping[str, Path], *, linked: frozenset[str] = frozenset()) -> StandIn:
    """``actions/checkout``: copy (or, for ``linked`` repositories, symlink) a local directory."""

    def checkout(with_: dict[str, str], job: JobRun) -> dict[str, str]:
        repository = with_.get("repository") or job.machine.github["repository"]
        source = repositories[repository]
        target = job.workspace / with_.get("path", ".")
        if repository in linked:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(source, target_is_directory=True)
        else:
            shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)
        return {}

    return checkout


def artifact_stand_ins(store: Path) -> dict[str, StandIn]:
    """``actions/upload-artifact`` and ``actions/download-artifact`` through a directory."""

    def upload(with_: dict[str, str], job: JobRun) -> dict[str, str]:
        name = with_.get("name", "artifact")
        target = store / name
        if target.exists():
            raise ExpressionError(f"an artifact named {name} was already uploaded")
        patterns = [line.strip() for line in with_["path"].splitlines() if line.strip()]
        includes = [p for p in patterns if not p.startswith("!")]
        excludes = [p[1:] for p in patterns if p.startswith("!")]
        files: list[Path] = []
        for pattern in includes:
            for match in sorted(job.workspace.glob(pattern.rstrip("/"))):
                files += [match] if match.is_file() else sorted(p for p in match.rglob("*") if p.is_file())
        files = [f for f in files if not any(fnmatch(str(f.relative_to(job.workspace)), e) for e in excludes)]
        if not files:
            raise ExpressionError(f"upload-artifact {name}: no files found")
        roots = [Path(p.rstrip("/")) for p in includes]
        root = job.workspace / Path(os.path.commonpath([str(r) for r in roots])) if len(roots) > 1 else None
        if root is None:
            single = job.workspace / roots[0]
            root = single if single.is_dir() else single.parent
        for file in files:
            destination = target / file.relative_to(root)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, destination)
        return {"artifact-id": name}

    def download(with_: dict[str, str], job: JobRun) -> dict[str, str]:
        name = with_["name"]
        destination = job.workspace / with_.get("path", ".")
        shutil.copytree(store / name, destination, dirs_exist_ok=True)
        return {"download-path": str(destination)}

    return {"actions/upload-artifact": upload, "actions/download-artifact": download}
