import { describe, expect, it } from 'vitest';
import { ApiError, errorDetails, errorMessage, errorReference, isRetryable, unwrap } from './errors';

const problem = { type: 'about:blank', title: 'Not Found', status: 404, code: 'not_found', detail: 'no crush' };

describe('unwrap', () => {
  it('returns the data of a success', () => {
    expect(unwrap({ data: { id: 1 }, response: new Response(null, { status: 200 }) })).toEqual({ id: 1 });
  });

  it('throws an ApiError carrying the problem', () => {
    const call = () => unwrap({ error: problem, response: new Response(null, { status: 404 }) });
    expect(call).toThrow(ApiError);
    expect(call).toThrow('no crush');
    try {
      call();
    } catch (error) {
      expect((error as ApiError).problem?.code).toBe('not_found');
      expect((error as ApiError).status).toBe(404);
    }
  });

  it('keeps the Retry-After the failure came with', () => {
    const response = new Response(null, { status: 429, headers: { 'Retry-After': '42' } });
    expect(() => unwrap({ error: problem, response })).toThrow(
      expect.objectContaining({ status: 429, retryAfterSeconds: 42 }) as Error,
    );
  });

  it('throws without a problem when the body is not one', () => {
    const call = () => unwrap({ error: 'Bad Gateway', response: new Response(null, { status: 502 }) });
    expect(call).toThrow('The server answered 502');
  });
});

describe('isRetryable', () => {
  it('retries server errors and network failures, not client errors', () => {
    expect(isRetryable(new ApiError(503, undefined))).toBe(true);
    expect(isRetryable(new TypeError('Failed to fetch'))).toBe(true);
    expect(isRetryable(new ApiError(401, undefined))).toBe(false);
    expect(isRetryable(new ApiError(404, undefined))).toBe(false);
  });

  it('retries a timeout and too many requests, which say "not now"', () => {
    expect(isRetryable(new ApiError(408, undefined))).toBe(true);
    expect(isRetryable(new ApiError(429, undefined))).toBe(true);
    expect(isRetryable(new ApiError(403, undefined))).toBe(false);
  });
});

describe('errorMessage', () => {
  it('speaks plainly, never with the server’s technical detail', () => {
    const raw = { ...problem, status: 500, detail: 'Instagram GET /me answered HTTP 500: (#2) OAuthException fbtrace_id=AbC' };
    const message = errorMessage(new ApiError(500, raw));
    expect(message).toBe('Something went wrong on our side. Please try again in a moment.');
    expect(errorMessage(new ApiError(404, problem))).toBe('We could not find it: it may have been deleted.');
    expect(errorMessage(new ApiError(429, undefined))).toMatch(/^Too many requests/);
  });

  it('words a request that got no answer the same everywhere', () => {
    expect(errorMessage(new TypeError('Failed to fetch'))).toBe(
      'The server could not be reached. Check your connection and try again.',
    );
  });

  it('keeps the reference and the details for those who need them', () => {
    const error = new ApiError(500, { ...problem, status: 500, code: 'internal', detail: 'boom' }, null, 'req-42');
    expect(errorReference(error)).toBe('req-42');
    expect(errorDetails(error)).toBe('HTTP 500 · internal · boom');
    expect(errorReference(new TypeError('Failed to fetch'))).toBeNull();
  });
});
