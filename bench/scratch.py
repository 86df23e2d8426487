"""What the PostgreSQL benchmarks share: the machine line, the load average, and scratch
databases (dropped and created again; their names must start with "bench")."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from urllib.parse import urlparse, urlunparse


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def memory() -> str:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    return "RAM unknown"


def machine() -> str:
    return (
        f"{os.cpu_count()} CPUs, {memory()}, {platform.platform()}, "
        f"Python {platform.python_version()}"
    )


def pg_args(url: str) -> tuple[list[str], dict[str, str], str]:
    """psql/createdb arguments and environment for `url`, and its database name."""
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    args = ["-h", parsed.hostname or "127.0.0.1", "-U", parsed.username or "postgres"]
    if parsed.port:
        args += ["-p", str(parsed.port)]
    env = {**os.environ, **({"PGPASSWORD": parsed.password} if parsed.password else {})}
    return args, env, name


def on_server(url: str, name: str) -> str:
    """The same server and user as `url`, database `name`."""
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def recreate_database(url: str) -> None:
    args, env, name = pg_args(url)
    if not name.startswith("bench"):
        raise SystemExit(f"refusing to drop database {name!r}: its name must start with 'bench'")
    subprocess.run(["dropdb", *args, "--if-exists", "--force", name], check=True, env=env)
    subprocess.run(["createdb", *args, name], check=True, env=env)
