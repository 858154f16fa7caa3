import type { ScoreDetails, Task } from '@flat-api/raw'
import { afterEach, describe, expect, it } from 'vitest'
import { writeMxl } from '../src/formats/mxl.js'
import { call, closeAll, DEMO_XML, manualClock, PDF_BYTES, start } from './helpers.js'

afterEach(closeAll)

describe('importing MusicXML', () => {
  it('answers 200 ScoreDetails with the revision headers', async () => {
    const sim = await start()

    const { status, body, headers } = await call(sim, 'POST', '/v2/scores', { json: { data: DEMO_XML, title: 'Mine' } })

    const score = body as ScoreDetails
    expect(status).toBe(200)
    expect(score).toMatchObject({ title: 'Mine', privacy: 'private', instrumentsNames: ['Flute', 'Cello'] })
    expect(headers.get('x-flat-score-revision')).toMatch(/^[0-9a-f]{24}$/)
    expect(headers.get('x-flat-score-revision-date')).toBe(score.creationDate)
    expect((await call(sim, 'GET', `/v2/scores/${score.id}`)).body).toEqual(score)
  })

  it('reads base64 data and takes the title from the score when the request has none', async () => {
    const sim = await start()

    const data = Buffer.from(DEMO_XML).toString('base64')
    const { status, body } = await call(sim, 'POST', '/v2/scores', { json: { data, dataEncoding: 'base64' } })

    expect(status).toBe(200)
    expect((body as ScoreDetails).title).toBe('Hello Flat')
  })

  it('opens compressed MusicXML (.mxl), by content or by filename', async () => {
    const sim = await start()
    const data = Buffer.from(writeMxl(DEMO_XML)).toString('base64')

    const byContent = await call(sim, 'POST', '/v2/scores', { json: { data, dataEncoding: 'base64' } })
    const corrupt = await call(sim, 'POST', '/v2/scores', {
      json: { data: Buffer.from('not a zip').toString('base64'), dataEncoding: 'base64', filename: 'x.mxl' },
    })

    expect(byContent.status).toBe(200)
    expect((byContent.body as ScoreDetails).instrumentsNames).toEqual(['Flute', 'Cello'])
    expect(corrupt.status).toBe(400)
    expect(corrupt.body).toMatchObject({ code: 'IMPORT_FAILED', param: 'data' })
  })

  it('refuses what is not MusicXML with 400 naming data', async () => {
    const sim = await start()

    const { status, body } = await call(sim, 'POST', '/v2/scores', { json: { data: '<html></html>' } })

    expect(status).toBe(400)
    expect(body).toMatchObject({ code: 'IMPORT_FAILED', param: 'data' })
  })

  it('creates a score from builder data with the built-in one-part content', async () => {
    const sim = await start()

    const { status, body } = await call(sim, 'POST', '/v2/scores', {
      json: {
        title: 'Blank',
        builderData: { scoreData: { instruments: [{ group: 'keyboards', instrument: 'piano' }] } },
      },
    })

    expect(status).toBe(200)
    expect(body).toMatchObject({ title: 'Blank', instrumentsNames: ['Piano'], durationTime: 8 })
  })
})

