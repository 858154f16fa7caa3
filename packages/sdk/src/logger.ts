/**
 * Where the SDK reports what it noticed but did not throw. Off unless the user passes one; both methods are optional,
 * and neither message nor details ever holds a token.
 */
export interface Logger {
  /** Routine events, such as a request about to be retried (details: reason, attempt, delayMs, status). */
  debug?(message: string, details?: Record<string, unknown>): void
  /** Events worth a look, such as a state the SDK does not know or a list that repeated a cursor. */
  warn?(message: string, details?: Record<string, unknown>): void
}
