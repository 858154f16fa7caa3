import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Simulator } from '@flat-api/simulator'
import { afterEach, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import {
  createFlatClient,
  FlatValidationError,
  PAGE_SIZE_LIMITS,
  PAGINATED_PATHS,
  type PaginatedPath,
} from '../src/index.js'
import { type Stub, setup, startStub } from './helpers.js'

let sim: Simulator | undefined
let stub: Stub | undefined

afterEach(async () => {
  await sim?.close()
  await stub?.close()
  sim = undefined
  stub = undefined
})

const listRequests = (s: Simulator, path: string) => s.requests.filter((r) => r.url.startsWith(path))

describe('flat.paginate over the simulator', () => {
  it('walks every page of a library by Link rel="next", honouring the page size', async () => {
    ;({ sim } = await setup({ library: { scores: 23 } }))
    const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl })

    const titles: string[] = []
    for await (const score of flat.paginate('/users/{user}/scores', {
      params: { path: { user: 'me' }, query: { limit: 10 } },
    })) {
      titles.push(score.title)
    }

    expect(titles).toHaveLength(23)
    expect(new Set(titles).size).toBe(23)
    const requests = listRequests(sim, '/v2/users/me/scores')
    expect(requests).toHaveLength(3)
    expect(requests.every((r) => r.status === 200)).toBe(true)
    // The list ignores page parameters without paginate=true, so the helper sends it.
    expect(new URL(requests[0]?.url ?? '', sim.url).searchParams.get('paginate')).toBe('true')
  })

  it('sends each cursor exactly as the Link gave it, though it holds +, / and =', async () => {
    ;({ sim } = await setup({ library: { collections: 7 } }))
    const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl })

    const pages = []
    for await (const page of flat.paginate('/collections', { params: { query: { limit: 2 } } }).pages()) {
      pages.push(page)
    }

    const cursors = pages.flatMap((page) => (page.next ? [page.next] : []))
    expect(cursors.length).toBeGreaterThanOrEqual(3)
    expect(cursors.every((cursor) => /[+/]/.test(cursor) && cursor.endsWith('='))).toBe(true)
    const sent = listRequests(sim, '/v2/collections?').slice(1)
    expect(sent.map((r) => new URL(r.url, sim?.url).searchParams.get('next'))).toEqual(cursors)
    // A cursor sent unencoded, or decoded twice, would have been refused with 400.
    expect(sent.every((r) => r.status === 200)).toBe(true)
  })

  it('passes array filters as repeated parameters: role a and b become ?role=a&role=b', async () => {
    ;({ sim } = await setup({ library: { organizationUsers: 30 } }))
    const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl })

    const users = await flat
      .paginate('/organizations/users', { params: { query: { role: ['teacher', 'admin'], limit: 50 } } })
      .toArray()

    const url = new URL(listRequests(sim, '/v2/organizations/users')[0]?.url ?? '', sim.url)
    expect(url.searchParams.getAll('role')).toEqual(['teacher', 'admin'])
    expect(url.search).toContain('role=teacher&role=admin')
    expect(users.every((user) => user.organizationRole === 'teacher' || user.organizationRole === 'admin')).toBe(true)
  })

  it('stops at maxItems, cutting the last page, and sends no request beyond it', async () => {
    ;({ sim } = await setup({ library: { scores: 30 } }))
    const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl })

    const scores = await flat
      .paginate('/users/{user}/scores', { params: { path: { user: 'me' }, query: { limit: 10 } }, maxItems: 15 })
      .toArray()

    expect(scores).toHaveLength(15)
    expect(listRequests(sim, '/v2/users/me/scores')).toHaveLength(2)
  })

  it('stops at maxPages', async () => {
    ;({ sim } = await setup({ library: { scores: 30 } }))
    const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl })

    const scores = await flat
      .paginate('/users/{user}/scores', { params: { path: { user: 'me' }, query: { limit: 4 } }, maxPages: 2 })
      .toArray()

    expect(scores).toHaveLength(8)
  })

  it('stops requesting when the loop breaks early', async () => {
    ;({ sim } = await setup({ library: { scores: 30 } }))
    const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl })

    let seen = 0
    for await (const _score of flat.paginate('/users/{user}/scores', {
      params: { path: { user: 'me' }, query: { limit: 5 } },
    })) {
      seen += 1
      if (seen === 3) break
    }

    expect(listRequests(sim, '/v2/users/me/scores')).toHaveLength(1)
  })

  it('resumes from a saved cursor', async () => {
    ;({ sim } = await setup({ library: { scores: 12 } }))
    const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl })
    const list = flat.paginate('/users/{user}/scores', { params: { path: { user: 'me' }, query: { limit: 5 } } })
    const first = (await list.pages().next()).value
    if (!first?.next) throw new Error('expected a second page')

    const rest = await flat
      .paginate('/users/{user}/scores', { params: { path: { user: 'me' }, query: { limit: 5, next: first.next } } })
      .toArray()

    expect(rest).toHaveLength(7)
    expect(rest.map((s) => s.id)).not.toContain(first.items[0]?.id)
  })

  it('rejects with the typed error of a failing page', async () => {
    ;({ sim } = await setup())
    const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl })

    const error = await flat
      .paginate('/users/{user}/scores', { params: { path: { user: 'me' }, query: { next: 'not-a-cursor' } } })
      .toArray()
      .catch((e: unknown) => e)

    expect(error).toBeInstanceOf(FlatValidationError)
    expect((error as FlatValidationError).path).toBe('/users/{user}/scores')
  })

  it('aborts with the signal reason', async () => {
    ;({ sim } = await setup({ library: { scores: 30 } }))
    const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl })
    const controller = new AbortController()
    const reason = new Error('stop')

    const collected: unknown[] = []
    const error = await (async () => {
      for await (const score of flat.paginate('/users/{user}/scores', {
        params: { path: { user: 'me' }, query: { limit: 5 } },
        signal: controller.signal,
      })) {
        collected.push(score)
        if (collected.length === 5) controller.abort(reason)
      }
    })().catch((e: unknown) => e)

    expect(error).toBe(reason)
    expect(collected).toHaveLength(5)
  })

  it.each([
    ['/scores/{score}/comments', {}, TypeError, 'path'],
    ['/collections', { params: { query: { limit: 0 } } }, RangeError, 'params.query.limit'],
    ['/users/{user}/scores', { params: { path: { user: 'me' }, query: { limit: 101 } } }, RangeError, 'from 1 to 100'],
    ['/collections', { params: { query: { limit: 2.5 } } }, RangeError, 'params.query.limit'],
    ['/collections', { maxItems: -1 }, RangeError, 'maxItems'],
    ['/collections', { params: { query: { previous: 'x' } } }, TypeError, 'previous'],
    ['/collections', { signal: 'nope' }, TypeError, 'signal'],
  ])('refuses %s with %j as a %o naming the argument, before any request', async (path, init, ErrorClass, name) => {
    ;({ sim } = await setup())
    const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl })
    const call = () => flat.paginate(path as PaginatedPath, init as never)

    expect(call).toThrow(ErrorClass)
    expect(call).toThrow(name)
    expect(sim.requests).toHaveLength(0)
  })

  it('types items by path and accepts only cursor-paginated lists (checked by tsc)', () => {
    const flat = createFlatClient({ accessToken: 't', baseUrl: 'http://127.0.0.1:1/v2' })
    const jobs = flat.paginate('/omr/jobs', { params: { query: { status: 'done' } } })
    const typed = async () => {
      for await (const job of jobs) {
        const status: 'draft' | 'processing' | 'awaitingInput' | 'done' | 'error' | 'canceled' = job.status
        void status
      }
    }
    void typed
    // @ts-expect-error: not a cursor-paginated list
    expect(() => flat.paginate('/scores/{score}/comments')).toThrow(TypeError)
    // @ts-expect-error: the user path parameter is required
    expect(() => flat.paginate('/users/{user}/scores')).toThrow(TypeError)
  })

  it('bounds each page size as the resolved spec does', () => {
    type Param = { $ref?: string; name?: string; schema?: { maximum?: number } }
    const spec = parse(
      readFileSync(fileURLToPath(new URL('../../../openapi/flat-api.yaml', import.meta.url)), 'utf8'),
    ) as {
      paths: Record<string, { parameters?: Param[]; get: { parameters?: Param[] } }>
      components: { parameters: Record<string, Param> }
    }
    const maxima = Object.fromEntries(
      PAGINATED_PATHS.map((path) => {
        const item = spec.paths[path]
        const params = [...(item?.parameters ?? []), ...(item?.get.parameters ?? [])].map((param) =>
          param.$ref ? spec.components.parameters[param.$ref.split('/').at(-1) as string] : param,
        )
        return [path, params.find((param) => param?.name === 'limit')?.schema?.maximum]
      }),
    )
    expect(PAGE_SIZE_LIMITS).toEqual(maxima)
  })

  it('accepts exactly the eight cursor-paginated lists', () => {
    expect([...PAGINATED_PATHS].sort()).toEqual(
      [
        '/collections',
        '/collections/{collection}/scores',
        '/eduResources',
        '/omr/jobs',
        '/organizations/invitations',
        '/organizations/users',
        '/users/{user}/likes',
        '/users/{user}/scores',
      ].sort(),
    )
  })
})

