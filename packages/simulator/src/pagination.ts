import { createHash } from 'node:crypto'
import { HttpError, integerParam } from './http.js'

export interface PageBounds {
  /** Largest `limit` the operation accepts (the spec's `maximum`). */
  maxLimit: number
  /** `limit` when the query has none (the spec's `default`). */
  defaultLimit: number
}

export interface Page<T> {
  items: T[]
  /** `Link` header value, absent when there is neither a next nor a previous page. */
  link?: string
}

// Cursors start with bytes whose base64 is `+/+/` and end in `=`, so every cursor needs percent-encoding in a query:
// a client that forgets to encode it, or decodes it twice, sends a cursor that no longer checks out.
const MAGIC = [0xfb, 0xff, 0xbf]
const CURSOR_BYTES = 11
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

/** Opaque offset cursors, bound to one list (its scope) by a checksum, and `Link` headers carrying them. */
export class Paginator {
  constructor(
    private readonly secret: string,
    private readonly origin: () => string,
  ) {}

  private checksum(scope: string, offset: number): Buffer {
    return createHash('sha256').update(`${this.secret}\n${scope}\n${offset}`).digest().subarray(0, 4)
  }

  encode(scope: string, offset: number): string {
    const bytes = Buffer.alloc(CURSOR_BYTES)
    bytes.set(MAGIC, 0)
    bytes.writeUInt32BE(offset, 3)
    this.checksum(scope, offset).copy(bytes, 7)
    return bytes.toString('base64')
  }

  /** The offset a cursor points at; throws `HttpError` naming `param` for a cursor this list did not issue. */
  decode(scope: string, cursor: string, param: string): number {
    const invalid = new HttpError(400, 'INVALID_CURSOR', `The ${param} cursor is not valid for this list`, param)
    if (!BASE64.test(cursor)) throw invalid
    const bytes = Buffer.from(cursor, 'base64')
    if (bytes.length !== CURSOR_BYTES || MAGIC.some((byte, index) => bytes[index] !== byte)) throw invalid
    const offset = bytes.readUInt32BE(3)
    if (!this.checksum(scope, offset).equals(bytes.subarray(7))) throw invalid
    return offset
  }

  /**
   * Cuts one page out of `items` per the request's `limit`, `next` and `previous`, with a `Link` header whose URLs
   * keep the request's other query parameters. A cursor only works on the list (path and filters) that issued it.
   */
  page<T>(pathname: string, query: URLSearchParams, items: readonly T[], bounds: PageBounds): Page<T> {
    const scope = listScope(pathname, query)
    const limit = integerParam(query, 'limit', 1, bounds.maxLimit) ?? bounds.defaultLimit
    const next = query.get('next')
    const previous = query.get('previous')
    if (next !== null && previous !== null) {
      throw new HttpError(400, 'BAD_REQUEST', 'Send either next or previous, not both', 'previous')
    }
    let start = 0
    if (next !== null) start = this.decode(scope, next, 'next')
    else if (previous !== null) start = this.decode(scope, previous, 'previous')
    start = Math.min(start, items.length)

    const end = Math.min(items.length, start + limit)
    const links: string[] = []
    if (end < items.length)
      links.push(`<${this.url(pathname, query, 'next', this.encode(scope, end), limit)}>; rel="next"`)
    if (start > 0) {
      const back = this.encode(scope, Math.max(0, start - limit))
      links.push(`<${this.url(pathname, query, 'previous', back, limit)}>; rel="previous"`)
    }
    const page: Page<T> = { items: items.slice(start, end) }
    if (links.length > 0) page.link = links.join(', ')
    return page
  }

  private url(
    pathname: string,
    query: URLSearchParams,
    rel: 'next' | 'previous',
    cursor: string,
    limit: number,
  ): string {
    const params = new URLSearchParams()
    params.set(rel, cursor)
    params.set('limit', String(limit))
    for (const [name, value] of query) {
      if (name !== 'next' && name !== 'previous' && name !== 'limit') params.append(name, value)
    }
    return `${this.origin()}${pathname}?${params}`
  }
}

/** A list is its path and its filters: every query parameter but the page ones. */
function listScope(pathname: string, query: URLSearchParams): string {
  const filters = [...query].filter(([name]) => name !== 'next' && name !== 'previous' && name !== 'limit')
  filters.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `${pathname}?${new URLSearchParams(filters)}`
}
