"""Default file roles, dev-only packages, the SDK's module-to-extra map.

Plain data with no imports: the fast hook path reads it too. The roles,
packages and extras can be replaced or extended in `[tool.ntro-ship.lint]`
(see docs/lint.md); the file size cap cannot.
"""

from __future__ import annotations

# Requirements files are a few kilobytes; the cap keeps a wrong path (a disk
# image, a log) from being read whole into memory. Not a setting.
MAX_FILE_BYTES = 10_000_000
NOT_REGULAR = "not a regular file (a device, fifo or socket)"

RUNTIME_FILES = (
    "requirements.txt",
    "requirements-prod*.txt",
    "requirements/base.txt",
    "requirements/main.txt",
    "requirements/prod*.txt",
    "requirements/runtime*.txt",
)
DEV_FILES = (
    "requirements-dev*.txt",
    "requirements_dev*.txt",
    "dev-requirements*.txt",
    "requirements-test*.txt",
    "requirements_test*.txt",
    "test-requirements*.txt",
    "requirements-lint*.txt",
    "requirements-docs*.txt",
    "docs-requirements*.txt",
    "requirements/dev*.txt",
    "requirements/test*.txt",
    "requirements/lint*.txt",
    "requirements/docs*.txt",
    "requirements/ci*.txt",
)
CONSTRAINTS_FILES = ("constraints*.txt", "requirements/constraints*.txt")
# Normalised names (fnmatch patterns) that belong in a dev file only.
DEV_PACKAGES = (
    "pytest", "pytest-*", "coverage", "coverage-*", "mypy", "types-*", "*-stubs",
    "ruff", "black", "flake8", "flake8-*", "pyflakes", "pycodestyle",
    "pydocstyle", "autopep8", "yapf", "isort", "pylint", "pylint-*", "pyright",
    "bandit", "vulture", "tox", "tox-*", "nox", "pre-commit", "hypothesis",
    "ipython", "ipdb", "pdbpp", "pudb", "debugpy", "ipykernel",
    "pyfakefs", "freezegun", "time-machine", "responses", "respx",
    "factory-boy", "pip-tools", "pipdeptree", "twine", "codespell",
    "nose", "nose2", "ntro-cli",
)  # fmt: skip
DEV_EXTRAS = {"ntro": ("testing",)}
SDK_EXTRAS = {"ntro.workflow": "workflow"}
