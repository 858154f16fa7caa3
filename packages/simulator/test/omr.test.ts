import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import type { OmrJob, ScoreDetails } from '@flat-api/raw'
import { afterEach, describe, expect, it } from 'vitest'
import { parseMusicXml } from '../src/index.js'
import type { OmrJobPlan } from '../src/omr.js'
import { extendedFilename, readMidi } from './formats.js'
import { call, closeAll, manualClock, PDF_BYTES, start } from './helpers.js'

afterEach(closeAll)

const PDF_FILE = { file: PDF_BYTES.toString('base64'), filename: 'Sonate für Klavier.pdf' }

async function create(sim: Awaited<ReturnType<typeof start>>, json: object, headers?: Record<string, string>) {
  const result = await call(sim, 'POST', '/v2/omr/jobs', { json, ...(headers ? { headers } : {}) })
  return { ...result, job: result.body as OmrJob }
}

async function poll(sim: Awaited<ReturnType<typeof start>>, id: string, query = '', headers?: Record<string, string>) {
  const result = await call(sim, 'GET', `/v2/omr/jobs/${id}${query}`, headers ? { headers } : {})
  return result.body as OmrJob
}

describe('OMR capabilities', () => {
  it('advertises the details step, the four export formats and the credits left', async () => {
    const sim = await start({ omr: { credits: 42, costPerPage: 2 } })

    const { status, body } = await call(sim, 'GET', '/v2/omr/capabilities')

    expect(status).toBe(200)
    expect(body).toMatchObject({
      steps: ['details'],
      formats: ['musicxml', 'mxl', 'midi', 'thumbnail.png'],
      outputs: ['library', 'musicxml'],
      costPerPage: 2,
      remainingCredits: 42,
    })
  })
})

describe('an OMR job from draft to done', () => {
  it('is a 201 draft, takes files, starts with 202 and ends with a score in the library', async () => {
    const clock = manualClock()
    const sim = await start({ now: clock.now, omr: { plan: { durationMs: 1000 } } })

    const draft = await create(sim, {})
    const added = await call(sim, 'POST', `/v2/omr/jobs/${draft.job.id}/files`, { json: PDF_FILE })
    const started = await call(sim, 'POST', `/v2/omr/jobs/${draft.job.id}/start`)
    clock.advance(500)
    const midway = await poll(sim, draft.job.id)
    clock.advance(500)
    const done = await poll(sim, draft.job.id)

    expect(draft.status).toBe(201)
    expect(draft.job).toMatchObject({ status: 'draft', output: 'library', interactiveSteps: [] })
    expect(added.body).toEqual({ fileIndex: 0, fileCount: 1 })
    expect(started.status).toBe(202)
    expect(started.body).toMatchObject({ status: 'processing', estimatedCredits: 1 })
    expect(midway.progress).toMatchObject({ percent: 50, key: 'OMR_PROCESSING_PAGE' })
    expect(done).toMatchObject({ status: 'done', result: { exports: ['musicxml', 'mxl', 'midi', 'thumbnail.png'] } })
    expect(done.originalFileMetadata).toMatchObject({ fileCount: 1, numberOfPages: 1, fileExtension: 'pdf' })
    const score = await call(sim, 'GET', `/v2/scores/${done.result?.score}`)
    expect((score.body as ScoreDetails).title).toBe('Sonate für Klavier')
  })

  it('starts at once with autoStart and files (202), and refuses autoStart without files', async () => {
    const sim = await start()

    const oneShot = await create(sim, { files: [PDF_FILE], autoStart: true, output: 'musicxml' })
    const refused = await call(sim, 'POST', '/v2/omr/jobs', { json: { autoStart: true } })

    expect(oneShot.status).toBe(202)
    expect(oneShot.job).toMatchObject({ status: 'processing', output: 'musicxml' })
    expect(refused.status).toBe(400)
    expect(refused.body).toMatchObject({ param: 'autoStart' })
  })

  it('returns the same job for a retried idempotency key', async () => {
    const sim = await start()

    const first = await create(sim, { idempotencyKey: 'k1' })
    const retry = await create(sim, { idempotencyKey: 'k1' })

    expect(retry.job.id).toBe(first.job.id)
    expect(retry.status).toBe(201)
  })

  it('refuses to start without files or without enough credits', async () => {
    const sim = await start({ omr: { credits: 1 } })
    const empty = await create(sim, {})
    const twoPages = await create(sim, { files: [PDF_FILE, PDF_FILE] })

    const noFiles = await call(sim, 'POST', `/v2/omr/jobs/${empty.job.id}/start`)
    const broke = await call(sim, 'POST', `/v2/omr/jobs/${twoPages.job.id}/start`)

    expect(noFiles.status).toBe(400)
    expect(broke.status).toBe(402)
    expect(broke.body).toMatchObject({ code: 'OMR_INSUFFICIENT_CREDITS' })
  })

  it('refuses files once started (409) and files of an unknown type (400)', async () => {
    const sim = await start()
    const job = (await create(sim, { files: [PDF_FILE], autoStart: true })).job

    const late = await call(sim, 'POST', `/v2/omr/jobs/${job.id}/files`, { json: PDF_FILE })
    const draft = (await create(sim, {})).job
    const text = await call(sim, 'POST', `/v2/omr/jobs/${draft.id}/files`, {
      json: { file: Buffer.from('hi').toString('base64'), filename: 'notes.txt' },
    })

    expect(late.status).toBe(409)
    expect(text.status).toBe(400)
    expect(text.body).toMatchObject({ code: 'UNSUPPORTED_FORMAT', param: 'file' })
  })
})

