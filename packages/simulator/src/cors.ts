import type { IncomingMessage } from 'node:http'

/** Response headers a browser page on another origin may read. */
const EXPOSED_HEADERS = [
  'Link',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'X-Flat-Score-Revision',
  'X-Flat-Score-Revision-Date',
  'Content-Disposition',
  'Content-Length',
  'Location',
  'WWW-Authenticate',
] as const

const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS'
/** `*` in Allow-Headers never covers Authorization, so every header a client sends is listed. */
const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'X-Flat-Locale', 'Accept', 'Accept-Language', 'User-Agent']

/** Sent on every response of the API and of the file host. */
export const CORS_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': EXPOSED_HEADERS.join(', '),
})

/** Headers of a 204 preflight answer; also allows whatever extra headers the browser asks for. */
export function preflightHeaders(req: IncomingMessage): Record<string, string> {
  const requested = String(req.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name && !ALLOWED_HEADERS.some((allowed) => allowed.toLowerCase() === name.toLowerCase()))
  return {
    ...CORS_HEADERS,
    'Access-Control-Allow-Methods': ALLOWED_METHODS,
    'Access-Control-Allow-Headers': [...ALLOWED_HEADERS, ...requested].join(', '),
    'Access-Control-Max-Age': '600',
  }
}