describe('flat.paginate against hand-written Link headers', () => {
  const respond = (links: (index: number) => string | undefined) =>
    startStub((_request, res, index) => {
      const link = links(index)
      res.writeHead(200, { 'Content-Type': 'application/json', ...(link ? { Link: link } : {}) })
      res.end(JSON.stringify([{ id: `c${index}`, title: `Collection ${index}` }]))
    })

  it('finds rel="next" among several links, with commas inside <...> and a multi-valued rel', async () => {
    stub = await respond((index) =>
      index === 0
        ? `<${'http://127.0.0.1/v2/collections?previous=zz'}>; rel="previous first", ` +
          `</v2/collections?filter=a,b&next=p%2B1%2F%3D%25>; rel="last next"; title="a, b"`
        : undefined,
    )
    const flat = createFlatClient({ accessToken: 't', baseUrl: stub.baseUrl })

    const items = await flat.paginate('/collections').toArray()

    expect(items.map((item) => item.id)).toEqual(['c0', 'c1'])
    const second = new URL(stub.requests[1]?.url ?? '', stub.url)
    // Decoded once from the Link, encoded once on the way out: the server gets the cursor it minted.
    expect(second.searchParams.get('next')).toBe('p+1/=%')
    expect(stub.requests[1]?.url).toContain('next=p%2B1%2F%3D%25')
    expect(second.searchParams.get('filter')).toBeNull()
  })

  it('stops instead of looping when the server repeats a cursor', async () => {
    stub = await respond(() => '</v2/collections?next=same>; rel="next"')
    const warnings: string[] = []
    const flat = createFlatClient({
      accessToken: 't',
      baseUrl: stub.baseUrl,
      logger: { warn: (message) => warnings.push(message) },
    })

    const items = await flat.paginate('/collections').toArray()

    expect(items).toHaveLength(2)
    expect(stub.requests).toHaveLength(2)
    expect(warnings).toEqual(['/collections repeated a cursor; stopping to avoid a loop'])
  })

  it('ends on a page without a next link', async () => {
    stub = await respond(() => '</v2/collections?previous=abc>; rel="previous"')
    const flat = createFlatClient({ accessToken: 't', baseUrl: stub.baseUrl })

    const pages = []
    for await (const page of flat.paginate('/collections').pages()) pages.push(page)

    expect(pages).toHaveLength(1)
    expect(pages[0]?.previous).toBe('abc')
    expect(pages[0]?.next).toBeUndefined()
  })
})