describe('the details step', () => {
  const plan: OmrJobPlan = {
    durationMs: 1000,
    pauseAt: 0.4,
    detectedTitle: 'Quatuor à cordes',
    detectedInstruments: [
      { index: 0, partName: 'Violon', instrumentId: 'strings.violin', midiProgram: 40 },
      { index: 1, partName: 'Violoncelle', instrumentId: 'strings.cello', midiProgram: 42 },
    ],
  }

  it('pauses a job that lists it, offers the detected details, and applies the answer', async () => {
    const clock = manualClock()
    const sim = await start({ now: clock.now, omr: { plan } })
    const job = (await create(sim, { files: [PDF_FILE], autoStart: true, interactiveSteps: ['details'] })).job

    clock.advance(800)
    const paused = await poll(sim, job.id)
    const answered = await call(sim, 'POST', `/v2/omr/jobs/${job.id}/steps/details`, {
      json: { step: 'details', title: 'Quartet “No. 1”', instruments: [{ index: 1, partName: 'Cello' }] },
    })
    clock.advance(599)
    const almost = await poll(sim, job.id)
    clock.advance(1)
    const done = await poll(sim, job.id)
    const musicxml = await call(sim, 'GET', `/v2/omr/jobs/${job.id}/exports/musicxml`)

    expect(paused).toMatchObject({
      status: 'awaitingInput',
      currentStep: 'details',
      pendingStep: { step: 'details', data: { step: 'details', title: 'Quatuor à cordes' } },
      progress: { percent: 40 },
    })
    expect(paused.pendingStep?.data.instruments.map((instrument) => instrument.partName)).toEqual([
      'Violon',
      'Violoncelle',
    ])
    expect(answered.status).toBe(202)
    expect(answered.body).toMatchObject({ status: 'processing' })
    expect(almost.status).toBe('processing')
    expect(done.status).toBe('done')
    expect(musicxml.headers.get('content-type')).toBe('application/octet-stream')
    expect(extendedFilename(musicxml.headers.get('content-disposition'))).toBe('Quartet “No. 1”.musicxml')
    const parsed = parseMusicXml(musicxml.bytes.toString('utf8'))
    expect(parsed.title).toBe('Quartet “No. 1”')
    expect(parsed.parts.map((part) => part.name)).toEqual(['Violon', 'Cello'])
  })

  it('does not pause a job that did not list the step', async () => {
    const clock = manualClock()
    const sim = await start({ now: clock.now, omr: { plan } })
    const job = (await create(sim, { files: [PDF_FILE], autoStart: true })).job

    clock.advance(1000)

    expect((await poll(sim, job.id)).status).toBe('done')
  })

  it.each([
    ['an answer to a job not awaiting it', {}, 409, undefined],
    ['an unknown field', { step: 'details', colour: 'red' }, 400, 'colour'],
    [
      'an override of a part that was not detected',
      { step: 'details', instruments: [{ index: 5 }] },
      400,
      'instruments',
    ],
    ['a bad transposition', { step: 'details', instruments: [{ index: 0, transposeKey: 'H' }] }, 400, 'instruments'],
    ['a body for another step', { step: 'review' }, 400, 'step'],
  ])('refuses %s', async (name, json, status, param) => {
    const clock = manualClock()
    const sim = await start({ now: clock.now, omr: { plan } })
    const job = (await create(sim, { files: [PDF_FILE], autoStart: true, interactiveSteps: ['details'] })).job
    if (name !== 'an answer to a job not awaiting it') clock.advance(400)

    const result = await call(sim, 'POST', `/v2/omr/jobs/${job.id}/steps/details`, { json })

    expect(result.status).toBe(status)
    if (param) expect(result.body).toMatchObject({ param })
  })

  it('refuses a step name the spec does not know', async () => {
    const sim = await start()
    const job = (await create(sim, {})).job

    const result = await call(sim, 'POST', `/v2/omr/jobs/${job.id}/steps/review`, {
      json: { step: 'review' },
      validate: false,
    })

    expect(result.status).toBe(400)
    expect(result.body).toMatchObject({ param: 'step' })
  })
})

