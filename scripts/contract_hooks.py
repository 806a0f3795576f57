"""Schemathesis hooks for scripts/contract-test.sh (SCHEMATHESIS_HOOKS=scripts.contract_hooks).

A revocation succeeds only for a token of the caller's, an id no generator can guess: every
valid (positive) request to revoke one names the run's own API token, so its success path is
exercised (revoking it again answers 204 too). Invalid requests keep their generated ids. Set
in a hook rather than in scripts/schemathesis.toml's `parameters`, which would replace the
invalid ids as well, with a string.
"""

import base64
import hashlib
import hmac
import json
import os
import time
import uuid
from typing import Any

import schemathesis
from schemathesis import Case
from schemathesis.hooks import HookContext


CALLBACKS = ("POST /api/meta/deauthorize", "POST /api/meta/data-deletion")


def signed_request() -> str:
    """A signed_request as Meta sends it, issued now, about a person nobody knows."""
    b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    claims = {"algorithm": "HMAC-SHA256", "issued_at": int(time.time()), "user_id": uuid.uuid4().hex}
    payload = b64(json.dumps(claims).encode())
    secret = os.environ["INSTACRUSH_APP_SECRET"].encode()
    return b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest()) + "." + payload


@schemathesis.hook
def before_call(context: HookContext, case: Case, kwargs: dict[str, Any]) -> None:
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if case.operation.label in CALLBACKS and positive and isinstance(case.body, dict):
        # Each signed_request is honoured once: a fresh one for every valid request.
        case.body = {**case.body, "signed_request": signed_request()}
        return
    if case.operation.label == "GET /api/webhooks/instagram" and positive:
        # Meta's verification carries the verify token configured for this run's server.
        case.query = {**(case.query or {}), "hub.verify_token": "contract-verify-token"}
        return
    if case.operation.label != "DELETE /api/auth/api-tokens/{id}":
        return
    if case.meta is not None and case.meta.generation.mode.is_positive:
        case.path_parameters = {**(case.path_parameters or {}), "id": int(os.environ["INSTACRUSH_API_TOKEN_ID"])}
