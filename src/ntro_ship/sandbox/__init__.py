"""The embedded sandbox: a local Ntropii Workspace the real `ntro` CLI can use.

    from ntro_ship.sandbox import Sandbox, SandboxConfig

    with Sandbox(data_dir=tmp, config=SandboxConfig(deploy_delay=0, run_delay=0)) as sb:
        sb.url, sb.api_key, sb.add_fault({...}), sb.clear_faults()

See docs/sandbox.md for the HTTP surface, faults and the config file.
"""

from __future__ import annotations

from ntro_ship.sandbox.config import SandboxConfig
from ntro_ship.sandbox.server import Sandbox

__all__ = ["Sandbox", "SandboxConfig"]