describe('failed and canceled jobs', () => {
  it('fails with the planned code and a message in the caller’s locale', async () => {
    const clock = manualClock()
    const sim = await start({
      now: clock.now,
      omr: { plan: { durationMs: 1000, fail: { errorCode: 'ENCRYPTED_PDF' } } },
    })
    const job = (await create(sim, { files: [PDF_FILE], autoStart: true })).job
    clock.advance(500)

    const english = await poll(sim, job.id)
    const french = await poll(sim, job.id, '', { 'X-Flat-Locale': 'fr-CA' })
    const unknown = await poll(sim, job.id, '', { 'X-Flat-Locale': 'xx' })

    expect(english).toMatchObject({ status: 'error', errorCode: 'ENCRYPTED_PDF' })
    expect(english.errorMessage).toBe('This PDF is protected by a password.')
    expect(french.errorMessage).toBe('Ce PDF est protégé par un mot de passe.')
    expect(unknown.errorMessage).toBe(english.errorMessage)
  })

  it('fails a file whose bytes are not what its type claims with CORRUPTED_FILE', async () => {
    const clock = manualClock()
    const sim = await start({ now: clock.now })
    const fake = { file: Buffer.from('not a pdf').toString('base64'), mimeType: 'application/pdf' }
    const job = (await create(sim, { files: [fake], autoStart: true })).job
    clock.advance(2000)

    expect(await poll(sim, job.id)).toMatchObject({ status: 'error', errorCode: 'CORRUPTED_FILE' })
  })

  it('cancels a running job once, giving the credits back', async () => {
    const sim = await start({ omr: { credits: 10 } })
    const job = (await create(sim, { files: [PDF_FILE], autoStart: true })).job
    const charged = sim.omr.remainingCredits

    const canceled = await call(sim, 'POST', `/v2/omr/jobs/${job.id}/cancel`)
    const again = await call(sim, 'POST', `/v2/omr/jobs/${job.id}/cancel`)

    expect(charged).toBe(9)
    expect(canceled.body).toMatchObject({ status: 'canceled' })
    expect(again.status).toBe(409)
    expect(sim.omr.remainingCredits).toBe(10)
  })

  it('serves exports only once done, and only the formats it offers', async () => {
    const clock = manualClock()
    const sim = await start({ now: clock.now, omr: { plan: { durationMs: 100, exports: ['midi'] } } })
    const job = (await create(sim, { files: [PDF_FILE], autoStart: true })).job

    const early = await call(sim, 'GET', `/v2/omr/jobs/${job.id}/exports/midi`)
    clock.advance(100)
    const midi = await call(sim, 'GET', `/v2/omr/jobs/${job.id}/exports/midi`)
    const mxl = await call(sim, 'GET', `/v2/omr/jobs/${job.id}/exports/mxl`)

    expect(early.status).toBe(409)
    expect(midi.status).toBe(200)
    expect(readMidi(midi.bytes).tracks).toHaveLength(2)
    expect(mxl.status).toBe(404)
  })

  it('gives a queued plan to the next job only', async () => {
    const clock = manualClock()
    const sim = await start({ now: clock.now, omr: { plan: { durationMs: 100 } } })
    sim.omr.queuePlan({ durationMs: 100, fail: { errorCode: 'TOO_LARGE', atFraction: 0.5 } })

    const first = (await create(sim, { files: [PDF_FILE], autoStart: true })).job
    const second = (await create(sim, { files: [PDF_FILE], autoStart: true })).job
    clock.advance(100)

    expect((await poll(sim, first.id)).errorCode).toBe('TOO_LARGE')
    expect((await poll(sim, second.id)).status).toBe('done')
  })

  it('answers 404 for an unknown job', async () => {
    const sim = await start()

    expect((await call(sim, 'GET', '/v2/omr/jobs/nope')).status).toBe(404)
  })
})

