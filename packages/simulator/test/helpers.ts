import { readFileSync } from 'node:fs'
import { expect } from 'vitest'
import { type Simulator, type SimulatorOptions, startSimulator } from '../src/index.js'
import { responseProblems } from './spec.js'

export const TOKEN = 'test-token'

export const DEMO_XML = readFileSync(new URL('../../../tools/demo/scores/hello-flat.musicxml', import.meta.url), 'utf8')

/** A few bytes that pass for a one-page PDF. */
export const PDF_BYTES = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Page >> endobj\n%%EOF\n')

const started: Simulator[] = []

export async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator(options)
  started.push(sim)
  return sim
}

/** For `afterEach`: closes every simulator a test started. */
export async function closeAll(): Promise<void> {
  await Promise.all(started.splice(0).map((sim) => sim.close()))
}

/** A clock tests move by hand. */
export function manualClock(startMs = Date.UTC(2025, 0, 1)) {
  let nowMs = startMs
  return {
    now: () => nowMs,
    advance(ms: number) {
      nowMs += ms
    },
  }
}

export interface CallOptions {
  /** JSON body. */
  json?: unknown
  /** Form body, sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>
  /** Bearer token; null sends none. Default `TOKEN`. */
  token?: string | null
  headers?: Record<string, string>
  redirect?: RequestRedirect
  /** Check the answer against the spec. Default true for `/v2` paths. */
  validate?: boolean
  signal?: AbortSignal
}

export interface CallResult {
  status: number
  headers: Headers
  /** Parsed JSON when the answer is JSON, else undefined. */
  body: unknown
  bytes: Buffer
}

/** One request over real HTTP; a `/v2` answer must match what the spec declares for it. */
export async function call(
  sim: Simulator,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers }
  const token = options.token === undefined ? TOKEN : options.token
  if (token !== null) headers.Authorization = `Bearer ${token}`
  let body: string | undefined
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.json)
  } else if (options.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded'
    body = new URLSearchParams(options.form).toString()
  }
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
    redirect: options.redirect ?? 'manual',
    ...(options.signal ? { signal: options.signal } : {}),
  })
  const bytes = Buffer.from(await response.arrayBuffer())
  const contentType = response.headers.get('content-type')
  const json = contentType?.includes('json') && bytes.length > 0 ? JSON.parse(bytes.toString('utf8')) : undefined
  const pathname = path.split('?')[0] as string
  if (pathname.startsWith('/v2/') && options.validate !== false) {
    expect(responseProblems(method, pathname, response.status, contentType, json), `${method} ${path}`).toEqual([])
  }
  return { status: response.status, headers: response.headers, body: json, bytes }
}

/** Imports the demo score (two parts, P1 and P2) and returns its id. */
export async function importDemo(sim: Simulator, title = 'Hello Flat'): Promise<string> {
  const { status, body } = await call(sim, 'POST', '/v2/scores', { json: { data: DEMO_XML, title } })
  expect(status).toBe(200)
  return (body as { id: string }).id
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Parses `Link: <url>; rel="next", <url>; rel="previous"` into a map of rel to URL. */
export function parseLink(header: string | null): Record<string, string> {
  const links: Record<string, string> = {}
  for (const part of header?.split(/,\s*(?=<)/) ?? []) {
    const match = /^<([^>]+)>;\s*rel="([^"]+)"$/.exec(part.trim())
    if (match) links[match[2] as string] = match[1] as string
  }
  return links
}
