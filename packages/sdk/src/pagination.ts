import { encodePathParam, type paths } from '@flat-api/raw'
import type { ClientContext } from './context.js'
import { FlatMalformedResponseError } from './errors.js'
import { findLink, parseLinkHeader } from './headers.js'
import { unwrap } from './request.js'
import { checkInteger, checkLocale, checkObject, checkSignal, describe } from './validate.js'

type GetOperation<P extends keyof paths> = paths[P] extends { get: infer Op } ? Op : never

type ArrayItem<Op> = Op extends { responses: { 200: { content: { 'application/json': infer Body } } } }
  ? Body extends readonly (infer Item)[]
    ? Item
    : never
  : never

type TakesCursor<Op> = Op extends { parameters: { query?: infer Query } }
  ? [NonNullable<Query>] extends [never]
    ? false
    : 'next' extends keyof NonNullable<Query>
      ? true
      : false
  : false

/** Every list operation that takes a `next` cursor and answers a bare array, derived from the spec's types. */
type CursorPath = {
  [P in keyof paths]: TakesCursor<GetOperation<P>> extends true
    ? [ArrayItem<GetOperation<P>>] extends [never]
      ? never
      : P
    : never
}[keyof paths]

/** The cursor-paginated list operations `flat.paginate` accepts. */
export const PAGINATED_PATHS = [
  '/collections',
  '/collections/{collection}/scores',
  '/eduResources',
  '/omr/jobs',
  '/organizations/invitations',
  '/organizations/users',
  '/users/{user}/likes',
  '/users/{user}/scores',
] as const satisfies readonly CursorPath[]

/** A list `flat.paginate` walks: one of {@link PAGINATED_PATHS}. */
export type PaginatedPath = (typeof PAGINATED_PATHS)[number]

/** Largest page size (`limit`) each list accepts, as the spec bounds it; a test keeps this in step with the spec. */
export const PAGE_SIZE_LIMITS: Readonly<Record<PaginatedPath, number>> = Object.freeze({
  '/collections': 100,
  '/collections/{collection}/scores': 100,
  '/eduResources': 100,
  '/omr/jobs': 1000,
  '/organizations/invitations': 1000,
  '/organizations/users': 1000,
  '/users/{user}/likes': 100,
  '/users/{user}/scores': 100,
})
// Fails to compile when the spec gains a cursor-paginated list this list lacks.
const exhaustive: [CursorPath] extends [PaginatedPath] ? true : false = true
void exhaustive

/** The element type of the list `P` returns. */
export type PageItem<P extends PaginatedPath> = ArrayItem<GetOperation<P>>

type Parameters<P extends PaginatedPath> = GetOperation<P> extends { parameters: infer Params } ? Params : never
type Query<P extends PaginatedPath> = Omit<
  NonNullable<Parameters<P> extends { query?: infer Q } ? Q : never>,
  'previous'
>
type PathParams<P extends PaginatedPath> = Parameters<P> extends { path: infer Path } ? Path : never

/** How far `flat.paginate` walks, beside the list's own `params`. */
export interface PaginateControls {
  /** Stops after this many items in all, cutting the last page. Default: no cap. */
  maxItems?: number
  /** Stops after this many pages. Default: no cap. */
  maxPages?: number
  /** Aborts the iteration: the pending request rejects with the signal's reason. Default: none. */
  signal?: AbortSignal
  /** `X-Flat-Locale` for these requests. Default: the client's `locale`. */
  locale?: string
}

/** `params.query.limit` is the page size; `params.query.next` may resume from a saved cursor. */
export type PaginateInit<P extends PaginatedPath> = PaginateControls &
  ([PathParams<P>] extends [never]
    ? {
        /** The list's parameters. Default: none. */
        params?: {
          /** The list's query parameters except `previous`: `limit` is the page size, `next` a cursor to resume at. */
          query?: Query<P>
        }
      }
    : {
        /** The list's parameters; its path parameters are required. */
        params: {
          /** The list's path parameters, e.g. `{ user: 'me' }`. */
          path: PathParams<P>
          /** The list's query parameters except `previous`: `limit` is the page size, `next` a cursor to resume at. */
          query?: Query<P>
        }
      })

/** One page of a list, with the cursors around it. */
export interface Page<T> {
  /** The page's items; the last one walked may be cut short by `maxItems`. */
  items: T[]
  /** Cursor of the following page, from `Link: rel="next"`; undefined on the last page. */
  next: string | undefined
  /** Cursor of the preceding page, from `Link: rel="previous"`. */
  previous: string | undefined
  /** The response the page came from, for its status and headers; its body is already read. */
  response: Response
}

/** Items one by one with `for await`; `pages()` gives whole pages; `toArray()` collects (mind `maxItems`). */
export interface Paginator<T> extends AsyncIterable<T> {
  /** Walks page by page; each call, like each `for await`, starts over at the first page (or `params.query.next`). */
  pages(): AsyncGenerator<Page<T>, void, undefined>
  /** Collects every item into one array; bound a long list with `maxItems` or `maxPages`. */
  toArray(): Promise<T[]>
}