describe('long-polling a job', () => {
  it('answers as soon as the progress changes, well before the wait is over', async () => {
    const sim = await start({ omr: { plan: { durationMs: 4000 } } })
    const job = (await create(sim, { files: [PDF_FILE], autoStart: true })).job

    const startedAt = performance.now()
    const changed = await poll(sim, job.id, '?wait=10')
    const elapsedMs = performance.now() - startedAt

    expect(elapsedMs).toBeLessThan(1000)
    expect(changed.progress?.percent).toBeGreaterThan(job.progress?.percent ?? 0)
  })

  it('answers when the wait is over if nothing changes', async () => {
    const sim = await start()
    const job = (await create(sim, {})).job

    const startedAt = performance.now()
    const same = await poll(sim, job.id, '?wait=1')
    const elapsedMs = performance.now() - startedAt

    expect(same.status).toBe('draft')
    expect(elapsedMs).toBeGreaterThanOrEqual(950)
    expect(elapsedMs).toBeLessThan(2000)
  })

  it('answers at once for a job that has finished', async () => {
    const clock = manualClock()
    const sim = await start({ now: clock.now, omr: { plan: { durationMs: 100 } } })
    const job = (await create(sim, { files: [PDF_FILE], autoStart: true })).job
    clock.advance(100)

    const startedAt = performance.now()
    const done = await poll(sim, job.id, '?wait=25')

    expect(done.status).toBe('done')
    expect(performance.now() - startedAt).toBeLessThan(500)
  })

  it('wakes up when a call changes the job', async () => {
    const sim = await start()
    const job = (await create(sim, { files: [PDF_FILE] })).job

    const waiting = poll(sim, job.id, '?wait=20')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(sim.omr.pendingWaits).toBe(1)
    await call(sim, 'POST', `/v2/omr/jobs/${job.id}/start`)

    expect((await waiting).status).toBe('processing')
    expect(sim.omr.pendingWaits).toBe(0)
  })

  it('sees an injected clock move', async () => {
    const clock = manualClock()
    const sim = await start({ now: clock.now, omr: { plan: { durationMs: 1000 } } })
    const job = (await create(sim, { files: [PDF_FILE], autoStart: true })).job

    const waiting = poll(sim, job.id, '?wait=25')
    setTimeout(() => clock.advance(1000), 50)

    expect((await waiting).status).toBe('done')
  })

  it.each(['26', '-1', 'soon'])('refuses wait=%s with 400 naming wait', async (wait) => {
    const sim = await start()
    const job = (await create(sim, {})).job

    const { status, body } = await call(sim, 'GET', `/v2/omr/jobs/${job.id}?wait=${wait}`)

    expect(status).toBe(400)
    expect(body).toMatchObject({ param: 'wait' })
  })

  it('lets go of a wait when the client leaves', async () => {
    const sim = await start()
    const job = (await create(sim, {})).job
    const controller = new AbortController()

    const waiting = call(sim, 'GET', `/v2/omr/jobs/${job.id}?wait=25`, { signal: controller.signal }).catch((e) => e)
    await new Promise((resolve) => setTimeout(resolve, 100))
    controller.abort()
    await waiting
    await new Promise((resolve) => setTimeout(resolve, 50))

    expect(sim.omr.pendingWaits).toBe(0)
    expect(sim.requests.at(-1)).toMatchObject({ status: 0 })
  })

  it('closes at once with waits pending, leaving no timer behind', async () => {
    const sim = await start()
    const job = (await create(sim, {})).job
    const waiting = call(sim, 'GET', `/v2/omr/jobs/${job.id}?wait=25`).catch((e: unknown) => e)
    await new Promise((resolve) => setTimeout(resolve, 100))

    const startedAt = performance.now()
    await sim.close()

    expect(performance.now() - startedAt).toBeLessThan(500)
    expect(await waiting).toBeInstanceOf(Error)
    expect(sim.omr.pendingWaits).toBe(0)
  })

  it('lets the process exit on its own after close, long-polls and slow answers pending', {
    timeout: 20_000,
  }, async () => {
    const script = fileURLToPath(new URL('./fixtures/close-with-waits.ts', import.meta.url))
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })

    // Far below the 25 s wait and the 60 s delay: only a timer left behind could keep it running that long.
    let timer: NodeJS.Timeout | undefined
    const exit = await Promise.race([
      once(child, 'exit').then(([code]) => code as number),
      new Promise((resolve) => {
        timer = setTimeout(() => resolve('still running'), 10_000)
      }),
    ])
    clearTimeout(timer)
    if (child.exitCode === null) child.kill()

    expect(exit).toBe(0)
    expect(JSON.parse(output)).toEqual(['closed', 'closed'])
  })
})
