/**
 * The contenders of the request-overhead scenario: the same `GET /tasks/{task}` through each client, each returning
 * the parsed task and throwing on a failure so a broken contender can never look fast.
 */
import { setMaxListeners } from 'node:events'
import type { paths } from '@flat-api/raw'
import { createRawClient } from '@flat-api/raw'
import { createFlatClient, type FetchLike } from '@flat-api/sdk'
import { FlatClient } from 'flat-api'
import createClient from 'openapi-fetch'
import { createLeanTaskGetter } from './lean.js'
import type { LoopResult } from './measure.js'

export const PEER_NAMES = ['fetch', 'openapi-fetch', 'raw', 'sdk', 'flat-api', 'sdk.raw', 'sdk.poll', 'lean'] as const
export type PeerName = (typeof PEER_NAMES)[number]

export const PEER_LABELS: Record<PeerName, string> = {
  fetch: 'bare fetch',
  'openapi-fetch': 'openapi-fetch alone',
  raw: '@flat-api/raw',
  sdk: '@flat-api/sdk tasks.get',
  'flat-api': 'flat-api TaskApi.getTask',
  'sdk.raw': '@flat-api/sdk raw.GET',
  'sdk.poll': '@flat-api/sdk poll loop (tasks.wait)',
  lean: 'lean poll path (prototype)',
}

export type SendFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>

export interface Peer {
  name: PeerName
  getTask(id: string): Promise<{ id: string; state: string }>
  /**
   * For a contender measured through waits rather than single calls: one wait per id, polling back to back, until
   * `requests` polls were sent or `maxMs` passed. Latencies are the intervals between one wait's polls.
   */
  pollLoop?(ids: readonly string[], requests: number, maxMs: number): Promise<LoopResult>
}

export const BENCH_TOKEN = 'bench-token'

function expectTask(data: unknown, what: string): { id: string; state: string } {
  const task = data as { id?: unknown; state?: unknown } | undefined
  if (!task || typeof task.id !== 'string' || typeof task.state !== 'string') {
    throw new Error(`${what} returned no task: ${JSON.stringify(data)}`)
  }
  return task as { id: string; state: string }
}

/** Builds one contender against `baseUrl`, sending through `send`. */
export function createPeer(name: PeerName, baseUrl: string, send: SendFetch): Peer {
  const root = baseUrl.replace(/\/+$/, '')
  switch (name) {
    case 'fetch': {
      const init = { headers: { Authorization: `Bearer ${BENCH_TOKEN}` } }
      return {
        name,
        async getTask(id) {
          const response = await send(`${root}/tasks/${encodeURIComponent(id)}`, init)
          if (!response.ok) throw new Error(`fetch: ${response.status}`)
          return expectTask(await response.json(), name)
        },
      }
    }
    case 'openapi-fetch': {
      const client = createClient<paths>({
        baseUrl: root,
        headers: { Authorization: `Bearer ${BENCH_TOKEN}` },
        fetch: send,
      })
      return {
        name,
        async getTask(id) {
          const { data, error } = await client.GET('/tasks/{task}', { params: { path: { task: id } } })
          if (error !== undefined) throw new Error(`openapi-fetch: ${JSON.stringify(error)}`)
          return expectTask(data, name)
        },
      }
    }
    case 'raw': {
      const client = createRawClient({ baseUrl: root, accessToken: BENCH_TOKEN, fetch: send })
      return {
        name,
        async getTask(id) {
          const { data, error } = await client.GET('/tasks/{task}', { params: { path: { task: id } } })
          if (error !== undefined) throw new Error(`raw: ${JSON.stringify(error)}`)
          return expectTask(data, name)
        },
      }
    }
    case 'sdk': {
      // Pacing off: this measures the request path, not the budget.
      const flat = createFlatClient({
        accessToken: BENCH_TOKEN,
        baseUrl: root,
        fetch: send as FetchLike,
        requestsPerHour: Infinity,
      })
      return { name, getTask: async (id) => expectTask(await flat.tasks.get(id), name) }
    }
    case 'sdk.raw': {
      const flat = createFlatClient({
        accessToken: BENCH_TOKEN,
        baseUrl: root,
        fetch: send as FetchLike,
        requestsPerHour: Infinity,
      })
      return {
        name,
        async getTask(id) {
          const { data, error } = await flat.raw.GET('/tasks/{task}', { params: { path: { task: id } } })
          if (error !== undefined) throw new Error(`sdk.raw: ${JSON.stringify(error)}`)
          return expectTask(data, name)
        },
      }
    }
    case 'flat-api': {
      // baseUrl is set before anything is sent: the official client's default is Flat's production host.
      const client = new FlatClient({ accessToken: BENCH_TOKEN, baseUrl: root, fetchApi: send as typeof fetch })
      const tasks = client.tasks
      return { name, getTask: async (id) => expectTask(await tasks.getTask({ task: id }), name) }
    }
    case 'sdk.poll': {
      // Zero delays: each wait polls again as soon as an answer arrives, through the engine's real poll path. The
      // multiplier stays 1: 0 × 1.6^attempt is NaN once the power overflows, after about 1,500 polls.
      let onSend: ((url: string) => void) | undefined
      const hooked: SendFetch = (input, init) => {
        onSend?.(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url)
        return send(input, init)
      }
      const flat = createFlatClient({
        accessToken: BENCH_TOKEN,
        baseUrl: root,
        fetch: hooked as FetchLike,
        requestsPerHour: Infinity,
        polling: { initialDelayMs: 0, maxDelayMs: 0, multiplier: 1, jitter: 0, timeoutMs: 3_600_000 },
      })
      return {
        name,
        getTask: async (id) => expectTask(await flat.tasks.get(id), name),
        async pollLoop(ids, requests, maxMs) {
          const controller = new AbortController()
          // One signal for every wait of the block.
          setMaxListeners(0, controller.signal)
          const latenciesMs: number[] = []
          const lastSentAt = new Map<string, number>()
          let sent = 0
          onSend = (url) => {
            const now = performance.now()
            const id = url.slice(url.lastIndexOf('/') + 1)
            const previous = lastSentAt.get(id)
            if (previous !== undefined) latenciesMs.push(now - previous)
            lastSentAt.set(id, now)
            sent += 1
            // The poll after the last counted one is cut off as it leaves.
            if (sent > requests) controller.abort()
          }
          const timer = setTimeout(() => controller.abort(), maxMs)
          const startedAt = performance.now()
          const cpuBefore = process.cpuUsage()
          await Promise.all(ids.map((id) => flat.tasks.wait(id, { signal: controller.signal }).catch(() => {})))
          const elapsedMs = performance.now() - startedAt
          const cpu = process.cpuUsage(cpuBefore)
          clearTimeout(timer)
          onSend = undefined
          return { requests: Math.min(sent, requests), elapsedMs, cpuUs: cpu.user + cpu.system, latenciesMs }
        },
      }
    }
    case 'lean': {
      const getTask = createLeanTaskGetter({
        baseUrl: root,
        accessToken: BENCH_TOKEN,
        fetch: send,
        onRateLimit: () => {},
      })
      return { name, getTask: async (id) => expectTask(await getTask(id), name) }
    }
  }
}
