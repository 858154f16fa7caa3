import type { OmrJob, OmrPendingStep } from '@flat-api/raw'
import type { Simulator, SimulatorOptions } from '@flat-api/simulator'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createFlatClient,
  type FlatClientOptions,
  FlatOmrJobCanceledError,
  FlatOmrJobFailedError,
  FlatOmrWaitTimeoutError,
  FlatQuotaError,
  FlatWaitTimeoutError,
} from '../src/index.js'
import { FAST_POLLING, recordingFetch, setup, sleepMs } from './helpers.js'

let sim: Simulator | undefined

afterEach(async () => {
  await sim?.close()
  sim = undefined
})

const PDF = { data: new TextEncoder().encode('%PDF-1.7\n1 0 obj << /Type /Page >> endobj\n'), filename: 'Prélude.pdf' }
const PNG = { data: Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff]), mimeType: 'image/png' }

async function start(simulator: SimulatorOptions = {}, options: FlatClientOptions = {}) {
  // No rate-limit headers: the client would otherwise pace its polls to the hourly budget.
  ;({ sim } = await setup({ rateLimit: false, ...simulator }))
  const recorder = recordingFetch()
  const flat = createFlatClient({
    accessToken: 't',
    baseUrl: sim.baseUrl,
    fetch: recorder.fetch,
    polling: FAST_POLLING,
    requestsPerHour: Number.POSITIVE_INFINITY,
    ...options,
  })
  return { sim, flat, sent: recorder.sent }
}

/**
 * The simulator holds a long poll until the job differs from its state when the request arrived, even a finished
 * job; a change landing between two polls then costs the whole wait. Short waits keep these tests quick either way.
 */
const SHORT = { longPollSeconds: 2 } as const

const jobPolls = (s: Simulator) => s.requests.filter((r) => /^\/v2\/omr\/jobs\/[^/]+(\?|$)/.test(r.url))
const bodyOf = (request: { body: Uint8Array } | undefined) => JSON.parse(new TextDecoder().decode(request?.body))

