import createClientExport, { type Client, type ClientOptions } from 'openapi-fetch'
import type { paths } from './generated/schema.gen.js'
import { serializePath } from './path.js'

/** Flat's production API. */
export const DEFAULT_BASE_URL = 'https://api.flat.io/v2'

export interface RawClientOptions {
  /** Root of the API, without a trailing slash. Default `https://api.flat.io/v2`. */
  baseUrl?: string
  /** OAuth2 access token or personal token, sent as `Authorization: Bearer <token>`. Default: none. */
  accessToken?: string
  /** Fetch implementation. Default `globalThis.fetch`. */
  fetch?: (input: Request) => Promise<Response>
  /** Headers sent with every request. Default: none. */
  headers?: Record<string, string>
}

export type RawClient = Client<paths>

// Our CommonJS build sees openapi-fetch through Node's ESM-to-CJS interop, where the default import arrives as the
// module object; take the function either way.
const createClient: typeof createClientExport =
  typeof createClientExport === 'function'
    ? createClientExport
    : (createClientExport as unknown as { default: typeof createClientExport }).default

/** Validates a header value the way fetch would, but with an error that does not echo the secret. */
function assertHeaderValue(name: string, value: string): void {
  if (/[\r\n\0]/.test(value)) throw new TypeError(`${name} must not contain CR, LF or NUL characters`)
}

/**
 * A typed openapi-fetch client over every operation of the Flat API.
 * Path parameters are validated and encoded: a missing, empty or dot-segment value throws a TypeError before
 * anything is sent.
 */
export function createRawClient(options: RawClientOptions = {}): RawClient {
  const { baseUrl = DEFAULT_BASE_URL, accessToken, fetch, headers = {} } = options
  if (typeof baseUrl !== 'string' || !URL.canParse(baseUrl)) {
    throw new TypeError(`baseUrl must be an absolute URL, got ${JSON.stringify(baseUrl)}`)
  }
  if (accessToken !== undefined) {
    if (typeof accessToken !== 'string' || accessToken.length === 0) {
      throw new TypeError('accessToken must be a non-empty string')
    }
    assertHeaderValue('accessToken', accessToken)
  }
  const allHeaders: Record<string, string> = { ...headers }
  if (accessToken) allHeaders.Authorization = `Bearer ${accessToken}`
  const clientOptions: ClientOptions = {
    baseUrl: baseUrl.replace(/\/+$/, ''),
    headers: allHeaders,
    pathSerializer: serializePath,
  }
  if (fetch) clientOptions.fetch = fetch
  return createClient<paths>(clientOptions)
}
