/** Where the SDK reports what it noticed but did not throw. Off unless the user passes one. */
export interface Logger {
  debug?(message: string, details?: Record<string, unknown>): void
  warn?(message: string, details?: Record<string, unknown>): void
}
