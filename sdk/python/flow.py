"""A third-party client's whole journey through a Python client generated from openapi.yaml.

`scripts/sdk-test.sh` generates the client (package `instacrush_client`, by
openapi-python-client), type-checks this file with `mypy --strict`, starts the server with its
Instagram sandbox and runs this file against it:

1. sign in as a sandbox account through the browser round trip (the sandbox approves at once
   with `login_hint`), keeping the session cookies in the client;
2. create an API token with that session (cookie plus the CSRF header), list it;
3. exchange it for a short-lived Bearer access token (`expires_in`);
4. `GET /api/crush`: `202` with `Location` and `Retry-After`, poll the sync until it ends,
   then `200` with the crush the sandbox expects; the job, the top interactors and the crush's
   comments, by the same client;
5. typed problems: `429` (asking for a sync twice within a minute), `404` (an unknown crush page), a status
   no operation lists (`413`, through the `default` response), and `401` (a revoked token);
6. renew the session and sign out.

Every step goes through the generated functions and models: no hand-written JSON except the
sandbox's own account list, which is not part of the API.
"""

import os
import sys
import time
from typing import TypeVar

import httpx

from instacrush_client import AuthenticatedClient, Client
from instacrush_client.api.auth import (
    create_api_token,
    exchange_api_token,
    finish_instagram_sign_in,
    list_api_tokens,
    refresh_session,
    revoke_api_token,
    sign_out,
    start_instagram_sign_in,
)
from instacrush_client.api.crush import (
    get_crush,
    get_job,
    get_public_crush,
    get_sync_status,
    list_interactor_comments,
    list_top_interactors,
    start_sync,
)
from instacrush_client.api.users import get_me
from instacrush_client.models import (
    AccessToken,
    ApiToken,
    CreatedApiToken,
    Crush,
    CrushOutcome,
    InteractorComment,
    InteractorComments,
    InteractorSummary,
    JobState,
    JobSummary,
    Me,
    MyCrush,
    MyCrushResource,
    NewApiToken,
    PageInteractorSummary,
    Problem,
    SessionInfo,
    SyncState,
    SyncStatus,
    SyncStatusResource,
    TokenRequest,
)
from instacrush_client.types import Response

#: The header every cookie-authenticated unsafe request carries (the `csrf_header` scheme).
CSRF_HEADER = "x-instacrush-csrf"
#: How long the whole sync may take before the flow gives up.
SYNC_DEADLINE_SECS = 60.0

T = TypeVar("T")
R = TypeVar("R")


def expect(response: Response[R], status: int, model: type[T]) -> T:
    """The parsed body of `response`, which must have `status` and parse as `model`."""
    assert response.status_code == status, (
        f"expected {status}, got {response.status_code}: {response.content!r}"
    )
    parsed = response.parsed
    assert isinstance(parsed, model), f"expected a {model.__name__}, got {parsed!r}"
    return parsed


def expect_problem(response: Response[R], status: int, code: str) -> Problem:
    """The problem in `response`, which must have `status` and the machine code `code`."""
    problem = expect(response, status, Problem)
    assert problem.status == status, problem
    assert problem.code == code, problem
    assert response.headers["content-type"] == "application/problem+json"
    return problem


def step(name: str) -> None:
    print(f"sdk flow: {name}", flush=True)


def expected_crush(sandbox_url: str, username: str) -> str:
    """The username the sandbox says `username`'s crush is (its own admin API, not ours)."""
    listing = httpx.get(f"{sandbox_url}/_sandbox/accounts").raise_for_status().json()
    for account in listing["accounts"]:
        if account["username"] == username:
            crush = account["expected_crush"]
            assert crush is not None, f"{username} has no crush in the sandbox"
            return str(crush["username"])
    raise AssertionError(f"no sandbox account {username}")


