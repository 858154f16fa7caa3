import type { Simulator } from '@flat-api/simulator'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createFlatClient,
  FlatConnectionError,
  FlatNotFoundError,
  FlatRedirectError,
  REVISION_FORMATS,
  type RevisionFormat,
} from '../src/index.js'
import { FAST_POLLING, importScore, recordingFetch, SCORE_XML, type Stub, setup, startStub } from './helpers.js'

let sim: Simulator | undefined
const stubs: Stub[] = []

afterEach(async () => {
  await sim?.close()
  sim = undefined
  for (const stub of stubs.splice(0)) await stub.close()
})

/** The file as the file host serves it, fetched without the SDK. */
async function direct(url: string): Promise<Uint8Array> {
  const response = await fetch(url)
  expect(response.status).toBe(200)
  return new Uint8Array(await response.arrayBuffer())
}

const hasHighBytes = (bytes: Uint8Array) => bytes.some((byte) => byte >= 0x80)

describe('scores.download for every revision format', () => {
  it.each(REVISION_FORMATS.map((format) => [format]))('downloads %s as the format promises', async (format) => {
    ;({ sim } = await setup())
    const flat = createFlatClient({ accessToken: 'secret-token', baseUrl: sim.baseUrl })
    const score = await importScore(flat)

    const file = await flat.scores.download(score, { format: format as RevisionFormat })
    const { url } = await flat.scores.download(score, { format: format as RevisionFormat, onlyUrl: true })
    const expected = await direct(url)

    expect(file.bytes).toBe(expected.byteLength)
    expect(file.revision).toMatch(/^[0-9a-f]+$/)
    expect(file.revisionDate).toBeInstanceOf(Date)
    expect(file.contentType).toBeTruthy()
    if (format === 'json' || format === 'synchronizationPoints') {
      expect(file.data).toEqual(JSON.parse(new TextDecoder().decode(expected)))
    } else if (format === 'xml') {
      expect(typeof file.data).toBe('string')
      expect(file.data).toBe(new TextDecoder().decode(expected))
      expect(file.data).toContain('<score-partwise')
    } else {
      expect(file.data).toBeInstanceOf(Uint8Array)
      expect(Buffer.from(file.data as Uint8Array).equals(Buffer.from(expected))).toBe(true)
    }
    // Every hop to the file host went without the token.
    expect(sim.fileHost.requests.length).toBeGreaterThan(0)
    expect(sim.fileHost.requests.every((request) => !request.authorization)).toBe(true)
  })

  it.each([['mp3'], ['midi'], ['thumbnail.png'], ['mxl'], ['wav']] as const)(
    'keeps %s byte-identical, bytes 0x80 to 0xFF included',
    async (format) => {
      ;({ sim } = await setup())
      const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl })
      const score = await importScore(flat)

      const file = await flat.scores.download(score, { format })
      const { url } = await flat.scores.download(score, { format, onlyUrl: true })

      expect(hasHighBytes(file.data)).toBe(true)
      expect(Buffer.from(file.data).equals(Buffer.from(await direct(url)))).toBe(true)
    },
  )

  it('gives the UTF-8 file name from Content-Disposition (RFC 5987), made safe', async () => {
    ;({ sim } = await setup())
    const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl })
    const { data } = await flat.raw.POST('/scores', {
      body: { data: SCORE_XML, title: 'Étude 春の海 “quoted” / slashed' },
    })

    const file = await flat.scores.download(data?.id as string, { format: 'midi' })

    expect(file.filename).toBe('Étude 春の海 “quoted” _ slashed.mid')
  })

  it('sends parts as one comma-separated parameter', async () => {
    ;({ sim } = await setup())
    const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl })
    const score = await importScore(flat)

    await flat.scores.download(score, { format: 'midi', parts: ['P1', 'P2'] })

    const request = sim.requests.find((r) => r.url.includes('/revisions/last/midi'))
    const query = new URL(request?.url ?? '', sim.url).searchParams
    expect(query.getAll('parts')).toEqual(['P1,P2'])
  })

  it('answers onlyUrl with the file URL and the revision, downloading nothing', async () => {
    ;({ sim } = await setup())
    const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl })
    const score = await importScore(flat)

    const result = await flat.scores.download(score, { format: 'mp3', onlyUrl: true })

    expect(result.url.startsWith(sim.fileHost.url)).toBe(true)
    expect(result.revision).toBeTruthy()
    expect(sim.fileHost.requests).toHaveLength(0)
  })

  it('reports a missing score as FlatNotFoundError', async () => {
    ;({ sim } = await setup())
    const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl })

    await expect(flat.scores.download('0123456789abcdef01234567', { format: 'xml' })).rejects.toBeInstanceOf(
      FlatNotFoundError,
    )
  })

  it('retries a download cut mid-body by the file host', async () => {
    ;({ sim } = await setup({ faults: { rate: 1, fileHost: true, paths: /^$/, kinds: { connectionReset: 1 } } }))
    const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl, retry: { limit: 2, initialDelayMs: 1 } })
    const score = await importScore(flat)

    const error = await flat.scores.download(score, { format: 'wav' }).catch((e: unknown) => e)

    // Every attempt is cut: three tries, then the connection error, never a short file passed off as whole.
    expect(error).toBeInstanceOf(FlatConnectionError)
    expect(sim.fileHost.requests).toHaveLength(3)
    expect(sim.faults.injected.connectionReset).toBe(3)
  })

  it.each([
    [{ format: 'pdf' }, RangeError, 'format'],
    [{ format: 'mp3', parts: 'P1' }, TypeError, 'parts'],
    [{ format: 'mp3', parts: ['P1,P2'] }, TypeError, 'parts[0]'],
    [{ format: 'mp3', revision: '..' }, TypeError, 'revision'],
    [{ format: 'mp3', onlyUrl: 'yes' }, TypeError, 'onlyUrl'],
  ])('refuses %j with a %o naming the option, before any request', async (options, ErrorClass, name) => {
    ;({ sim } = await setup())
    const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl })

    const error = await flat.scores.download('abc', options as never).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(ErrorClass)
    expect(String(error)).toContain(name)
    expect(sim.requests).toHaveLength(0)
  })

  it('refuses a dot-segment score id before any request', async () => {
    ;({ sim } = await setup())
    const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl })

    await expect(flat.scores.download('..', { format: 'xml' })).rejects.toThrow(TypeError)
    expect(sim.requests).toHaveLength(0)
  })
})

