import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { type Simulator, type SimulatorOptions, startSimulator } from '@flat-api/simulator'
import { type Clock, createFlatClient, type FlatClient, type FlatClientOptions, systemClock } from '../src/index.js'

export const SCORE_XML = readFileSync(
  fileURLToPath(new URL('../../../tools/demo/scores/hello-flat.musicxml', import.meta.url)),
  'utf8',
)

export const FAST_POLLING = { initialDelayMs: 10, maxDelayMs: 40, multiplier: 1.5, jitter: 0 }

export async function setup(
  simulatorOptions: SimulatorOptions = {},
  clientOptions: FlatClientOptions = {},
): Promise<{ sim: Simulator; flat: FlatClient }> {
  const sim = await startSimulator(simulatorOptions)
  const flat = createFlatClient({
    accessToken: 'test-token',
    baseUrl: sim.baseUrl,
    polling: FAST_POLLING,
    requestsPerHour: Number.POSITIVE_INFINITY,
    ...clientOptions,
  })
  return { sim, flat }
}

export async function importScore(flat: FlatClient): Promise<string> {
  const { data, error } = await flat.raw.POST('/scores', { body: { data: SCORE_XML, title: 'Test' } })
  if (!data) throw new Error(`import failed: ${JSON.stringify(error)}`)
  return data.id
}

/** One request as a test's own server saw it. */
export interface StubRequest {
  method: string
  url: string
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

export type StubHandler = (request: StubRequest, res: ServerResponse, index: number) => void | Promise<void>

export interface Stub {
  /** Origin, e.g. `http://127.0.0.1:4321`. */
  readonly url: string
  /** `<url>/v2`, for `baseUrl`. */
  readonly baseUrl: string
  readonly requests: StubRequest[]
  close(): Promise<void>
}

/**
 * A loopback HTTP server answering exactly as `handler` says, for byte-level cases the simulator has no reason to
 * produce (an empty 503, a hand-written Link header, a redirect chain). Still a real HTTP round trip.
 */
export async function startStub(handler: StubHandler): Promise<Stub> {
  const requests: StubRequest[] = []
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) }
    requests.push(request)
    try {
      await handler(request, res, requests.length - 1)
    } catch (error) {
      res.writeHead(599).end(String(error))
    }
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    baseUrl: `${url}/v2`,
    requests,
    async close() {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}

/** What a recording fetch saw leave the client: the final Request of every attempt and hop. */
export interface SentRequest {
  method: string
  url: string
  headers: Headers
  body: Uint8Array
}

/** The real fetch, recording each request on the way out. */
export function recordingFetch(): { fetch: (request: Request) => Promise<Response>; sent: SentRequest[] } {
  const sent: SentRequest[] = []
  return {
    sent,
    async fetch(request) {
      const body = new Uint8Array(await request.clone().arrayBuffer())
      sent.push({ method: request.method, url: request.url, headers: new Headers(request.headers), body })
      return globalThis.fetch(request)
    },
  }
}

/**
 * The system clock with every timer shortened by `divisor`, recording the delays asked for: backoff arithmetic is
 * checked exactly while the test runs fast.
 */
export function fastClock(divisor = 100): Clock & { delays: number[] } {
  const delays: number[] = []
  return {
    delays,
    now: () => Date.now(),
    setTimeout(callback, ms) {
      delays.push(ms)
      return systemClock.setTimeout(callback, ms / divisor)
    },
    clearTimeout: (handle) => systemClock.clearTimeout(handle),
  }
}

export const sleepMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Largest number of arrival times that fall in any window of `windowMs`. */
export function peakInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b)
  let peak = 0
  let start = 0
  for (let end = 0; end < sorted.length; end += 1) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start += 1
    peak = Math.max(peak, end - start + 1)
  }
  return peak
}

/** Timers this process holds right now, to prove a run left none behind. */
export const countTimers = (): number => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length
