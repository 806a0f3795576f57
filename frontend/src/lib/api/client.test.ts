import { describe, expect, it } from 'vitest';
import { createMockFetch, json, problem } from '@/testing/mock-api';
import { createApiClient, CSRF_HEADER } from './client';

const baseUrl = 'http://instacrush.test';
const me = { id: 7, instagram_username: 'ada.demo' };

describe('the API client', () => {
  it('adds the CSRF header to POST and sends the cookies', async () => {
    const { fetch, requests } = createMockFetch({
      'POST /api/auth/logout': new Response(null, { status: 204 }),
    });
    const api = createApiClient({ baseUrl, fetch });

    const { response } = await api.POST('/api/auth/logout');

    expect(response.status).toBe(204);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.headers.get(CSRF_HEADER)).toBe('1');
    expect(requests[0]?.credentials).toBe('include');
  });

  it('adds the CSRF header to DELETE', async () => {
    const { fetch, requests } = createMockFetch({
      'DELETE /api/users/me': new Response(null, { status: 204 }),
    });
    await createApiClient({ baseUrl, fetch }).DELETE('/api/users/me');

    expect(requests[0]?.headers.get(CSRF_HEADER)).toBe('1');
  });

  it('does not add the CSRF header to GET', async () => {
    const { fetch, requests } = createMockFetch({ 'GET /api/users/me': json(me) });
    const api = createApiClient({ baseUrl, fetch });

    const { data } = await api.GET('/api/users/me');

    expect(data).toEqual(me);
    expect(requests[0]?.method).toBe('GET');
    expect(requests[0]?.headers.has(CSRF_HEADER)).toBe(false);
    expect(requests[0]?.credentials).toBe('include');
  });

  it('sends JSON bodies with the CSRF header', async () => {
    const { fetch, requests } = createMockFetch({
      'POST /api/auth/api-tokens': json(
        { id: 1, name: 'my script', prefix: 'icat_x', created_at: '2026-01-01T00:00:00Z', token: 'icat_secret' },
        201,
      ),
    });
    const { data } = await createApiClient({ baseUrl, fetch }).POST('/api/auth/api-tokens', {
      body: { name: 'my script' },
    });

    expect(data?.token).toBe('icat_secret');
    expect(requests[0]?.headers.get(CSRF_HEADER)).toBe('1');
    expect(await requests[0]?.json()).toEqual({ name: 'my script' });
  });

  it('renews an expired session once and retries the request', async () => {
    let meCalls = 0;
    const { fetch, requests } = createMockFetch({
      'GET /api/users/me': () => (++meCalls === 1 ? problem(401, 'unauthorized') : json(me)),
      'POST /api/auth/refresh': json({ user_id: 7, expires_in: 900 }),
    });

    const { data } = await createApiClient({ baseUrl, fetch }).GET('/api/users/me');

    expect(data).toEqual(me);
    expect(requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      'GET /api/users/me',
      'POST /api/auth/refresh',
      'GET /api/users/me',
    ]);
    expect(requests[1]?.headers.get(CSRF_HEADER)).toBe('1');
  });

  it('retries an unsafe request with its body and CSRF header after renewing', async () => {
    let calls = 0;
    const { fetch, requests } = createMockFetch({
      'POST /api/auth/api-tokens': () =>
        ++calls === 1
          ? problem(401, 'unauthorized')
          : json({ id: 1, name: 'n', prefix: 'p', created_at: '2026-01-01T00:00:00Z', token: 't' }, 201),
      'POST /api/auth/refresh': json({ user_id: 7, expires_in: 900 }),
    });

    const { response } = await createApiClient({ baseUrl, fetch }).POST('/api/auth/api-tokens', {
      body: { name: 'n' },
    });

    expect(response.status).toBe(201);
    const retried = requests[2];
    expect(retried?.headers.get(CSRF_HEADER)).toBe('1');
    expect(await retried?.json()).toEqual({ name: 'n' });
  });

  it('shares one renewal between concurrent 401s', async () => {
    let refreshed = false;
    const { fetch, requests } = createMockFetch({
      'GET /api/users/me': () => (refreshed ? json(me) : problem(401, 'unauthorized')),
      'POST /api/auth/refresh': () => {
        refreshed = true;
        return json({ user_id: 7, expires_in: 900 });
      },
    });
    const api = createApiClient({ baseUrl, fetch });

    const results = await Promise.all([api.GET('/api/users/me'), api.GET('/api/users/me')]);

    expect(results.map((r) => r.data)).toEqual([me, me]);
    expect(requests.filter((r) => r.url.endsWith('/api/auth/refresh'))).toHaveLength(1);
  });

  it('returns the 401 when the session cannot be renewed, without looping', async () => {
    const { fetch, requests } = createMockFetch({
      'GET /api/users/me': problem(401, 'unauthorized'),
      'POST /api/auth/refresh': problem(401, 'unauthorized'),
    });

    const { error, response } = await createApiClient({ baseUrl, fetch }).GET('/api/users/me');

    expect(response.status).toBe(401);
    expect(error).toMatchObject({ code: 'unauthorized', status: 401 });
    expect(requests).toHaveLength(2);
  });
});
