/**
 * The SDK's helpers against the simulator, through Prism as a validating proxy: every request the SDK sends and
 * every response the simulator gives must match the resolved spec.
 */
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import type { OmrJob, ScoreDetails, Task } from '@flat-api/raw'
import { createFlatClient, type FlatClient } from '@flat-api/sdk'
import { type Simulator, startSimulator } from '@flat-api/simulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeProblems, type Exchange, recordingFetch } from '../src/exchanges.js'
import { RESOLVED_SPEC_PATH } from '../src/openapi.js'
import { type PrismProcess, startPrism, VIOLATIONS_PROBLEM } from '../src/prism.js'

const SCORE_XML = readFileSync(resolve(import.meta.dirname, '../../demo/scores/hello-flat.musicxml'), 'utf8')
/** Enough of a PDF for the simulator's OMR: one page object. */
const PDF = { data: new TextEncoder().encode('%PDF-1.7\n1 0 obj << /Type /Page >> endobj\n'), filename: 'contract.pdf' }
/** OMR waits long-poll; a short server wait keeps each poll quick through the proxy. */
const OMR_WAIT = { longPollSeconds: 1 }

interface Context {
  flat: FlatClient
  sim: Simulator
  /** A score imported through the proxy before the helpers run. */
  scoreId: string
  /** A fresh task on the simulator that takes `durationMs` to finish. */
  newTask(durationMs?: number): Task
  /** A fresh OMR job through the SDK: a draft, or started on the PDF with `start`. */
  newJob(start?: boolean, interactiveSteps?: 'details'[]): Promise<OmrJob>
}

type Helper = (...args: unknown[]) => unknown

/** The helper at a dotted path of the client (`tasks.get`, `paginate`), bound to its object, if this build has it. */
function helperOf(flat: FlatClient, name: string): Helper | undefined {
  const keys = name.split('.')
  const last = keys.pop() as string
  let parent: unknown = flat
  for (const key of keys) parent = (parent as Record<string, unknown> | undefined)?.[key]
  const member = (parent as Record<string, unknown> | undefined)?.[last]
  return typeof member === 'function' ? (member as Helper).bind(parent) : undefined
}

async function drain(iterable: unknown): Promise<unknown[]> {
  const items: unknown[] = []
  for await (const item of iterable as AsyncIterable<unknown>) items.push(item)
  return items
}

/**
 * Every SDK helper this suite drives, one line each. A helper missing from this build is skipped; a helper the
 * build has but this table lacks fails the coverage test below.
 */