describe('scores.exportAndDownload', () => {
  it('exports to MP3 through a task and downloads result.url without the token', async () => {
    ;({ sim } = await setup({ exportDurationMs: 100 }))
    const recorder = recordingFetch()
    const flat = createFlatClient({
      accessToken: 'secret-token',
      baseUrl: sim.baseUrl,
      fetch: recorder.fetch,
      polling: FAST_POLLING,
      requestsPerHour: Number.POSITIVE_INFINITY,
    })
    const score = await importScore(flat)

    const file = await flat.scores.exportAndDownload(score, { format: 'mp3' })

    expect(file.task.state).toBe('done')
    expect(file.contentType).toBe('audio/mp3')
    expect(file.filename).toMatch(/\.mp3$/)
    expect(hasHighBytes(file.data)).toBe(true)
    const fileRequests = recorder.sent.filter((r) => !new URL(r.url).pathname.startsWith('/v2/'))
    // result.url is on the API origin, outside /v2, and redirects to the file host: no hop carries the token.
    expect(fileRequests.map((r) => new URL(r.url).origin)).toEqual([sim.url, sim.fileHost.url])
    expect(fileRequests.every((r) => !r.headers.has('authorization'))).toBe(true)
    expect(
      recorder.sent.filter((r) => r.headers.has('authorization')).every((r) => r.url.startsWith(sim?.baseUrl ?? '')),
    ).toBe(true)
    expect(sim.fileHost.requests.every((r) => !r.authorization)).toBe(true)
  })

  it('downloads a result.url that points straight at the file host', async () => {
    ;({ sim } = await setup({ exportDurationMs: 50, exportUrls: 'fileHost' }))
    const flat = createFlatClient({
      accessToken: 't',
      baseUrl: sim.baseUrl,
      polling: FAST_POLLING,
      requestsPerHour: Number.POSITIVE_INFINITY,
    })
    const score = await importScore(flat)

    const file = await flat.scores.exportAndDownload(score, { format: 'wav' })

    expect(Buffer.from(file.data.subarray(0, 4)).toString('latin1')).toBe('RIFF')
    expect(Buffer.from(file.data).equals(Buffer.from(await direct(file.task.result?.url as string)))).toBe(true)
    expect(sim.fileHost.requests.every((r) => !r.authorization)).toBe(true)
  })
})