/** The type of `flat.paginate`: a list's path, then `params` (required when it has path parameters) and controls. */
export type Paginate = <P extends PaginatedPath>(
  path: P,
  ...init: [PathParams<P>] extends [never] ? [PaginateInit<P>?] : [PaginateInit<P>]
) => Paginator<PageItem<P>>

const PATH_SET: ReadonlySet<string> = new Set(PAGINATED_PATHS)

interface LooseInit {
  params?: { path?: Record<string, unknown>; query?: Record<string, unknown> }
  maxItems?: number
  maxPages?: number
  signal?: AbortSignal
  locale?: string
}

function checkInit(path: unknown, init: unknown): asserts init is LooseInit {
  if (typeof path !== 'string' || !PATH_SET.has(path)) {
    throw new TypeError(
      `path must be one of the cursor-paginated lists (${PAGINATED_PATHS.join(', ')}), got ${describe(path)}`,
    )
  }
  checkObject('paginate options', init)
  const { params, maxItems, maxPages, signal, locale } = init as LooseInit
  if (params !== undefined) checkObject('params', params)
  if (params?.query !== undefined) checkObject('params.query', params.query)
  if (params?.path !== undefined) checkObject('params.path', params.path)
  // Checked now, not when the first page is fetched, so a mistake throws where the call is.
  for (const [, name] of path.matchAll(/\{([^{}]+)\}/g)) encodePathParam(name as string, params?.path?.[name as string])
  const query = params?.query ?? {}
  if (query.limit !== undefined)
    checkInteger('params.query.limit', query.limit, 1, PAGE_SIZE_LIMITS[path as PaginatedPath])
  if (query.next !== undefined && (typeof query.next !== 'string' || query.next === '')) {
    throw new TypeError(`params.query.next must be a non-empty cursor string, got ${describe(query.next)}`)
  }
  if ('previous' in query) throw new TypeError('params.query.previous is not supported: paginate walks forward')

  if (maxItems !== undefined) checkInteger('maxItems', maxItems, 1, Number.POSITIVE_INFINITY)
  if (maxPages !== undefined) checkInteger('maxPages', maxPages, 1, Number.POSITIVE_INFINITY)
  checkSignal('signal', signal)
  checkLocale('locale', locale)
}

/** The cursor a page link carries: read once from its query, so it is decoded exactly once. */
function cursorOf(url: string | undefined, name: 'next' | 'previous'): string | undefined {
  if (url === undefined || !URL.canParse(url)) return undefined
  return new URL(url).searchParams.get(name) ?? undefined
}

export function createPaginate(context: ClientContext): Paginate {
  return ((path: PaginatedPath, init: unknown = {}) => {
    checkInit(path, init)
    const {
      params = {},
      maxItems = Number.POSITIVE_INFINITY,
      maxPages = Number.POSITIVE_INFINITY,
      signal,
      locale,
    } = init
    const target = { method: 'GET', path }
    // Without `paginate=true` this list ignores the page parameters and returns everything.
    const baseQuery: Record<string, unknown> =
      path === '/users/{user}/scores' ? { paginate: true, ...params.query } : { ...params.query }

    async function* pages(): AsyncGenerator<Page<PageItem<PaginatedPath>>, void, undefined> {
      const requested = new Set<string>()
      let cursor = typeof baseQuery.next === 'string' ? baseQuery.next : undefined
      let itemCount = 0
      let pageCount = 0
      while (true) {
        if (cursor !== undefined) requested.add(cursor)
        const query = { ...baseQuery, ...(cursor === undefined ? {} : { next: cursor }) }
        const call = (context.raw.GET as (path: string, init: unknown) => ReturnType<ClientContext['raw']['GET']>)(
          path,
          {
            params: { ...params, query },
            ...(signal ? { signal } : {}),
            ...(locale ? { headers: { 'X-Flat-Locale': locale } } : {}),
          },
        )
        const { data, response } = await unwrap<unknown>(target, call)
        if (!Array.isArray(data)) {
          throw new FlatMalformedResponseError(target, response.status, undefined, 'a body that is not an array')
        }
        const links = parseLinkHeader(response.headers.get('link'), response.url || undefined)
        const nextUrl = findLink(links, 'next')
        const next = cursorOf(nextUrl, 'next')
        if (nextUrl !== undefined && next === undefined) {
          throw new FlatMalformedResponseError(target, response.status, undefined, 'a next link without a next cursor')
        }
        const items = data.slice(0, maxItems - itemCount) as PageItem<PaginatedPath>[]
        itemCount += items.length
        pageCount += 1
        yield { items, next, previous: cursorOf(findLink(links, 'previous'), 'previous'), response }
        if (next === undefined || itemCount >= maxItems || pageCount >= maxPages) return

        if (requested.has(next)) {
          context.logger?.warn?.(`${path} repeated a cursor; stopping to avoid a loop`, { pages: pageCount })
          return
        }
        cursor = next
      }
    }

    async function* items(): AsyncGenerator<PageItem<PaginatedPath>, void, undefined> {
      for await (const page of pages()) yield* page.items
    }

    return {
      pages,
      [Symbol.asyncIterator]: () => items(),
      async toArray() {
        const all: PageItem<PaginatedPath>[] = []
        for await (const item of items()) all.push(item)
        return all
      },
    }
  }) as unknown as Paginate
}
