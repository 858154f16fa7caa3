import { afterEach, describe, expect, it } from 'vitest'
import type { Simulator } from '../src/index.js'
import { call, closeAll, parseLink, start } from './helpers.js'

afterEach(closeAll)

const LIBRARY = {
  scores: 23,
  collections: 23,
  likes: 23,
  eduResources: 23,
  omrJobs: 23,
  organizationUsers: 23,
  organizationInvitations: 23,
}

interface ListCase {
  name: string
  path: (sim: Simulator) => string
  /** Query the operation needs to paginate at all. */
  extra?: string
  maxLimit: number
  total: number
}

const LISTS: ListCase[] = [
  { name: 'collections', path: () => '/v2/collections', maxLimit: 100, total: 23 },
  { name: 'collection scores', path: () => '/v2/collections/allScores/scores', maxLimit: 100, total: 23 },
  { name: 'edu resources', path: () => '/v2/eduResources', maxLimit: 100, total: 23 },
  { name: 'OMR jobs', path: () => '/v2/omr/jobs', maxLimit: 1000, total: 23 },
  { name: 'organization users', path: () => '/v2/organizations/users', maxLimit: 1000, total: 23 },
  { name: 'organization invitations', path: () => '/v2/organizations/invitations', maxLimit: 1000, total: 23 },
  { name: 'likes', path: () => '/v2/users/me/likes', maxLimit: 100, total: 23 },
  { name: 'user scores', path: () => '/v2/users/me/scores', extra: 'paginate=true', maxLimit: 100, total: 23 },
]

function withQuery(path: string, ...parts: (string | undefined)[]): string {
  const query = parts.filter(Boolean).join('&')
  return query ? `${path}?${query}` : path
}

/** Follows `rel="next"` from the first page to the last, as a client should: the URL as given. */
async function walk(sim: Simulator, first: string) {
  const pages: { ids: string[]; links: Record<string, string>; raw: string | null }[] = []
  let url: string | undefined = `${sim.url}${first}`
  while (url) {
    expect(url.startsWith(`${sim.url}/v2/`)).toBe(true)
    const { status, body, headers } = await call(sim, 'GET', url.slice(sim.url.length))
    expect(status).toBe(200)
    expect(Array.isArray(body)).toBe(true)
    const links = parseLink(headers.get('link'))
    pages.push({ ids: (body as { id: string }[]).map((item) => item.id), links, raw: headers.get('link') })
    url = links.next
  }
  return pages
}

describe.each(LISTS)('the $name list', ({ path, extra, maxLimit, total }) => {
  it('pages through every item once, with cursors only in absolute Link URLs', async () => {
    const sim = await start({ library: LIBRARY })

    const pages = await walk(sim, withQuery(path(sim), extra, 'limit=10'))

    const ids = pages.flatMap((page) => page.ids)
    expect(pages.map((page) => page.ids.length)).toEqual([10, 10, 3])
    expect(ids).toHaveLength(total)
    expect(new Set(ids).size).toBe(total)
    expect(pages.at(-1)?.links.next).toBeUndefined()
    expect(pages[0]?.links.previous).toBeUndefined()
    // The cursor's + / = are percent-encoded in the URL; the URL keeps limit and the other parameters.
    const next = pages[0]?.links.next ?? ''
    expect(next).toMatch(/[?&]next=[^&]*%2B[^&]*%2F[^&]*%3D/)
    expect(new URL(next).searchParams.get('limit')).toBe('10')
    if (extra) expect(next).toContain(extra)
  })

  it('leads back with rel="previous" to the page before', async () => {
    const sim = await start({ library: LIBRARY })

    const [first, second] = await walk(sim, withQuery(path(sim), extra, 'limit=10'))
    const back = await call(sim, 'GET', (second?.links.previous ?? '').slice(sim.url.length))

    expect((back.body as { id: string }[]).map((item) => item.id)).toEqual(first?.ids)
    expect(parseLink(back.headers.get('link')).previous).toBeUndefined()
  })

  it.each([0, maxLimit + 1, -1])('refuses limit=%s with 400 naming limit', async (limit) => {
    const sim = await start({ library: LIBRARY })

    const { status, body } = await call(sim, 'GET', withQuery(path(sim), extra, `limit=${limit}`))

    expect(status).toBe(400)
    expect(body).toMatchObject({ code: 'BAD_REQUEST', param: 'limit' })
  })

  it('accepts the largest limit the spec allows and sends no Link when all fit', async () => {
    const sim = await start({ library: LIBRARY })

    const { status, body, headers } = await call(sim, 'GET', withQuery(path(sim), extra, `limit=${maxLimit}`))

    expect(status).toBe(200)
    expect(body).toHaveLength(total)
    expect(headers.get('link')).toBeNull()
  })
})

