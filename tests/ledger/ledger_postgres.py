"""A PostgreSQL server for the ledger tests: the one named, the local one, or a throwaway one.

In that order: the URL in ``COMPLIANCE_TEST_POSTGRES_URL``; else the machine's server on
127.0.0.1:5432 (trust authentication, database ``test``, as user ``postgres`` or ``root``);
else a cluster of our own, made with ``initdb`` in a temporary folder, listening only on a
unix socket there, stopped and deleted at the end of the session. PostgreSQL refuses to run
as root, so as root the cluster runs as the ``postgres`` system user (or ``nobody``).
``COMPLIANCE_TEST_POSTGRES_THROWAWAY=1`` skips the local server, to exercise the last path.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

URL_VARIABLE = "COMPLIANCE_TEST_POSTGRES_URL"
THROWAWAY_VARIABLE = "COMPLIANCE_TEST_POSTGRES_THROWAWAY"
LOCAL_URLS = (
    "postgresql://postgres@127.0.0.1:5432/test",
    "postgresql://root@127.0.0.1:5432/test",
)


class Unavailable(Exception):
    """No PostgreSQL server could be found or started; the message says why."""


@dataclass
class Server:
    url: str
    origin: str
    stop: Callable[[], None]


def find_or_start() -> Server:
    named = os.environ.get(URL_VARIABLE)
    if named:
        problem = _problem(named)
        if problem:
            raise Unavailable(f"{URL_VARIABLE} names a server that does not answer: {problem}")
        return Server(named, f"{URL_VARIABLE}", lambda: None)
    problems = []
    if os.environ.get(THROWAWAY_VARIABLE) != "1":
        for url in LOCAL_URLS:
            problem = _problem(url)
            if problem is None:
                return Server(url, f"the local server, {url}", lambda: None)
            problems.append(f"{url}: {problem}")
    try:
        return _start_throwaway()
    except Unavailable as error:
        raise Unavailable("; ".join([*problems, str(error)])) from None


def with_search_path(url: str, schema: str) -> str:
    """``url`` whose connections create and find tables in ``schema``."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = " ".join(
        [value for key, value in query if key == "options"] + [f"-csearch_path={schema}"]
    )
    query = [(key, value) for key, value in query if key != "options"] + [("options", options)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _problem(url: str) -> str | None:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3, autocommit=True) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return None


def _binaries() -> Path:
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: (
            int(Path(path).parent.parent.name) if Path(path).parent.parent.name.isdigit() else 0
        ),
    )
    if not versions:
        raise Unavailable(
            "no initdb on PATH or in /usr/lib/postgresql/*/bin (install Debian's postgresql)"
        )
    return Path(versions[-1]).parent


def _start_throwaway() -> Server:
    binaries = _binaries()
    user = None
    if os.geteuid() == 0:
        for name in ("postgres", "nobody"):
            try:
                user = pwd.getpwnam(name)
                break
            except KeyError:
                continue
        if user is None:
            raise Unavailable("running as root, and neither user postgres nor nobody exists")
    # Directly under the system temporary folder: pytest's own is root-only, and the
    # server's user must reach its data and socket folders.
    folder = Path(tempfile.mkdtemp(prefix="ledger-postgres-"))
    data, sockets, log = folder / "data", folder / "sockets", folder / "server.log"
    sockets.mkdir()
    if user is not None:
        for path in (folder, sockets):
            os.chown(path, user.pw_uid, user.pw_gid)

    def run(*command: str) -> None:
        result = subprocess.run(
            command,
            cwd=folder,
            user=None if user is None else user.pw_uid,
            group=None if user is None else user.pw_gid,
            extra_groups=None if user is None else [],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode:
            detail = (result.stderr or result.stdout).strip()
            if log.exists():
                detail += "\n" + log.read_text(errors="replace")[-2000:]
            raise Unavailable(f"{Path(command[0]).name} failed: {detail}")

    try:
        run(
            str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--no-locale", "--no-sync",
        )  # fmt: skip
        server_options = (
            f"-c listen_addresses='' -c unix_socket_directories='{sockets}' -p 5432"
            " -c fsync=off -c max_connections=60"
        )
        run(
            str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
            "-o", server_options, "start",
        )  # fmt: skip
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise

    def stop() -> None:
        try:
            run(str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    url = f"postgresql://postgres@/postgres?host={sockets}&port=5432"
    problem = _problem(url)
    if problem:
        stop()
        raise Unavailable(f"the throwaway server started but does not answer: {problem}")
    who = f" as {user.pw_name}" if user else ""
    return Server(url, f"a throwaway cluster in {folder}{who}", stop)
