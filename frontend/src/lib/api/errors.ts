/** API failures as one error type, carrying the RFC 9457 problem the backend sent. */
import { retryAfterSeconds } from './retry-after';
import type { components } from './schema';

export type Problem = components['schemas']['Problem'];

/** A response that was not a success; `problem` is set when the body was a problem object. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | undefined;
  /** The response's `Retry-After`, in seconds, when it sent one (a `429`, a `503`). */
  readonly retryAfterSeconds: number | null;
  /** The response's `x-request-id`: what the server logged this request under. */
  readonly requestId: string | null;

  constructor(
    status: number,
    problem: Problem | undefined,
    retryAfterSeconds: number | null = null,
    requestId: string | null = null,
  ) {
    super(problem?.detail ?? problem?.title ?? `The server answered ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
    this.requestId = requestId;
  }
}

function isProblem(body: unknown): body is Problem {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as Problem).status === 'number' &&
    typeof (body as Problem).code === 'string'
  );
}

/** The data of an openapi-fetch result, or an {@link ApiError} thrown for a failure. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (!result.response.ok) {
    throw new ApiError(
      result.response.status,
      isProblem(result.error) ? result.error : undefined,
      retryAfterSeconds(result.response),
      result.response.headers.get('x-request-id'),
    );
  }
  return result.data as T;
}

/** What went wrong, for people, in plain words: never the server's technical detail. */
export function errorMessage(error: unknown): string {
  // `fetch` rejects (a TypeError) when the request never got an answer.
  if (error instanceof TypeError) return 'The server could not be reached. Check your connection and try again.';
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  if (error.status >= 500) return 'Something went wrong on our side. Please try again in a moment.';
  switch (error.status) {
    case 401:
      return 'You are signed out. Sign in again to carry on.';
    case 403:
      return error.problem?.code === 'needs_reauth'
        ? 'Instagram wants you to sign in again.'
        : 'You are not allowed to do that.';
    case 404:
      return 'We could not find it: it may have been deleted.';
    case 408:
      return 'The server took too long to answer. Please try again.';
    case 429:
      return 'Too many requests at once. Wait a moment, then try again.';
    default:
      return 'That was not accepted. Please check it and try again.';
  }
}

/** What a support request needs to find this failure: the request's id, when there was one. */
export function errorReference(error: unknown): string | null {
  return error instanceof ApiError ? error.requestId : null;
}

/** The technical account of a failure, for a disclosure: status, code and the server's detail. */
export function errorDetails(error: unknown): string | null {
  if (error instanceof ApiError) {
    const said = error.problem?.detail ?? error.problem?.title;
    return [`HTTP ${error.status}`, error.problem?.code, said].filter(Boolean).join(' · ');
  }
  return error instanceof Error ? error.message : null;
}

/** Client errors that say "not now" rather than "never": a timeout, and too many requests. */
const TRANSIENT_CLIENT_ERRORS = new Set([408, 429]);

/**
 * Whether retrying could help: yes for server errors, network failures, `408` and `429`; not
 * for other client errors, which will fail again the same way.
 */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  if (TRANSIENT_CLIENT_ERRORS.has(error.status)) return true;
  return error.status < 400 || error.status >= 500;
}
