"""Schemathesis hooks for scripts/contract-test.sh (SCHEMATHESIS_HOOKS=scripts.contract_hooks).

A revocation succeeds only for a token of the caller's, an id no generator can guess: every
valid (positive) request to revoke one names the run's own API token, so its success path is
exercised (revoking it again answers 204 too). Invalid requests keep their generated ids. Set
in a hook rather than in scripts/schemathesis.toml's `parameters`, which would replace the
invalid ids as well, with a string.
"""

import os
from typing import Any

import schemathesis
from schemathesis import Case
from schemathesis.hooks import HookContext


@schemathesis.hook
def before_call(context: HookContext, case: Case, kwargs: dict[str, Any]) -> None:
    if case.operation.label != "DELETE /api/auth/api-tokens/{id}":
        return
    if case.meta is not None and case.meta.generation.mode.is_positive:
        case.path_parameters = {**(case.path_parameters or {}), "id": int(os.environ["INSTACRUSH_API_TOKEN_ID"])}
