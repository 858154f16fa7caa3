/** The symbol `util.inspect` looks for, without importing `node:util` (the SDK also runs in browsers). */
export const INSPECT: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never

/** A URL without its query, fragment and credentials: queries can carry signed-URL secrets. */
export function redactedUrl(url: URL | string): string {
  const parsed = typeof url === 'string' ? new URL(url) : url
  return `${parsed.origin}${parsed.pathname}`
}
