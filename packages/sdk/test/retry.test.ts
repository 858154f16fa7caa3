import type { Simulator } from '@flat-api/simulator'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createApiError,
  createFlatClient,
  FlatAuthenticationError,
  FlatAuthorizationError,
  type FlatClientOptions,
  FlatConnectionError,
  FlatNotFoundError,
  FlatRateLimitError,
  FlatServerError,
} from '../src/index.js'
import { fastClock, importScore, recordingFetch, type Stub, setup, sleepMs, startStub } from './helpers.js'

let sim: Simulator | undefined
let stub: Stub | undefined

afterEach(async () => {
  await sim?.close()
  await stub?.close()
  sim = undefined
  stub = undefined
})

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => ({ status, body, headers })
type Answer = ReturnType<typeof json> | 'reset'

/** A stub that plays `answers` in order (the last one repeats). */
async function scripted(answers: Answer[]): Promise<Stub> {
  return startStub((_request, res, index) => {
    const answer = answers[Math.min(index, answers.length - 1)] as Answer
    if (answer === 'reset') {
      res.socket?.destroy()
      return
    }
    const text = answer.body === undefined ? '' : JSON.stringify(answer.body)
    res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers })
    res.end(text)
  })
}

const rateLimited = (resetHeader?: string) =>
  json(
    403,
    { code: 'API_RATE_LIMIT_EXCEEDED', message: 'API rate limit exceeded' },
    resetHeader === undefined ? {} : { 'X-RateLimit-Reset': resetHeader, 'X-RateLimit-Remaining': '-1' },
  )
const task = json(200, { id: 't1', state: 'done' })

function stubClient(target: Stub, options: FlatClientOptions = {}) {
  return createFlatClient({ accessToken: 'secret-token', baseUrl: target.baseUrl, timeoutMs: Infinity, ...options })
}

describe('retries against the simulator', () => {
  it('waits once for the rate-limit reset (~2 s away) and re-sends the same PUT with its body intact', async () => {
    ;({ sim } = await setup({ rateLimit: { limit: 2, windowMs: 2000 } }))
    const recorder = recordingFetch()
    const flat = createFlatClient({ accessToken: 'writer', baseUrl: sim.baseUrl, fetch: recorder.fetch })
    const score = await importScore(flat)
    await flat.raw.GET('/scores/{score}', { params: { path: { score } } })

    const startedAt = Date.now()
    const { data, response } = await flat.raw.PUT('/scores/{score}', {
      params: { path: { score } },
      body: { title: 'Réécrit ♪ après la limite' },
    })
    const waitedMs = Date.now() - startedAt

    expect(response.status).toBe(200)
    expect(data?.title).toBe('Réécrit ♪ après la limite')
    const puts = sim.requests.filter((r) => r.method === 'PUT')
    expect(puts.map((r) => r.status)).toEqual([403, 200])
    expect(waitedMs).toBeGreaterThan(1500)
    expect(waitedMs).toBeLessThan(4000)
    const sentPuts = recorder.sent.filter((r) => r.method === 'PUT')
    expect(sentPuts).toHaveLength(2)
    expect(new TextDecoder().decode(sentPuts[1]?.body)).toBe(new TextDecoder().decode(sentPuts[0]?.body))
    expect(JSON.parse(new TextDecoder().decode(sentPuts[1]?.body))).toEqual({ title: 'Réécrit ♪ après la limite' })
  })

  it('fails a plain 403 at once as FlatAuthorizationError, without a retry', async () => {
    ;({ sim } = await setup())
    const flat = createFlatClient({ accessToken: 'owner', baseUrl: sim.baseUrl })
    const score = await importScore(flat)
    const { data: collaborators } = await flat.raw.GET('/scores/{score}/collaborators', {
      params: { path: { score } },
    })
    const owner = collaborators?.find((c) => c.aclAdmin)?.id as string
    const before = sim.requests.length

    const { error, response } = await flat.raw.DELETE('/scores/{score}/collaborators/{collaborator}', {
      params: { path: { score, collaborator: owner } },
    })

    expect(response.status).toBe(403)
    expect(error).toMatchObject({ code: 'FORBIDDEN' })
    expect(sim.requests.length - before).toBe(1)
    const typed = createApiError(
      { method: 'DELETE', path: '/scores/{score}/collaborators/{collaborator}' },
      response,
      error,
    )
    expect(typed).toBeInstanceOf(FlatAuthorizationError)
    expect(typed).not.toBeInstanceOf(FlatRateLimitError)
  })

  it('never retries a POST, even after a 5xx', async () => {
    ;({ sim } = await setup({ faults: { rate: 1, kinds: { serverError: 1 }, paths: /^\/v2\/scores$/ } }))
    const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl })

    const error = await flat.scores
      .import({ data: '<score-partwise/>', filename: 'a.musicxml' })
      .catch((e: unknown) => e)

    expect(error).toBeInstanceOf(FlatServerError)
    expect(sim.requests.filter((r) => r.url === '/v2/scores')).toHaveLength(1)
  })

  it('does not retry 401 or 404 responses', async () => {
    ;({ sim } = await setup({ tokens: ['good'] }))
    const bad = createFlatClient({ accessToken: 'bad', baseUrl: sim.baseUrl })
    const good = createFlatClient({ accessToken: 'good', baseUrl: sim.baseUrl })

    await expect(bad.tasks.get('0123456789abcdef01234567')).rejects.toBeInstanceOf(FlatAuthenticationError)
    await expect(good.tasks.get('0123456789abcdef01234567')).rejects.toBeInstanceOf(FlatNotFoundError)
    expect(sim.requests).toHaveLength(2)
  })
})