const HELPERS: Record<string, (call: Helper, ctx: Context) => Promise<void>> = {
  'tasks.get': async (call, { newTask }) => {
    const task = newTask()
    expect(((await call(task.id)) as Task).id).toBe(task.id)
  },
  'tasks.wait': async (call, { newTask }) => expect(((await call(newTask().id)) as Task).state).toBe('done'),
  'tasks.watch': async (call, { newTask }) =>
    expect((await drain(call(newTask().id))).at(-1)).toMatchObject({ state: 'done' }),
  'tasks.resume': async (call, { newTask }) => {
    const checkpoint = {
      kind: 'flat-task-wait',
      version: 1,
      taskId: newTask().id,
      deadlineAt: Date.now() + 20_000,
      attempt: 0,
    }
    expect(((await call(checkpoint)) as Task).state).toBe('done')
  },
  'scores.export': async (call, { scoreId }) => {
    const task = (await call(scoreId, { format: 'mp3' })) as Task
    expect(task.state).toBe('done')
    expect(task.result?.url).toMatch(/\.mp3$/)
  },
  'scores.import': async (call) =>
    expect(((await call({ data: SCORE_XML, title: 'Imported' })) as ScoreDetails).title).toBe('Imported'),
  'scores.download': async (call, { scoreId }) =>
    expect(((await call(scoreId, { format: 'xml' })) as { data: string }).data).toContain('<score-partwise'),
  'scores.exportAndDownload': async (call, { scoreId }) =>
    expect(((await call(scoreId, { format: 'mp3' })) as { bytes: number }).bytes).toBeGreaterThan(0),
  'omr.capabilities': async (call) => expect(await call()).toBeTypeOf('object'),
  'omr.create': async (call) => expect(((await call()) as OmrJob).status).toBe('draft'),
  'omr.addFile': async (call, { newJob }) => expect(await call((await newJob()).id, PDF)).toBeTypeOf('object'),
  'omr.start': async (call, { flat, newJob }) => {
    const draft = await newJob()
    await flat.omr.addFile(draft.id, PDF)
    expect(((await call(draft.id)) as OmrJob).status).not.toBe('draft')
  },
  'omr.get': async (call, { newJob }) => {
    const job = await newJob()
    expect(((await call(job.id)) as OmrJob).id).toBe(job.id)
  },
  'omr.wait': async (call, { newJob }) =>
    expect(((await call((await newJob(true)).id, OMR_WAIT)) as OmrJob).status).toBe('done'),
  'omr.submitStep': async (call, { flat, newJob }) => {
    const job = await newJob(true, ['details'])
    await expect.poll(async () => (await flat.omr.get(job.id)).status, { timeout: 10_000 }).toBe('awaitingInput')
    expect(((await call(job.id, { step: 'details' })) as OmrJob).id).toBe(job.id)
  },
  'omr.cancel': async (call, { newJob }) =>
    expect(((await call((await newJob()).id)) as OmrJob).status).toBe('canceled'),
  'omr.download': async (call, { flat, newJob }) => {
    const job = await flat.omr.wait((await newJob(true)).id, OMR_WAIT)
    expect(((await call(job.id, 'musicxml')) as { data: string }).data).toContain('<score-partwise')
  },
  'omr.run': async (call) => expect(((await call([PDF], OMR_WAIT)) as { job: OmrJob }).job.status).toBe('done'),
  paginate: async (call, { scoreId }) =>
    expect(await drain(call('/users/{user}/scores', { params: { path: { user: 'me' } } }))).toContainEqual(
      expect.objectContaining({ id: scoreId }),
    ),
}

/** Function members the SDK exposes, as dotted names; `raw` is the openapi-fetch client, not a helper. */
function exposedHelpers(flat: FlatClient): string[] {
  const names: string[] = []
  for (const [key, value] of Object.entries(flat)) {
    if (key === 'raw') continue
    if (typeof value === 'function') names.push(key)
    else if (value && typeof value === 'object') {
      for (const [member, inner] of Object.entries(value))
        if (typeof inner === 'function') names.push(`${key}.${member}`)
    }
  }
  return names.sort()
}

