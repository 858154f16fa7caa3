import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRawClient, encodePathParam } from '../src/index.js'

interface Seen {
  method: string
  url: string
  authorization: string | undefined
}

let server: Server
let baseUrl: string
const seen: Seen[] = []

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization })
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ id: 'echo', state: 'done' }))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`
})

afterAll(() => {
  server.close()
})

describe('createRawClient over real HTTP', () => {
  it('sends the bearer token and parses a JSON body', async () => {
    const client = createRawClient({ baseUrl, accessToken: 'tok-123' })
    const { data, response } = await client.GET('/tasks/{task}', { params: { path: { task: 'abc' } } })

    expect(response.status).toBe(200)
    expect(data?.state).toBe('done')
    expect(seen.at(-1)).toEqual({ method: 'GET', url: '/v2/tasks/abc', authorization: 'Bearer tok-123' })
  })

  it('percent-encodes a path parameter as one segment', async () => {
    const client = createRawClient({ baseUrl })
    await client.GET('/tasks/{task}', { params: { path: { task: 'a/b c?d' } } })

    expect(seen.at(-1)?.url).toBe('/v2/tasks/a%2Fb%20c%3Fd')
  })

  it('serializes an array query parameter as repeated keys', async () => {
    const client = createRawClient({ baseUrl })
    await client.GET('/organizations/users', { params: { query: { role: ['admin', 'teacher'] } } })

    expect(seen.at(-1)?.url).toBe('/v2/organizations/users?role=admin&role=teacher')
  })

  it.each([
    ['empty', ''],
    ['dot', '.'],
    ['dot-dot', '..'],
    ['encoded dot-dot', '%2E%2E'],
    ['mixed-case encoded dot', '%2e.'],
    ['missing', undefined],
    ['CR/LF', 'abc\r\n'],
  ])('rejects a %s task id with a TypeError naming the parameter and sends nothing', async (_, task) => {
    const client = createRawClient({ baseUrl })
    const before = seen.length
    const call = client.GET('/tasks/{task}', { params: { path: { task: task as string } } })

    await expect(call).rejects.toThrow(TypeError)
    await expect(call).rejects.toThrow(/"task"/)
    expect(seen.length).toBe(before)
  })

  it('rejects a token with CR/LF without echoing it', () => {
    expect(() => createRawClient({ baseUrl, accessToken: 'secret\r\nX: y' })).toThrow(TypeError)
    try {
      createRawClient({ baseUrl, accessToken: 'secret\r\nX: y' })
    } catch (error) {
      expect(String(error)).not.toContain('secret')
    }
  })

  it('rejects a base URL that is not absolute', () => {
    expect(() => createRawClient({ baseUrl: '/v2' })).toThrow(/baseUrl/)
  })
})

describe('encodePathParam', () => {
  it.each([
    ['plain', 'abc', 'abc'],
    ['unicode', 'é♪', '%C3%A9%E2%99%AA'],
    ['percent', '100%', '100%25'],
    ['hash', 'a#b', 'a%23b'],
    ['three dots are a name, not a segment', '...', '...'],
    ['number', 42, '42'],
  ])('encodes %s', (_, value, expected) => {
    expect(encodePathParam('id', value)).toBe(expected)
  })

  it('rejects a lone surrogate', () => {
    expect(() => encodePathParam('id', '\uD800')).toThrow(TypeError)
  })
})
