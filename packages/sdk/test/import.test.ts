import type { Task } from '@flat-api/raw'
import type { Simulator } from '@flat-api/simulator'
import { afterEach, describe, expect, it } from 'vitest'
import { createFlatClient, FlatQuotaError, FlatTaskFailedError } from '../src/index.js'
import { FAST_POLLING, recordingFetch, SCORE_XML, type Stub, setup, startStub } from './helpers.js'

let sim: Simulator | undefined
let stub: Stub | undefined

afterEach(async () => {
  await sim?.close()
  await stub?.close()
  sim = undefined
  stub = undefined
})

const PDF = new TextEncoder().encode('%PDF-1.7\n1 0 obj << /Type /Page >> endobj\n%\u00e2\u00e3\u00cf\u00d3\n')
const client = (baseUrl: string, extra = {}) =>
  createFlatClient({
    accessToken: 't',
    baseUrl,
    polling: FAST_POLLING,
    requestsPerHour: Number.POSITIVE_INFINITY,
    ...extra,
  })

describe('scores.import', () => {
  it('resolves a MusicXML import answered 200 with the score, without waiting for any task', async () => {
    ;({ sim } = await setup())
    const recorder = recordingFetch()
    const flat = client(sim.baseUrl, { fetch: recorder.fetch })

    const score = await flat.scores.import({ data: SCORE_XML, title: 'Hello', privacy: 'private' })

    expect(score.title).toBe('Hello')
    expect(sim.requests.map((r) => `${r.method} ${r.url} ${r.status}`)).toEqual(['POST /v2/scores 200'])
    const body = JSON.parse(new TextDecoder().decode(recorder.sent[0]?.body))
    expect(body).toMatchObject({ data: SCORE_XML, title: 'Hello', privacy: 'private', supportsTasks: true })
    expect(body.dataEncoding).toBeUndefined()
  })

  it('sends bytes as base64 with dataEncoding', async () => {
    ;({ sim } = await setup())
    const recorder = recordingFetch()
    const flat = client(sim.baseUrl, { fetch: recorder.fetch })
    const bytes = new TextEncoder().encode(SCORE_XML)

    const score = await flat.scores.import({ data: bytes, filename: 'hello.musicxml' })

    expect(score.title).toBe('Hello Flat')
    const body = JSON.parse(new TextDecoder().decode(recorder.sent[0]?.body))
    expect(body.dataEncoding).toBe('base64')
    expect(Buffer.from(body.data, 'base64').equals(Buffer.from(bytes))).toBe(true)
  })

  it('waits for the task of a PDF import answered 202, then fetches the new score', async () => {
    ;({ sim } = await setup({ importDurationMs: 200 }))
    const flat = client(sim.baseUrl)
    const seen: Task[] = []

    const score = await flat.scores.import(
      { data: PDF, filename: 'Sonate.pdf', title: 'Sonate' },
      { onProgress: (task) => seen.push(task) },
    )

    expect(score.title).toBe('Sonate')
    const create = sim.requests[0]
    expect(`${create?.method} ${create?.url} ${create?.status}`).toBe('POST /v2/scores 202')
    expect(sim.requests.some((r) => r.url.startsWith('/v2/tasks/'))).toBe(true)
    expect(sim.requests.at(-1)?.url).toBe(`/v2/scores/${score.id}`)
    expect(seen.at(-1)?.state).toBe('done')
    expect(seen.at(-1)?.score).toBe(score.id)
  })

  it('tells 200 from 202 by status, not by body shape', async () => {
    // A 202 whose body carries score-like fields is still a task; a 200 carrying a `state` is still a score.
    stub = await startStub((request, res) => {
      res.writeHead(request.url === '/v2/scores' ? 202 : 200, { 'Content-Type': 'application/json' })
      if (request.url === '/v2/scores')
        res.end(JSON.stringify({ id: 'task1', state: 'created', title: 'Looks like a score' }))
      else if (request.url === '/v2/tasks/task1')
        res.end(JSON.stringify({ id: 'task1', state: 'done', score: 'score9' }))
      else res.end(JSON.stringify({ id: 'score9', title: 'The real score', state: 'done' }))
    })
    const flat = client(stub.baseUrl)

    const score = await flat.scores.import({ data: SCORE_XML })

    expect(score).toMatchObject({ id: 'score9', title: 'The real score' })
    expect(stub.requests.map((r) => r.url)).toEqual(['/v2/scores', '/v2/tasks/task1', '/v2/scores/score9'])
  })

  it('rejects with FlatTaskFailedError when the import task fails', async () => {
    ;({ sim } = await setup({ importDurationMs: 50, failureRate: 1 }))
    const flat = client(sim.baseUrl)

    const error = await flat.scores.import({ data: PDF, filename: 'x.pdf' }).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(FlatTaskFailedError)
    expect((error as FlatTaskFailedError).task.type).toBe('import-omr')
  })

  it('reports an account over quota as FlatQuotaError (402)', async () => {
    ;({ sim } = await setup({ quota: { maxScores: 0 } }))
    const flat = client(sim.baseUrl)

    const error = await flat.scores.import({ data: SCORE_XML }).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(FlatQuotaError)
    expect((error as FlatQuotaError).status).toBe(402)
    expect((error as FlatQuotaError).code).toBe('QUOTA_EXCEEDED')
  })

  it.each([
    [{ data: '' }, TypeError, 'data'],
    [{ data: 42 }, TypeError, 'data'],
    [{ data: new Uint8Array(0) }, TypeError, 'data'],
    [{ data: 'x', privacy: 'secret' }, RangeError, 'privacy'],
    [{ data: 'x', title: 7 }, TypeError, 'title'],
    [null, TypeError, 'import input'],
  ])('refuses %j with a %o naming the field, before any request', async (input, ErrorClass, name) => {
    ;({ sim } = await setup())
    const flat = client(sim.baseUrl)

    const error = await flat.scores.import(input as never).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(ErrorClass)
    expect(String(error)).toContain(name)
    expect(sim.requests).toHaveLength(0)
  })
})