def sign_in(base_url: str, username: str) -> AuthenticatedClient:
    """A client signed in as `username`: its cookie jar holds the session, and it sends the CSRF
    header (the `csrf_header` API key) on every request."""
    session = AuthenticatedClient(
        base_url=base_url, token="1", prefix="", auth_header_name=CSRF_HEADER
    )
    started = start_instagram_sign_in.sync_detailed(client=session, return_to="/")
    assert started.status_code == 302, started.content
    # The authorize window is Instagram's (here the sandbox's): a browser's business, not the API's.
    approved = httpx.get(f"{started.headers['location']}&login_hint={username}")
    assert approved.status_code in (302, 303), approved.text
    callback = httpx.URL(approved.headers["location"])
    finished = finish_instagram_sign_in.sync_detailed(
        client=session, code=callback.params["code"], state=callback.params["state"]
    )
    assert finished.status_code == 302, finished.content
    assert finished.headers["location"] == "/", "signed in and sent back where it started"
    return session


def create_token(session: AuthenticatedClient) -> CreatedApiToken:
    """A new API token, created and listed through the web session."""
    created = expect(
        create_api_token.sync_detailed(client=session, body=NewApiToken(name="sdk flow")),
        201,
        CreatedApiToken,
    )
    assert created.token.startswith("icat_"), created.prefix
    listed = list_api_tokens.sync(client=session)
    assert isinstance(listed, list), listed
    mine: list[ApiToken] = [token for token in listed if token.id == created.id]
    assert len(mine) == 1 and mine[0].name == "sdk flow", listed
    assert mine[0].last_used_at is None, "never exchanged yet"
    return created


def exchange(public: Client, api_token: str) -> AccessToken:
    """A Bearer access token for `api_token`, with its lifetime."""
    body = TokenRequest(api_token=api_token)
    access = expect(exchange_api_token.sync_detailed(client=public, body=body), 200, AccessToken)
    assert access.token_type == "Bearer", access.token_type
    assert access.expires_in > 0, "the lifetime tells when to exchange again"
    return access


def until_ended(api: AuthenticatedClient, delay: int) -> SyncStatus:
    """Polls the sync's status, `delay` seconds first and then as each `202`'s `Retry-After`
    says, until it answers `200`: the sync ended."""
    deadline = time.monotonic() + SYNC_DEADLINE_SECS
    while True:
        assert time.monotonic() < deadline, "the sync did not end in time"
        time.sleep(delay)
        polled = get_sync_status.sync_detailed(client=api)
        if polled.status_code != 202:
            return expect(polled, 200, SyncStatus)
        delay = int(polled.headers["retry-after"])


def poll_sync(api: AuthenticatedClient) -> MyCrush:
    """`GET /api/crush` until it answers `200`: a `202` names the job (`Location`) and when to ask
    again (`Retry-After`); the sync's status is polled at that pace until it ends."""
    first = get_crush.sync_detailed(client=api)
    status = expect(first, 202, SyncStatus)
    assert status.resource == SyncStatusResource.SYNC_STATUS, status.resource
    assert status.status in (SyncState.QUEUED, SyncState.RUNNING), status.status
    assert status.job is not None and first.headers["location"] == status.links.job
    job_id = status.job.id
    ended = until_ended(api, int(first.headers["retry-after"]))
    assert ended.status == SyncState.SUCCEEDED, ended.error
    assert ended.result is not None, "a succeeded sync carries its outcome"
    job = expect(get_job.sync_detailed(job_id, client=api), 200, JobSummary)
    assert job.state == JobState.SUCCEEDED and job.finished_at is not None, job
    fresh = expect(get_crush.sync_detailed(client=api), 200, MyCrush)
    assert fresh.resource == MyCrushResource.MY_CRUSH, fresh.resource
    assert fresh.synced_at is not None, "fresh data says when it was synced"
    return fresh


