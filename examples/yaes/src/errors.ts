/**
 * Errors the services throw on purpose, each with its HTTP status. Anything else is a bug and becomes a
 * logged 500 — the original turned every error into a 422 and lost the message.
 */

/** A deliberate failure with an HTTP status and a message safe to show the client. */
export class AppError extends Error {
  constructor(
    readonly status: 401 | 403 | 404 | 405 | 413 | 415 | 422 | 503 | 504,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** 422: the request is well-formed but its content is invalid. */
export const invalid = (message: string) => new AppError(422, message);
/** 401: no valid credentials. */
export const unauthorized = (message: string) => new AppError(401, message);
/** 403: authenticated, but not allowed. */
export const forbidden = (message: string) => new AppError(403, message);
/** 404: no such resource. */
export const notFound = (message: string) => new AppError(404, message);
