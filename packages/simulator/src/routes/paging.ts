import type { SimContext } from '../context.js'
import type { Reply, RequestContext } from '../http.js'
import { HttpError } from '../http.js'
import type { PageBounds } from '../pagination.js'

/** One page of `items` as a bare JSON array, the cursors in the `Link` header only. */
export function pageReply<T, V>(
  sim: SimContext,
  ctx: RequestContext,
  items: readonly T[],
  bounds: PageBounds,
  view: (item: T) => V,
  headers: Record<string, string> = {},
): Reply {
  const page = sim.paginator.page(ctx.pathname, ctx.query, items, bounds)
  if (page.link) headers.Link = page.link
  return { status: 200, json: page.items.map(view), headers }
}

/** Checks an enum query parameter; throws `HttpError` naming it for any other value. */
export function enumParam<T extends string>(query: URLSearchParams, name: string, values: readonly T[]): T | undefined {
  const value = query.get(name)
  if (value === null) return undefined
  if (!(values as readonly string[]).includes(value)) {
    throw new HttpError(400, 'BAD_REQUEST', `${name} must be one of ${values.join(', ')}, got ${value}`, name)
  }
  return value as T
}

/**
 * Sorts by the `sort` query parameter (one of `keys`) in the `direction` it gives (default ascending), or keeps the
 * given order when there is no `sort`.
 */
export function sortBy<T>(query: URLSearchParams, items: T[], keys: Record<string, (item: T) => string | number>): T[] {
  const sort = enumParam(query, 'sort', Object.keys(keys))
  const direction = enumParam(query, 'direction', ['asc', 'desc'] as const)
  if (!sort) return direction === 'desc' ? items.reverse() : items
  const key = keys[sort] as (item: T) => string | number
  const sign = direction === 'desc' ? -1 : 1
  return items.sort((a, b) => {
    const left = key(a)
    const right = key(b)
    return (left < right ? -1 : left > right ? 1 : 0) * sign
  })
}