describe('retry decisions, against a scripted server', () => {
  it('retries a GET after 503s with full-jitter exponential backoff, then returns the success', async () => {
    stub = await scripted([json(503, { code: 'UNAVAILABLE', message: 'busy' }), json(502, {}), task])
    const clock = fastClock()
    const flat = stubClient(stub, { clock, random: () => 0.5, retry: { initialDelayMs: 400, maxDelayMs: 10_000 } })

    const result = await flat.tasks.get('t1')

    expect(result.state).toBe('done')
    expect(stub.requests).toHaveLength(3)
    // random 0.5 of min(10000, 400 * 2^attempt)
    expect(clock.delays).toEqual([200, 400])
  })

  it('gives up after `limit` retries with the last typed error', async () => {
    stub = await scripted([json(503, { code: 'UNAVAILABLE', message: 'busy' })])
    const flat = stubClient(stub, { clock: fastClock(), retry: { limit: 2 } })

    await expect(flat.tasks.get('t1')).rejects.toBeInstanceOf(FlatServerError)
    expect(stub.requests).toHaveLength(3)
  })

  it('sends once with retry: false', async () => {
    stub = await scripted([json(503, {})])
    const flat = stubClient(stub, { retry: false })

    await expect(flat.tasks.get('t1')).rejects.toBeInstanceOf(FlatServerError)
    expect(stub.requests).toHaveLength(1)
  })

  it('retries a connection reset on a GET and reports what it did through the logger', async () => {
    stub = await scripted(['reset', task])
    const logged: { message: string; details?: Record<string, unknown> }[] = []
    const flat = stubClient(stub, {
      clock: fastClock(),
      logger: { debug: (message, details) => logged.push({ message, ...(details ? { details } : {}) }) },
    })

    await expect(flat.tasks.get('t1')).resolves.toMatchObject({ state: 'done' })
    expect(stub.requests).toHaveLength(2)
    expect(logged).toEqual([
      { message: 'retrying GET /tasks/{task}', details: expect.objectContaining({ reason: 'network', attempt: 1 }) },
    ])
    expect(JSON.stringify(logged)).not.toContain('secret-token')
  })

  it('surfaces a connection failure that persists as FlatConnectionError naming the operation', async () => {
    stub = await scripted(['reset'])
    const flat = stubClient(stub, { clock: fastClock(), retry: { limit: 1 } })

    const error = await flat.tasks.get('t1').catch((e: unknown) => e)

    expect(error).toBeInstanceOf(FlatConnectionError)
    expect(String(error)).toContain('GET /tasks/{task}')
    expect(stub.requests).toHaveLength(2)
  })

  it.each([
    ['missing', undefined],
    ['in the past', String(Math.floor(Date.now() / 1000) - 60)],
    ['unparseable', 'soon'],
  ])('backs off, never below initialDelayMs, when the rate-limit reset is %s', async (_label, reset) => {
    stub = await scripted([rateLimited(reset), rateLimited(reset), task])
    const clock = fastClock(20)
    const flat = stubClient(stub, { clock, random: () => 0, retry: { initialDelayMs: 300 } })

    await expect(flat.tasks.get('t1')).resolves.toMatchObject({ state: 'done' })
    expect(stub.requests).toHaveLength(3)
    expect(clock.delays).toEqual([300, 300])
  })

  it('waits for the reset the server names, plus a small margin', async () => {
    const resetSec = Math.floor(Date.now() / 1000) + 5
    stub = await scripted([rateLimited(String(resetSec)), task])
    const clock = fastClock(1000)
    const flat = stubClient(stub, { clock })

    await flat.tasks.get('t1')

    expect(clock.delays).toHaveLength(1)
    const expectedMs = resetSec * 1000 - Date.now()
    expect(clock.delays[0]).toBeGreaterThan(expectedMs - 500)
    expect(clock.delays[0]).toBeLessThan(expectedMs + 1000)
  })

  it('fails at once with FlatRateLimitError when the reset is further than maxRateLimitWaitMs', async () => {
    const resetSec = Math.floor(Date.now() / 1000) + 3600
    stub = await scripted([rateLimited(String(resetSec))])
    const flat = stubClient(stub, { retry: { maxRateLimitWaitMs: 60_000 } })

    const error = await flat.tasks.get('t1').catch((e: unknown) => e)

    expect(error).toBeInstanceOf(FlatRateLimitError)
    expect((error as FlatRateLimitError).resetAt?.getTime()).toBe(resetSec * 1000)
    expect((error as FlatRateLimitError).remaining).toBe(-1)
    expect(stub.requests).toHaveLength(1)
  })

  it('honours Retry-After on a 503 when the server gives one', async () => {
    stub = await scripted([json(503, {}, { 'Retry-After': '3' }), task])
    const clock = fastClock(1000)
    const flat = stubClient(stub, { clock })

    await flat.tasks.get('t1')

    expect(clock.delays).toEqual([3000])
  })

  it('rejects at once with the signal reason when aborted during a retry wait, and sends nothing more', async () => {
    const resetSec = Math.floor(Date.now() / 1000) + 30
    stub = await scripted([rateLimited(String(resetSec)), task])
    const flat = stubClient(stub)
    const controller = new AbortController()
    const reason = new Error('user left')

    const pending = flat.tasks.get('t1', { signal: controller.signal })
    await sleepMs(100)
    const abortedAt = Date.now()
    controller.abort(reason)
    const error = await pending.catch((e: unknown) => e)

    expect(error).toBe(reason)
    expect(Date.now() - abortedAt).toBeLessThan(100)
    await sleepMs(100)
    expect(stub.requests).toHaveLength(1)
  })

  it('re-sends a PUT body byte for byte on every attempt', async () => {
    stub = await scripted([json(500, {}), json(500, {}), json(200, { id: 's' })])
    const flat = stubClient(stub, { clock: fastClock() })
    const title = `binary-ish ${String.fromCharCode(0xe9, 0x20ac, 0x1f3b5)} ${'x'.repeat(5000)}`

    await flat.raw.PUT('/scores/{score}', { params: { path: { score: 's' } }, body: { title } })

    expect(stub.requests).toHaveLength(3)
    const bodies = stub.requests.map((r) => r.body.toString('utf8'))
    expect(new Set(bodies).size).toBe(1)
    expect(JSON.parse(bodies[0] as string)).toEqual({ title })
  })

  it('retries a JSON body cut short by the connection', async () => {
    let calls = 0
    stub = await startStub((_request, res) => {
      calls += 1
      const body = JSON.stringify({ id: 't1', state: 'done' })
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length })
      if (calls === 1) {
        res.write(body.slice(0, 5), () => res.socket?.destroy())
        return
      }
      res.end(body)
    })
    const flat = stubClient(stub, { clock: fastClock() })

    await expect(flat.tasks.get('t1')).resolves.toMatchObject({ state: 'done' })
    expect(calls).toBe(2)
  })

  it.each([
    [{ limit: -1 }, RangeError, 'retry.limit'],
    [{ limit: 1.5 }, RangeError, 'retry.limit'],
    [{ initialDelayMs: 'fast' }, TypeError, 'retry.initialDelayMs'],
    [{ maxDelayMs: 10, initialDelayMs: 100 }, RangeError, 'retry.maxDelayMs'],
    [{ maxRateLimitWaitMs: Number.NaN }, RangeError, 'retry.maxRateLimitWaitMs'],
    ['often', TypeError, 'retry'],
  ])('refuses retry option %j with a %o naming it, before any request', async (retry, ErrorClass, name) => {
    stub = await scripted([task])
    const create = () => stubClient(stub as Stub, { retry: retry as FlatClientOptions['retry'] })

    expect(create).toThrow(ErrorClass)
    expect(create).toThrow(name)
    expect(stub.requests).toHaveLength(0)
  })
})

describe('polls bypass the client retries', () => {
  it('sends a task poll once per attempt: the poll loop, not the transport, retries a 503', async () => {
    stub = await scripted([json(503, {}), json(503, {}), task])
    const clock = fastClock(50)
    const flat = stubClient(stub, {
      clock,
      random: () => 0.5,
      retry: { initialDelayMs: 1000, maxDelayMs: 1000 },
      polling: { initialDelayMs: 200, maxDelayMs: 200, jitter: 0 },
      requestsPerHour: Number.POSITIVE_INFINITY,
    })

    await expect(flat.tasks.wait('t1')).resolves.toMatchObject({ state: 'done' })

    expect(stub.requests).toHaveLength(3)
    // Each pause is the poll loop's (200 ms), never the transport's backoff (random 0.5 of 1000 ms).
    expect(clock.delays.filter((ms) => ms === 500)).toEqual([])
  })
})