describe('omr.run from files to result', () => {
  it('runs a one-shot job with a long poll and resolves with the created score', async () => {
    const { sim, flat, sent } = await start({ omr: { plan: { durationMs: 600 } } })
    const percents: number[] = []

    const result = await flat.omr.run([PDF], {
      ...SHORT,
      onProgress: (job) => percents.push(job.progress?.percent ?? -1),
    })

    expect(result.job.status).toBe('done')
    expect(result.score).toBe(result.job.result?.score)
    const { data: score } = await flat.raw.GET('/scores/{score}', { params: { path: { score: result.score ?? '' } } })
    expect(score?.title).toBe('Prélude')
    expect(result.file).toBeUndefined()
    const creation = bodyOf(sent.find((r) => r.method === 'POST' && r.url.endsWith('/omr/jobs')))
    expect(creation).toMatchObject({ autoStart: true, interactiveSteps: [] })
    expect(Buffer.from(creation.files[0].file, 'base64').toString('latin1')).toContain('%PDF')
    const polls = jobPolls(sim)
    const waits = polls.map((r) => new URL(r.url, sim.url).searchParams.get('wait'))
    // A first look, then long polls, each sent as soon as the previous one answered.
    expect(waits[0]).toBeNull()
    expect(waits.slice(1).every((wait) => wait === '2')).toBe(true)
    expect(waits.length).toBeGreaterThan(1)
    // Long polls answer on each change; a backoff loop would ask far more often for the same news.
    expect(polls.length).toBeLessThanOrEqual(percents.length + 2)
    expect([...percents].sort((a, b) => a - b)).toEqual(percents)
  })

  it('downloads the musicxml export of a musicxml job, with the file name from Content-Disposition', async () => {
    const { flat } = await start({ omr: { plan: { durationMs: 200, detectedTitle: 'Nocturne für Jördis' } } })

    const result = await flat.omr.run([PDF], { ...SHORT, output: 'musicxml' })

    expect(result.score).toBeUndefined()
    expect(typeof result.file?.data).toBe('string')
    expect(result.file?.data).toContain('<score-partwise')
    expect(result.file?.filename).toMatch(/^Nocturne für Jördis\.(musicxml|xml)$/)
  })

  it('downloads a binary export byte for byte', async () => {
    const { flat } = await start({ omr: { plan: { durationMs: 200 } } })

    const result = await flat.omr.run([PDF], { ...SHORT, exportFormat: 'midi' })

    const bytes = result.file?.data as Uint8Array
    expect(Buffer.from(bytes.subarray(0, 4)).toString('latin1')).toBe('MThd')
    const again = await flat.omr.download(result.job.id, 'midi')
    expect(Buffer.from(again.data).equals(Buffer.from(bytes))).toBe(true)
  })

  it('answers the details step through onStep, and the score takes the overrides', async () => {
    const { flat, sent } = await start({ omr: { plan: { durationMs: 400, pauseAt: 0.5 } } })
    const steps: OmrPendingStep[] = []

    const result = await flat.omr.run([PDF], {
      ...SHORT,
      onStep(step) {
        steps.push(step)
        return { step: 'details', title: 'Retitled', instruments: [{ index: 0, partName: 'Flûte' }] }
      },
    })

    expect(steps).toHaveLength(1)
    expect(steps[0]?.data.instruments[0]?.instrumentId).toBe('keyboard.piano')
    expect(bodyOf(sent.find((r) => r.url.endsWith('/omr/jobs'))).interactiveSteps).toEqual(['details'])
    expect(bodyOf(sent.find((r) => r.url.includes('/steps/details')))).toMatchObject({ title: 'Retitled' })
    const { data: score } = await flat.raw.GET('/scores/{score}', { params: { path: { score: result.score ?? '' } } })
    expect(score?.title).toBe('Retitled')
  })

  it('lets the server resolve steps when no onStep is given: nothing pauses, nothing is submitted', async () => {
    const { sim, flat } = await start({ omr: { plan: { durationMs: 300, pauseAt: 0.5 } } })
    const statuses = new Set<string>()

    await flat.omr.run([PDF], { ...SHORT, onProgress: (job) => statuses.add(job.status) })

    expect(statuses.has('awaitingInput')).toBe(false)
    expect(sim.requests.some((r) => r.url.includes('/steps/'))).toBe(false)
  })

  it('builds a draft, adds each file and starts it when autoStart is false', async () => {
    const { sim, flat } = await start({ omr: { plan: { durationMs: 200 } } })

    const result = await flat.omr.run([PNG, PNG], { ...SHORT, autoStart: false })

    expect(result.job.originalFileMetadata?.fileCount).toBe(2)
    expect(
      sim.requests.slice(0, 4).map((r) => `${r.method} ${r.url.replace(/[0-9a-f]{24}/, ':id')} ${r.status}`),
    ).toEqual([
      'POST /v2/omr/jobs 201',
      'POST /v2/omr/jobs/:id/files 200',
      'POST /v2/omr/jobs/:id/files 200',
      'POST /v2/omr/jobs/:id/start 202',
    ])
  })

  it('rejects a failed job with FlatOmrJobFailedError, its code and the message in the asked locale', async () => {
    const { flat, sent } = await start({ omr: { plan: { durationMs: 200, fail: { errorCode: 'NO_MUSIC_DETECTED' } } } })

    const error = (await flat.omr
      .run([PDF], { ...SHORT, locale: 'fr' })
      .catch((e: unknown) => e)) as FlatOmrJobFailedError

    expect(error).toBeInstanceOf(FlatOmrJobFailedError)
    expect(error.errorCode).toBe('NO_MUSIC_DETECTED')
    expect(error.errorMessage).toBe('Nous n’avons trouvé aucune notation musicale dans ce fichier.')
    expect(error.job.status).toBe('error')
    expect(error.message).toContain('NO_MUSIC_DETECTED')
    expect(sent.every((r) => r.headers.get('x-flat-locale') === 'fr')).toBe(true)
  })

  it('sends the client-wide locale on every request, and a per-call locale over it', async () => {
    const { flat, sent } = await start({}, { locale: 'fr' })

    await flat.omr.capabilities()
    await flat.omr.capabilities({ locale: 'en-GB' })

    expect(sent.map((r) => r.headers.get('x-flat-locale'))).toEqual(['fr', 'en-GB'])
  })

  it('rejects with FlatOmrJobCanceledError when the job is canceled meanwhile', async () => {
    const { flat } = await start({ omr: { plan: { durationMs: 5000 } } })
    const created = await flat.omr.create({ files: [PDF], autoStart: true })

    const waiting = flat.omr.wait(created.id, SHORT).catch((e: unknown) => e)
    await sleepMs(100)
    const canceled = await flat.omr.cancel(created.id)

    expect(canceled.status).toBe('canceled')
    const error = await waiting
    expect(error).toBeInstanceOf(FlatOmrJobCanceledError)
    expect((error as FlatOmrJobCanceledError).job.id).toBe(created.id)
  })

  it('submits the detected values when a job pauses and wait has no onStep', async () => {
    const { flat, sent } = await start({ omr: { plan: { durationMs: 300, pauseAt: 0.3 } } })
    const created = await flat.omr.create({ files: [PDF], autoStart: true, interactiveSteps: ['details'] })

    const job = await flat.omr.wait(created.id, SHORT)

    expect(job.status).toBe('done')
    expect(bodyOf(sent.find((r) => r.url.includes('/steps/details')))).toEqual({ step: 'details' })
  })

  it('times out with FlatOmrWaitTimeoutError holding the last job', async () => {
    const { flat } = await start({ omr: { plan: { durationMs: 60_000 } } })
    const created = await flat.omr.create({ files: [PDF], autoStart: true })

    const error = (await flat.omr
      .wait(created.id, { timeoutMs: 300 })
      .catch((e: unknown) => e)) as FlatOmrWaitTimeoutError

    expect(error).toBeInstanceOf(FlatOmrWaitTimeoutError)
    expect(error).toBeInstanceOf(FlatWaitTimeoutError)
    expect(error.lastJob?.status).toBe('processing')
    expect(error.message).toContain(`OMR job ${created.id}`)
  })

  it('long-polls with the largest wait the API allows by default', async () => {
    const { sim, flat } = await start({ omr: { plan: { durationMs: 60_000 } } })
    const created = await flat.omr.create({ files: [PDF], autoStart: true })
    const controller = new AbortController()

    const waiting = flat.omr.wait(created.id, { signal: controller.signal }).catch((e: unknown) => e)
    await sleepMs(150)
    controller.abort(new Error('enough'))
    await waiting

    const waits = jobPolls(sim).map((r) => new URL(r.url, sim.url).searchParams.get('wait'))
    expect(waits).toContain('25')
  })

  it('gives a long poll a request timeout above its server wait', async () => {
    // Changes every 1.5 s; the client's own timeout is 200 ms, far below the 2 s server wait asked for.
    const { flat: setupClient } = await start({ omr: { plan: { durationMs: 30_000 } } })
    const created = await setupClient.omr.create({ files: [PDF], autoStart: true })
    // Only the wait runs on the short timeout: a create on a busy machine may take longer than 200 ms.
    const flat = createFlatClient({
      accessToken: 't',
      baseUrl: (sim as Simulator).baseUrl,
      polling: FAST_POLLING,
      requestsPerHour: Number.POSITIVE_INFINITY,
      timeoutMs: 200,
      retry: false,
    })
    const seen: OmrJob[] = []

    const error = await flat.omr
      .wait(created.id, { timeoutMs: 3500, longPollSeconds: 2, onProgress: (job) => seen.push(job) })
      .catch((e: unknown) => e)

    expect(error).toBeInstanceOf(FlatOmrWaitTimeoutError)
    expect((error as FlatOmrWaitTimeoutError).cause).toBeUndefined()
    expect(seen.length).toBeGreaterThanOrEqual(2)
  })

  it('reports insufficient credits as FlatQuotaError', async () => {
    const { flat } = await start({ omr: { credits: 0 } })

    await expect(flat.omr.run([PDF])).rejects.toBeInstanceOf(FlatQuotaError)
  })

  it('rejects at once with the signal reason and leaves no long poll open', async () => {
    const { sim, flat } = await start({ omr: { plan: { durationMs: 60_000 } } })
    const controller = new AbortController()
    const reason = new Error('closed the tab')

    const running = flat.omr.run([PDF], { signal: controller.signal }).catch((e: unknown) => e)
    await sleepMs(150)
    controller.abort(reason)

    expect(await running).toBe(reason)
    await sleepMs(50)
    expect(sim.omr.pendingWaits).toBe(0)
    const count = sim.requests.length
    await sleepMs(200)
    expect(sim.requests.length).toBe(count)
  })

  it.each([
    ['files not an array', () => ({ files: PDF, options: {} }), TypeError, 'files'],
    ['no files', () => ({ files: [], options: {} }), TypeError, 'files'],
    ['a file without bytes', () => ({ files: [{ data: 'abc' }], options: {} }), TypeError, 'files[0].data'],
    [
      'a long poll past 25 s',
      () => ({ files: [PDF], options: { longPollSeconds: 30 } }),
      RangeError,
      'longPollSeconds',
    ],
    ['an unknown export', () => ({ files: [PDF], options: { exportFormat: 'pdf' } }), RangeError, 'exportFormat'],
    ['an unknown output', () => ({ files: [PDF], options: { output: 'cloud' } }), RangeError, 'output'],
    ['a bad locale', () => ({ files: [PDF], options: { locale: 'fr FR' } }), TypeError, 'locale'],
    ['a non-function onStep', () => ({ files: [PDF], options: { onStep: 'yes' } }), TypeError, 'onStep'],
  ])('refuses %s before any request', async (_label, make, ErrorClass, name) => {
    const { sim, flat } = await start()
    const { files, options } = make()

    const error = await flat.omr.run(files as never, options as never).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(ErrorClass)
    expect(String(error)).toContain(name)
    expect(sim.requests).toHaveLength(0)
  })

  it('refuses a dot-segment job id before any request', async () => {
    const { sim, flat } = await start()

    await expect(flat.omr.wait('..')).rejects.toThrow(TypeError)
    await expect(flat.omr.cancel('')).rejects.toThrow(TypeError)
    expect(sim.requests).toHaveLength(0)
  })
})
