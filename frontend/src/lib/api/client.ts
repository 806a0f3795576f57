/**
 * The one API client: every call goes through it, typed by the paths generated from
 * `openapi.yaml`. It sends the session cookies, adds the CSRF header to unsafe requests, and
 * renews an expired session once (`POST /api/auth/refresh`) before giving up on a `401`.
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

/** The header the backend requires on cookie-authenticated unsafe requests (CSRF defence). */
export const CSRF_HEADER = 'x-instacrush-csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
const REFRESH_PATH = '/api/auth/refresh' satisfies keyof paths;

/** An operation with the CSRF header removed from its parameters: the client sends it. */
type WithoutCsrf<Op> = Op extends { parameters: { header: infer H } }
  ? Omit<Op, 'parameters'> & {
      parameters: Omit<Op['parameters'], 'header'> &
        (Partial<Omit<H, typeof CSRF_HEADER>> extends Omit<H, typeof CSRF_HEADER>
          ? { header?: Omit<H, typeof CSRF_HEADER> }
          : { header: Omit<H, typeof CSRF_HEADER> });
    }
  : Op;

/** The generated paths as callers see them (no CSRF header to pass by hand). */
export type ApiPaths = {
  [P in keyof paths]: { [M in keyof paths[P]]: WithoutCsrf<paths[P][M]> };
};

export type ApiClient = Client<ApiPaths>;

export interface ApiClientOptions {
  /** Where the API lives; the page's own origin by default (the backend serves the SPA). */
  baseUrl?: string;
  /** The transport; `globalThis.fetch` at call time by default (tests replace it). */
  fetch?: (request: Request) => Promise<Response>;
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (!SAFE_METHODS.has(request.method.toUpperCase())) {
      request.headers.set(CSRF_HEADER, '1');
    }
    return request;
  },
};

/** Builds a client; the app uses the single {@link api} below, tests build their own. */
export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const send = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  // One refresh at a time: concurrent 401s wait for the same renewal (the refresh token
  // rotates, so a second parallel refresh would present a used token and end the session).
  let refreshing: Promise<boolean> | undefined;

  const renewSession = (): Promise<boolean> => {
    refreshing ??= client
      .POST(REFRESH_PATH)
      .then(({ response }) => response.ok)
      .catch(() => false)
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  };

  const fetchRenewingSession = async (request: Request): Promise<Response> => {
    const isRefresh = new URL(request.url).pathname === REFRESH_PATH;
    const retry = isRefresh ? undefined : request.clone();
    const response = await send(request);
    if (response.status !== 401 || !retry) return response;
    return (await renewSession()) ? send(retry) : response;
  };

  const client = createClient<ApiPaths>({
    baseUrl: options.baseUrl ?? globalThis.location.origin,
    credentials: 'include',
    fetch: fetchRenewingSession,
  });
  client.use(csrf);
  return client;
}

/** The app's API client. */
export const api = createApiClient();
