/** API failures as one error type, carrying the RFC 9457 problem the backend sent. */
import type { components } from './schema';

export type Problem = components['schemas']['Problem'];

/** A response that was not a success; `problem` is set when the body was a problem object. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | undefined;

  constructor(status: number, problem: Problem | undefined) {
    super(problem?.detail ?? problem?.title ?? `The server answered ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
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
    );
  }
  return result.data as T;
}

/** Whether retrying could help: not for client errors, which will fail again the same way. */
export function isRetryable(error: unknown): boolean {
  return !(error instanceof ApiError && error.status >= 400 && error.status < 500);
}
