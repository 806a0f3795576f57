/**
 * A fake backend for tests: answers requests by `"<METHOD> <path>"`, keyed by the generated
 * API paths, records every request, and fails the test on anything unexpected (the setup
 * checks {@link takeUnexpectedRequests} after each test: inside `fetch`, a throw would only
 * become a query error that the page may well show and the test never notice).
 */
import { vi } from 'vitest';
import type { paths } from '@/lib/api';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type RouteKey = `${Method} ${keyof paths}`;
type Handler = Response | ((request: Request) => Response | Promise<Response>);

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' },
  });
}

export function problem(status: number, code: string): Response {
  return json({ type: 'about:blank', title: code, status, code }, status);
}

/** Signed out: who-am-I and the session refresh both answer 401. */
export const signedOut: Partial<Record<RouteKey, Handler>> = {
  'GET /api/users/me': () => problem(401, 'unauthorized'),
  'POST /api/auth/refresh': () => problem(401, 'unauthorized'),
};

let unexpected: string[] = [];

/** The requests no route answered since the last call, forgotten once returned. */
export function takeUnexpectedRequests(): string[] {
  const taken = unexpected;
  unexpected = [];
  return taken;
}

/** Builds a fetch that serves `routes` and records what it saw. */
export function createMockFetch(routes: Partial<Record<RouteKey, Handler>>) {
  const requests: Request[] = [];
  const fetch = vi.fn(async (request: Request) => {
    requests.push(request);
    const key = `${request.method} ${new URL(request.url).pathname}` as RouteKey;
    const handler = routes[key];
    if (!handler) {
      unexpected.push(key);
      throw new Error(`unexpected request: ${key}`);
    }
    return typeof handler === 'function' ? handler(request) : handler.clone();
  });
  return { fetch, requests };
}

/** Replaces `globalThis.fetch` (which the app's client uses) for the current test. */
export function mockApi(routes: Partial<Record<RouteKey, Handler>> = signedOut) {
  const mock = createMockFetch(routes);
  vi.stubGlobal('fetch', mock.fetch);
  return mock;
}