describe('importing a PDF through OMR', () => {
  it('answers 202 with an import-omr task whose score appears, titled as asked, when it is done', async () => {
    const clock = manualClock()
    const sim = await start({ now: clock.now, importDurationMs: 1000 })

    const created = await call(sim, 'POST', '/v2/scores', {
      json: { data: PDF_BYTES.toString('base64'), dataEncoding: 'base64', title: 'Scan « 1 »', supportsTasks: true },
    })
    const task = created.body as Task
    clock.advance(500)
    const midway = (await call(sim, 'GET', `/v2/tasks/${task.id}`)).body as Task
    clock.advance(500)
    const done = (await call(sim, 'GET', `/v2/tasks/${task.id}`)).body as Task

    expect(created.status).toBe(202)
    expect(task).toMatchObject({ type: 'import-omr', state: 'created' })
    expect(task.score).toBeUndefined()
    expect(midway.state).toBe('doing')
    expect(midway.score).toBeUndefined()
    expect(done.state).toBe('done')
    const score = await call(sim, 'GET', `/v2/scores/${done.score}`)
    expect(score.status).toBe(200)
    expect(score.body).toMatchObject({ id: done.score, title: 'Scan « 1 »', instrumentsNames: ['Piano'] })
  })

  it('does not show the score before the task is done', async () => {
    const clock = manualClock()
    const sim = await start({ now: clock.now, importDurationMs: 1000 })
    await call(sim, 'POST', '/v2/scores', { json: { data: '%PDF-1.4 ...', supportsTasks: true, title: 'Later' } })

    const before = await call(sim, 'GET', '/v2/users/me/scores')
    clock.advance(1000)
    const after = await call(sim, 'GET', '/v2/users/me/scores')

    expect((before.body as ScoreDetails[]).map((score) => score.title)).toEqual([])
    expect((after.body as ScoreDetails[]).map((score) => score.title)).toEqual(['Later'])
  })

  it('recognises a PDF by its filename too, and refuses it without supportsTasks', async () => {
    const sim = await start()

    const { status, body } = await call(sim, 'POST', '/v2/scores', {
      json: { data: Buffer.from('scan').toString('base64'), dataEncoding: 'base64', filename: 'page.PDF' },
    })

    expect(status).toBe(400)
    expect(body).toMatchObject({ code: 'BAD_REQUEST', param: 'supportsTasks' })
  })

  it('ends the task in error and creates nothing when the import fails', async () => {
    const clock = manualClock()
    const sim = await start({ now: clock.now, failureRate: 1, importDurationMs: 100 })

    const { body } = await call(sim, 'POST', '/v2/scores', { json: { data: '%PDF-1.7', supportsTasks: true } })
    clock.advance(100)
    const task = (await call(sim, 'GET', `/v2/tasks/${(body as Task).id}`)).body as Task

    expect(task.state).toBe('error')
    expect(task.score).toBeUndefined()
    expect((await call(sim, 'GET', '/v2/users/me/scores')).body).toEqual([])
  })
})

describe('the score quota', () => {
  it('answers 402 once the account holds maxScores scores, pending imports included', async () => {
    const sim = await start({ quota: { maxScores: 2 } })

    const first = await call(sim, 'POST', '/v2/scores', { json: { data: DEMO_XML } })
    const pending = await call(sim, 'POST', '/v2/scores', { json: { data: '%PDF-1.7', supportsTasks: true } })
    const refused = await call(sim, 'POST', '/v2/scores', { json: { data: DEMO_XML } })
    await call(sim, 'DELETE', `/v2/scores/${(first.body as ScoreDetails).id}`)
    const again = await call(sim, 'POST', '/v2/scores', { json: { data: DEMO_XML } })

    expect([first.status, pending.status, refused.status, again.status]).toEqual([200, 202, 402, 200])
    expect(refused.body).toEqual({ code: 'QUOTA_EXCEEDED', message: expect.stringContaining('2') })
  })
})

describe('request validation', () => {
  it.each([
    ['no data', { title: 'x' }, 'data'],
    ['an unknown encoding', { data: 'x', dataEncoding: 'hex' }, 'dataEncoding'],
    ['broken base64', { data: '***', dataEncoding: 'base64' }, 'data'],
    ['an unknown privacy', { data: DEMO_XML, privacy: 'secret' }, 'privacy'],
    ['a Google Drive source', { source: { googleDrive: 'abc' } }, 'source'],
  ])('refuses %s with 400 naming the field', async (_, json, param) => {
    const sim = await start()

    const { status, body } = await call(sim, 'POST', '/v2/scores', { json })

    expect(status).toBe(400)
    expect(body).toMatchObject({ param })
  })
})