describe('redirects', () => {
  async function redirecting(locations: (index: number, origin: string) => string | undefined) {
    const stub = await startStub((_request, res, index) => {
      const location = locations(index, stub.url)
      if (location === undefined) {
        res.writeHead(200, { 'Content-Type': 'audio/midi' })
        res.end(Buffer.from([0x4d, 0x54, 0x68, 0x64, 0xff, 0x80]))
        return
      }
      res.writeHead(302, { Location: location })
      res.end()
    })
    stubs.push(stub)
    return stub
  }

  it('stops a redirect loop with FlatRedirectError after one lap', async () => {
    const stub = await redirecting((_index, origin) => `${origin}/v2/loop`)
    const flat = createFlatClient({ accessToken: 't', baseUrl: stub.baseUrl })

    const error = await flat.scores.download('s', { format: 'midi' }).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(FlatRedirectError)
    expect((error as FlatRedirectError).loop).toBe(true)
    expect(String(error)).toContain('GET /scores/{score}/revisions/{revision}/{format}')
    expect(stub.requests.length).toBeLessThanOrEqual(3)
  })

  it('stops a chain longer than five redirects', async () => {
    const stub = await redirecting((index, origin) => `${origin}/v2/hop/${index}`)
    const flat = createFlatClient({ accessToken: 't', baseUrl: stub.baseUrl })

    const error = await flat.scores.download('s', { format: 'midi' }).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(FlatRedirectError)
    expect((error as FlatRedirectError).loop).toBe(false)
    expect(stub.requests).toHaveLength(6)
  })

  it('keeps the token within the API root and drops it for any other origin or path', async () => {
    const other = await redirecting(() => undefined)
    const api = await redirecting((index, origin) =>
      index === 0
        ? `${origin}/v2/elsewhere`
        : index === 1
          ? `${origin}/outside`
          : index === 2
            ? `${other.url}/f`
            : undefined,
    )
    const flat = createFlatClient({ accessToken: 'secret-token', baseUrl: api.baseUrl })

    const file = await flat.scores.download('s', { format: 'midi' })

    expect(Buffer.from(file.data).toString('hex')).toBe('4d546864ff80')
    expect(api.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
      ['/v2/scores/s/revisions/last/midi', 'Bearer secret-token'],
      ['/v2/elsewhere', 'Bearer secret-token'],
      ['/outside', undefined],
    ])
    expect(other.requests.map((r) => r.headers.authorization)).toEqual([undefined])
  })

  it('re-sends a download whose body was cut, and returns the whole file', async () => {
    const whole = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 37) % 256))
    const stub = await startStub((_request, res, index) => {
      res.writeHead(200, { 'Content-Type': 'audio/midi', 'Content-Length': String(whole.length) })
      if (index === 0) res.write(whole.subarray(0, 10), () => res.socket?.destroy())
      else res.end(whole)
    })
    stubs.push(stub)
    const flat = createFlatClient({ accessToken: 't', baseUrl: stub.baseUrl, retry: { initialDelayMs: 1 } })

    const file = await flat.scores.download('s', { format: 'midi' })

    expect(Buffer.from(file.data).equals(whole)).toBe(true)
    expect(stub.requests).toHaveLength(2)
  })

  it('turns a body cut with retries off into FlatConnectionError', async () => {
    const stub = await startStub((_request, res) => {
      res.writeHead(200, { 'Content-Type': 'audio/midi', 'Content-Length': '1000' })
      res.write(Buffer.alloc(10), () => res.socket?.destroy())
    })
    stubs.push(stub)
    const flat = createFlatClient({ accessToken: 't', baseUrl: stub.baseUrl, retry: false })

    await expect(flat.scores.download('s', { format: 'midi' })).rejects.toBeInstanceOf(FlatConnectionError)
  })
})

describe('empty success bodies', () => {
  it.each([
    ['204 No Content', 204, {}],
    ['200 with Content-Length 0', 200, { 'Content-Length': '0', 'Content-Type': 'application/json' }],
    ['200 chunked and empty', 200, { 'Transfer-Encoding': 'chunked', 'Content-Type': 'application/json' }],
  ])('gives undefined for %s without throwing', async (_label, status, headers) => {
    const stub = await startStub((_request, res) => {
      res.writeHead(status, headers)
      res.end()
    })
    stubs.push(stub)
    const flat = createFlatClient({ accessToken: 't', baseUrl: stub.baseUrl })

    const result = await flat.raw.DELETE('/scores/{score}', { params: { path: { score: 's' } } })

    expect(result.response.status).toBe(status)
    expect(result.data).toBeUndefined()
    expect(result.error).toBeUndefined()
  })

  it('gives undefined for the simulator’s 204 on removing a score from a collection', async () => {
    ;({ sim } = await setup())
    const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl })
    const score = await importScore(flat)
    const { data: collection } = await flat.raw.POST('/collections', { body: { title: 'Box' } })

    await flat.raw.PUT('/collections/{collection}/scores/{score}', {
      params: { path: { collection: collection?.id as string, score } },
    })
    const result = await flat.raw.DELETE('/collections/{collection}/scores/{score}', {
      params: { path: { collection: collection?.id as string, score } },
    })

    expect(result.response.status).toBe(204)
    expect(result.data).toBeUndefined()
  })
})
