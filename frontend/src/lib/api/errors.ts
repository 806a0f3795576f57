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

  constructor(status: number, problem: Problem | undefined, retryAfterSeconds: number | null = null) {
    super(problem?.detail ?? problem?.title ?? `The server answered ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
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
    );
  }
  return result.data as T;
}

/** What went wrong, for people: the API's own words when it sent a problem, else the network. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.problem?.detail ?? error.problem?.title ?? error.message;
  // `fetch` rejects (a TypeError) when the request never got an answer.
  if (error instanceof TypeError) return 'The server could not be reached. Check your connection.';
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
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