describe('SDK helpers through Prism as a validating proxy in front of the simulator', () => {
  const exchanges: Exchange[] = []
  let prism: PrismProcess | undefined
  let sim: Simulator | undefined
  let ctx: Context & { prismUrl: string }
  /** Where Prism's log starts counting: after the deliberate violation above. */
  let logOffset = 0

  beforeAll(async () => {
    sim = await startSimulator({ exportDurationMs: 200, importDurationMs: 200, omr: { plan: { durationMs: 300 } } })
    prism = await startPrism(['proxy', RESOLVED_SPEC_PATH, sim.baseUrl, '--errors'])
    const flat = createFlatClient({
      accessToken: 'contract-token',
      baseUrl: prism.url,
      fetch: recordingFetch(exchanges),
      polling: { initialDelayMs: 20, maxDelayMs: 60, multiplier: 1.5, jitter: 0 },
      requestsPerHour: Number.POSITIVE_INFINITY,
    })
    const { data, response } = await flat.raw.POST('/scores', { body: { data: SCORE_XML, title: 'Contract' } })
    if (!data) throw new Error(`importing the fixture score through Prism failed with ${response.status}`)
    const simulator = sim
    ctx = {
      prismUrl: prism.url,
      flat,
      sim: simulator,
      scoreId: data.id,
      newTask: (durationMs = 150) => simulator.addTask({ durationMs, queuedMs: 20 }),
      newJob: (start = false, interactiveSteps = []) =>
        flat.omr.create(start ? { files: [PDF], autoStart: true, interactiveSteps } : {}),
    }
  })

  afterAll(async () => {
    await prism?.stop()
    await sim?.close()
  })

  it('imports the fixture score with a request and a response that match the spec', () => {
    expect(describeProblems(exchanges)).toEqual([])
    expect(exchanges.map((e) => `${e.method} ${e.url} ${e.status}`)).toEqual(['POST /scores 200'])
  })

  it('answers a request the spec forbids with 422 and its violations, without forwarding it', async () => {
    const forwardedBefore = ctx.sim.requests.length
    const log: Exchange[] = []
    const raw = createFlatClient({
      accessToken: 'contract-token',
      baseUrl: ctx.prismUrl,
      fetch: recordingFetch(log),
    }).raw

    // Deliberately invalid: a score creation needs `data`, `builderData` or `source`.
    const { response } = await raw.POST('/scores', { body: { title: 'no content' } as never })

    expect(response.status).toBe(422)
    expect(log[0]?.violations.map((v) => v.location.join('.'))).toContain('request.body')
    expect(ctx.sim.requests.length).toBe(forwardedBefore)
    // Prism logs the rejection after answering; start the log check once that line is in.
    await expect.poll(() => prism?.violationLines().length, { timeout: 5_000 }).toBeGreaterThan(0)
    logOffset = prism?.output().length ?? 0
  })

  for (const [name, run] of Object.entries(HELPERS)) {
    it(`${name} sends and receives only what the spec allows`, async (test) => {
      const call = helperOf(ctx.flat, name)
      if (!call) test.skip(`this build of @flat-api/sdk has no ${name}`)
      const before = exchanges.length
      const forwardedBefore = ctx.sim.requests.length

      await run(call as Helper, ctx)

      const mine = exchanges.slice(before)
      const proxied = mine.filter((exchange) => exchange.origin === ctx.prismUrl)
      expect(proxied.length).toBeGreaterThan(0)
      expect(describeProblems(mine)).toEqual([])
      // Prism forwarded every API call rather than answering itself; file downloads go to the file host directly.
      const apiRequests = ctx.sim.requests.slice(forwardedBefore).filter((request) => request.url.startsWith('/v2/'))
      expect(apiRequests.length).toBe(proxied.length)
    })
  }

  it('drives every helper the SDK exposes', () => {
    const untested = exposedHelpers(ctx.flat).filter((name) => !(name in HELPERS))
    expect(untested, 'add a line to HELPERS for each').toEqual([])
  })

  it('logs no violation in Prism output over the whole run', () => {
    expect(prism?.violationLines(logOffset)).toEqual([])
  })
})

describe('Prism as a validating proxy, checked against an upstream that breaks the spec', () => {
  it('replaces a response missing a required field with a 500 naming the violation', async () => {
    // A task without `state`, which the spec requires.
    const upstream = createServer((_, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: 'task-1' }))
    })
    upstream.listen(0, '127.0.0.1')
    await once(upstream, 'listening')
    const { port } = upstream.address() as AddressInfo
    const prism = await startPrism(['proxy', RESOLVED_SPEC_PATH, `http://127.0.0.1:${port}/v2`, '--errors'])
    try {
      const log: Exchange[] = []
      const flat = createFlatClient({ accessToken: 'contract-token', baseUrl: prism.url, fetch: recordingFetch(log) })

      await expect(flat.tasks.get('task-1')).rejects.toMatchObject({ status: 500 })

      expect(log[0]?.problemType).toBe(VIOLATIONS_PROBLEM)
      expect(describeProblems(log)).toContainEqual(expect.stringContaining("must have required property 'state'"))
    } finally {
      await prism.stop()
      upstream.close()
    }
  })
})