describe('cursors', () => {
  async function firstCursor(sim: Simulator): Promise<{ cursor: string; next: string }> {
    const { headers } = await call(sim, 'GET', '/v2/collections?limit=5')
    const next = parseLink(headers.get('link')).next ?? ''
    return { cursor: new URL(next).searchParams.get('next') ?? '', next }
  }

  it('breaks when a client sends the cursor without percent-encoding it', async () => {
    const sim = await start({ library: LIBRARY })
    const { cursor } = await firstCursor(sim)

    const { status, body } = await call(sim, 'GET', `/v2/collections?limit=5&next=${cursor}`)

    expect(cursor).toMatch(/[+/=]/)
    expect(status).toBe(400)
    expect(body).toMatchObject({ code: 'INVALID_CURSOR', param: 'next' })
  })

  it('breaks when a client decodes the cursor twice', async () => {
    const sim = await start({ library: LIBRARY })
    const { next } = await firstCursor(sim)
    const raw = /next=([^&]+)/.exec(next)?.[1] ?? ''

    const twice = decodeURIComponent(decodeURIComponent(raw)).replace(/\+/g, ' ')
    const { status } = await call(sim, 'GET', `/v2/collections?limit=5&next=${encodeURIComponent(twice)}`)

    expect(status).toBe(400)
  })

  it('works when encoded once, and is refused on another list', async () => {
    const sim = await start({ library: LIBRARY })
    const { cursor } = await firstCursor(sim)

    const right = await call(sim, 'GET', `/v2/collections?limit=5&next=${encodeURIComponent(cursor)}`)
    const wrong = await call(sim, 'GET', `/v2/users/me/likes?limit=5&next=${encodeURIComponent(cursor)}`)

    expect(right.status).toBe(200)
    expect(right.body).toHaveLength(5)
    expect(wrong.status).toBe(400)
    expect(wrong.body).toMatchObject({ param: 'next' })
  })
})

describe('the seeded library', () => {
  it('is the same for the same seed and differs for another', async () => {
    const titles = async (seed: number) => {
      const sim = await start({ seed, library: { scores: 8 } })
      const { body } = await call(sim, 'GET', '/v2/users/me/scores')
      return (body as { id: string; title: string }[]).map((score) => [score.id, score.title])
    }

    const one = await titles(7)
    const same = await titles(7)
    const other = await titles(8)

    expect(same).toEqual(one)
    expect(other.map(([, title]) => title)).not.toEqual(one.map(([, title]) => title))
    expect(one.some(([, title]) => /[^\x20-\x7e]/.test(title ?? ''))).toBe(true)
  })

  it('lists every user score at once without paginate=true, as the spec says', async () => {
    const sim = await start({ library: { scores: 30 } })

    const { body, headers } = await call(sim, 'GET', '/v2/users/me/scores?limit=5')

    expect(body).toHaveLength(30)
    expect(headers.get('link')).toBeNull()
  })

  it('sorts collection scores by title when asked, and rejects an unknown sort', async () => {
    const sim = await start({ library: { scores: 6 } })

    const sorted = await call(sim, 'GET', '/v2/collections/allScores/scores?sort=title&direction=desc')
    const wrong = await call(sim, 'GET', '/v2/collections/allScores/scores?sort=colour')

    const titles = (sorted.body as { title: string }[]).map((score) => score.title)
    expect(titles).toEqual([...titles].sort().reverse())
    expect(wrong.status).toBe(400)
    expect(wrong.body).toMatchObject({ param: 'sort' })
  })

  it('spreads the scores over the collections and reports their counts', async () => {
    const sim = await start({ library: { scores: 10, collections: 3 } })

    const { body } = await call(sim, 'GET', '/v2/collections')
    const counts = (body as { contents: { scoresCount: number } }[]).map(
      (collection) => collection.contents.scoresCount,
    )
    const inFirst = await call(sim, 'GET', `/v2/collections/${sim.library.collections[0]}/scores`)

    expect(counts).toEqual([4, 3, 3])
    expect((inFirst.body as { id: string }[]).map((score) => score.id)).toEqual(
      sim.library.scores.filter((_, index) => index % 3 === 0),
    )
  })

  it('filters organization users by role and invitations by role', async () => {
    const sim = await start({ library: { organizationUsers: 20, organizationInvitations: 9 } })

    const teachers = await call(sim, 'GET', '/v2/organizations/users?role=teacher&role=admin')
    const invitations = await call(sim, 'GET', '/v2/organizations/invitations?role=teacher')
    const wrong = await call(sim, 'GET', '/v2/organizations/users?role=janitor')

    const roles = (teachers.body as { organizationRole: string }[]).map((user) => user.organizationRole)
    expect(roles.length).toBeGreaterThan(0)
    expect(roles.every((role) => role === 'teacher' || role === 'admin')).toBe(true)
    expect(invitations.body).toHaveLength(3)
    expect(wrong.status).toBe(400)
  })

  it('answers 404 for an unknown user and collection', async () => {
    const sim = await start({ library: LIBRARY })

    expect((await call(sim, 'GET', '/v2/users/nobody/scores')).status).toBe(404)
    expect((await call(sim, 'GET', '/v2/collections/nothing/scores')).status).toBe(404)
  })
})