def check_insights(api: AuthenticatedClient, crush_username: str) -> None:
    """The top interactors start with the crush, and its comments name it."""
    top = expect(list_top_interactors.sync_detailed(client=api, limit=5), 200, PageInteractorSummary)
    first: InteractorSummary = top.items[0]
    assert first.rank == 1 and first.username == crush_username, first
    assert first.ig_id is not None, "the crush of a demo account has an Instagram id"
    page = expect(
        list_interactor_comments.sync_detailed(first.ig_id, client=api, limit=3),
        200,
        InteractorComments,
    )
    assert page.interactor.username == crush_username, page.interactor
    assert page.total == first.comments_count, (page.total, first.comments_count)
    comments: list[InteractorComment] = page.items
    assert 0 < len(comments) <= 3 and comments[0].post.ig_id, comments


def check_problems(public: Client, api: AuthenticatedClient) -> None:
    """Errors parse as problems, with their code: listed statuses and unlisted ones alike."""
    # The sync `GET /api/crush` started was the app's: asking for one is accepted; asking again
    # once it ended, within the minute, is not.
    asked = start_sync.sync_detailed(client=api)
    status = expect(asked, 202, SyncStatus)
    assert status.resource == SyncStatusResource.SYNC_STATUS and status.links.job is not None, status
    assert until_ended(api, int(asked.headers["retry-after"])).status == SyncState.SUCCEEDED
    too_soon = start_sync.sync_detailed(client=api)
    expect_problem(too_soon, 429, "too_many_requests")
    assert int(too_soon.headers["retry-after"]) >= 1, too_soon.headers
    expect_problem(get_public_crush.sync_detailed("nobody-here", client=public), 404, "not_found")
    # No operation lists 413: the `default` response still parses it.
    huge = TokenRequest(api_token="icat_" + "x" * 70_000)
    expect_problem(exchange_api_token.sync_detailed(client=public, body=huge), 413, "payload_too_large")


def main() -> int:
    base_url = os.environ["INSTACRUSH_URL"]
    sandbox_url = os.environ["SANDBOX_URL"]
    username = os.environ.get("SDK_FLOW_ACCOUNT", "ada.demo")
    crush_username = expected_crush(sandbox_url, username)

    step(f"signing in as {username}")
    session = sign_in(base_url, username)
    step("creating an API token with the session")
    created = create_token(session)
    step("exchanging it for an access token")
    public = Client(base_url=base_url)
    access = exchange(public, created.token)
    api = AuthenticatedClient(base_url=base_url, token=access.access_token)
    me = expect(get_me.sync_detailed(client=api), 200, Me)
    assert me.instagram_username == username, me

    step("GET /api/crush: 202, polling, then 200")
    mine = poll_sync(api)
    assert mine.outcome == CrushOutcome.FOUND and mine.crush is not None, mine
    assert mine.crush.crush.username == crush_username, (mine.crush.crush, crush_username)
    assert mine.crush.owner.username == username, mine.crush.owner
    public_page = get_public_crush.sync_detailed(mine.crush.slug, client=public)
    assert expect(public_page, 200, Crush).crush.username == crush_username
    check_insights(api, crush_username)

    step("typed problems: 429, 404, 413")
    check_problems(public, api)

    step("revoking the token: 401")
    revoked = revoke_api_token.sync_detailed(created.id, client=session)
    assert revoked.status_code == 204, revoked.content
    refused = expect_problem(get_me.sync_detailed(client=api), 401, "unauthorized")
    assert refused.sign_in_url, refused
    again = exchange_api_token.sync_detailed(client=public, body=TokenRequest(api_token=created.token))
    expect_problem(again, 401, "unauthorized")

    step("renewing the session, signing out")
    renewed = expect(refresh_session.sync_detailed(client=session), 200, SessionInfo)
    assert renewed.user_id == me.id and renewed.expires_in > 0, renewed
    assert sign_out.sync_detailed(client=session).status_code == 204
    expect_problem(list_api_tokens.sync_detailed(client=session), 401, "unauthorized")

    step("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
