import { inspect } from 'node:util'
import type { Simulator } from '@flat-api/simulator'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createFlatClient,
  FlatApiError,
  FlatMalformedResponseError,
  FlatNotFoundError,
  FlatServerError,
  FlatValidationError,
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

const TOKEN = 'tok_sekrit_value_123'

function plain(status: number, body: string, headers: Record<string, string> = {}): Promise<Stub> {
  return startStub((_request, res) => {
    res.writeHead(status, headers)
    res.end(body)
  })
}

describe('typed errors from real responses', () => {
  it('names method, path template, status, code and the server message, never the token or the filled URL', async () => {
    ;({ sim } = await setup())
    const flat = createFlatClient({ accessToken: TOKEN, baseUrl: sim.baseUrl, retry: false })

    const error = await flat.tasks.get('0123456789abcdef01234567').catch((e: unknown) => e)

    expect(error).toBeInstanceOf(FlatNotFoundError)
    const text = String(error)
    expect(text).toContain('GET /tasks/{task} failed with 404 TASK_NOT_FOUND: Task not found')
    expect(text).not.toContain('0123456789abcdef01234567')
    expect(text).not.toContain(TOKEN)
    expect(inspect(error)).not.toContain(TOKEN)
    expect(JSON.stringify(error)).not.toContain(TOKEN)
  })

  it('carries the error id of an internal error in the message and as requestId', async () => {
    stub = await plain(500, JSON.stringify({ code: 'INTERNAL_ERROR', message: 'Boom', id: 'err-42' }), {
      'Content-Type': 'application/json',
    })
    const flat = createFlatClient({ accessToken: TOKEN, baseUrl: stub.baseUrl, retry: false })

    const error = (await flat.tasks.get('t').catch((e: unknown) => e)) as FlatServerError

    expect(error).toBeInstanceOf(FlatServerError)
    expect(error.requestId).toBe('err-42')
    expect(error.message).toContain('[id err-42]')
  })

  it('carries the parameter the server blamed', async () => {
    ;({ sim } = await setup())
    const flat = createFlatClient({ accessToken: TOKEN, baseUrl: sim.baseUrl })

    const error = (await flat.scores.import({ data: 'not a score' }).catch((e: unknown) => e)) as FlatValidationError

    expect(error).toBeInstanceOf(FlatValidationError)
    expect(error.param).toBe('data')
    expect(error.message).toContain('(param data)')
  })

  it.each([
    ['no body and Content-Length 0', 503, '', { 'Content-Length': '0' }],
    ['an empty chunked body', 503, '', { 'Transfer-Encoding': 'chunked' }],
    ['whitespace only', 502, '  \n', { 'Content-Type': 'application/json' }],
  ])('turns a 5xx with %s into FlatServerError with its status, never into success', async (_l, status, body, h) => {
    stub = await plain(status, body, h)
    const flat = createFlatClient({ accessToken: TOKEN, baseUrl: stub.baseUrl, retry: false })

    const error = (await flat.tasks.get('t').catch((e: unknown) => e)) as FlatServerError
    const raw = await flat.raw.GET('/tasks/{task}', { params: { path: { task: 't' } } })

    expect(error).toBeInstanceOf(FlatServerError)
    expect(error.status).toBe(status)
    expect(error.code).toBeUndefined()
    expect(error.message).toContain('empty body')
    // openapi-fetch alone would answer `{ error: undefined }` here, which a caller reads as success.
    expect(raw.error).toBeTruthy()
    expect(raw.data).toBeUndefined()
    expect(raw.response.status).toBe(status)
  })

  it('keeps the start of a non-JSON error body, such as a proxy page', async () => {
    stub = await plain(502, '<html><body>Bad gateway</body></html>', { 'Content-Type': 'text/html' })
    const flat = createFlatClient({ accessToken: TOKEN, baseUrl: stub.baseUrl, retry: false })

    const error = (await flat.tasks.get('t').catch((e: unknown) => e)) as FlatServerError

    expect(error).toBeInstanceOf(FlatServerError)
    expect(error.status).toBe(502)
    expect(error.message).toContain('Bad gateway')
  })

  it('reports a 2xx with broken JSON as FlatMalformedResponseError', async () => {
    stub = await plain(200, '{"id": "x", "state": done}', { 'Content-Type': 'application/json' })
    const flat = createFlatClient({ accessToken: TOKEN, baseUrl: stub.baseUrl, retry: false })

    await expect(flat.tasks.get('t')).rejects.toBeInstanceOf(FlatMalformedResponseError)
  })

  it('gives an unmapped 4xx the base FlatApiError with its status', async () => {
    stub = await plain(409, JSON.stringify({ code: 'CONFLICT', message: 'Busy' }), {
      'Content-Type': 'application/json',
    })
    const flat = createFlatClient({ accessToken: TOKEN, baseUrl: stub.baseUrl, retry: false })

    const error = (await flat.tasks.get('t').catch((e: unknown) => e)) as FlatApiError

    expect(error.constructor).toBe(FlatApiError)
    expect(error).toMatchObject({ status: 409, code: 'CONFLICT', method: 'GET', path: '/tasks/{task}' })
  })
})
