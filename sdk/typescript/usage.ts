/**
 * What an integrator writes with the TypeScript client that @hey-api/openapi-ts generates from
 * openapi.yaml: scripts/sdk-test.sh generates the client into `./client` beside a copy of this
 * file and type-checks both (strict). The Python flow runs the same calls against the server.
 */
import { type Auth, type Client, createClient, createConfig } from './client/client';
import {
  createApiToken,
  exchangeApiToken,
  getCrush,
  getPublicCrush,
  getSyncStatus,
  listInteractorComments,
  listTopInteractors,
  startSync,
} from './client/sdk.gen';
import type {
  ClientOptions,
  InteractorComment,
  InteractorSummary,
  MyCrush,
  Problem,
  SyncStatus,
} from './client/types.gen';

/** The header cookie-authenticated unsafe requests carry (the `csrf_header` API key). */
const CSRF_HEADER = 'x-instacrush-csrf';

/** A problem (RFC 9457) as an exception, keeping its stable `code` to branch on. */
export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.code}: ${problem.detail ?? problem.title}`);
  }
}

const sleep = (seconds: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, seconds * 1000);
  });

/** The `Retry-After` of a response, in seconds. */
function retryAfter(response: Response): number {
  return Number(response.headers.get('retry-after') ?? '2');
}

/**
 * In a page of the web app (signed in): the session cookie goes by itself, and the auth callback
 * gives the CSRF header for the operations whose security asks for it.
 */
export function webAppClient(baseUrl: string): Client {
  const csrf = (auth: Auth) => (auth.in === 'header' && auth.name === CSRF_HEADER ? '1' : undefined);
  return createClient(createConfig<ClientOptions>({ baseUrl, credentials: 'include', auth: csrf }));
}

/** Creates an API token for a script, from the web app; the secret is shown this once. */
export async function newApiToken(web: Client, name: string): Promise<string> {
  const { data, error } = await createApiToken({ client: web, body: { name } });
  if (error) throw new ProblemError(error);
  return data.token;
}

/** A client authenticated with an access token from an API token, and when to exchange again. */
export async function apiClient(baseUrl: string, apiToken: string): Promise<{ client: Client; renewAt: number }> {
  const anonymous = createClient(createConfig<ClientOptions>({ baseUrl }));
  const { data, error } = await exchangeApiToken({ client: anonymous, body: { api_token: apiToken } });
  if (error) throw new ProblemError(error);
  const token = data.access_token;
  const bearer = (auth: Auth) => (auth.scheme === 'bearer' ? token : undefined);
  // Exchange again a little before the access token expires.
  const renewAt = Date.now() + (data.expires_in - 30) * 1000;
  return { client: createClient(createConfig<ClientOptions>({ baseUrl, auth: bearer })), renewAt };
}

/** My crush: `200` at once when the data is fresh; else `202`, and the sync is polled to its end. */
export async function myCrush(client: Client): Promise<MyCrush> {
  const first = await getCrush({ client });
  if (first.error) throw new ProblemError(first.error);
  if (first.data.resource === 'my_crush') return first.data;
  const syncing: SyncStatus = first.data;
  let wait = retryAfter(first.response);
  let status = syncing.status;
  while (status === 'queued' || status === 'running') {
    await sleep(wait);
    const polled = await getSyncStatus({ client });
    if (polled.error) throw new ProblemError(polled.error);
    wait = retryAfter(polled.response);
    status = polled.data.status;
    if (polled.data.result) return polled.data.result;
  }
  throw new Error(`the sync ended ${status}`);
}

/** Asks for a sync now; a `429` says how long to wait. */
export async function syncNow(client: Client): Promise<SyncStatus | { waitSeconds: number }> {
  const { data, error, response } = await startSync({ client });
  if (error?.code === 'too_many_requests') return { waitSeconds: retryAfter(response) };
  if (error) throw new ProblemError(error);
  return data;
}

/** My crush's comments on my posts, with its account. */
export async function crushComments(client: Client): Promise<{ who: InteractorSummary; comments: InteractorComment[] }> {
  const top = await listTopInteractors({ client, query: { limit: 1 } });
  if (top.error) throw new ProblemError(top.error);
  const who = top.data.items[0];
  if (!who) throw new Error('nobody commented yet');
  // A commenter Instagram named without an id has no page of its own.
  if (who.ig_id === null) throw new Error('the crush has no Instagram id to list comments by');
  const page = await listInteractorComments({ client, path: { ig_id: who.ig_id }, query: { limit: 20 } });
  if (page.error) throw new ProblemError(page.error);
  if (page.data.interactor.username !== who.username) throw new Error('another account');
  return { who, comments: page.data.items };
}

/** A public crush page, or `null` when there is none. */
export async function publicCrush(client: Client, slug: string): Promise<string | null> {
  const { data, error } = await getPublicCrush({ client, path: { slug } });
  if (error?.status === 404) return null;
  if (error) throw new ProblemError(error);
  return `${data.owner.username} → ${data.crush.username}`;
}
