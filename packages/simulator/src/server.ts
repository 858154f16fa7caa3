import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FlatErrorResponse, paths, ScoreDetails, Task } from '@flat-api/raw'
import { type AudioFormat, parseMusicXml, renderAudio } from './audio/index.js'
import { seededRandom } from './random.js'
import type { RequestBody, ResponseBody } from './types.js'

export interface SimulatorOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string
  /** Port; 0 picks a free one. Default 0. */
  port?: number
  /** Bearer tokens accepted; any non-empty token when omitted. */
  tokens?: readonly string[]
  /** How long an export task takes from creation to done, in milliseconds. Default 2000. */
  exportDurationMs?: number
  /** Fraction of export tasks that end in `error`, drawn from the seed. Default 0. */
  failureRate?: number
  /** Seed for ids and failures, so a run is reproducible. Default 1. */
  seed?: number
  /** Time source in epoch milliseconds; inject one to step tasks by hand. Default `Date.now`. */
  now?: () => number
}

export interface LoggedRequest {
  method: string
  /** Path and query as received. */
  url: string
  status: number
  at: number
}

/** How a simulated task moves through its states; times are offsets from creation in milliseconds. */
export interface TaskPlan {
  durationMs: number
  /** Time spent in `created` before work starts. Default 10% of the duration. */
  queuedMs?: number
  /** Whether `doing` reports `progress.percent`. Default true. */
  reportsPercent?: boolean
  /** Terminal state reached at `durationMs`. Default `done`. */
  outcome?: 'done' | 'error' | 'canceled'
  type?: string
}

interface SimTask {
  id: string
  createdAt: number
  plan: Required<TaskPlan>
  format?: AudioFormat
  score?: string
  revision?: string
  parts?: readonly string[]
}

interface SimScore {
  id: string
  revision: string
  title: string
  xml: string
  partIds: string[]
  partNames: string[]
  durationSec: number
  tempoQpm: number
  createdAt: number
}

interface Reply {
  status: number
  headers?: Record<string, string>
  json?: unknown
  bytes?: Uint8Array
}

interface Context {
  req: IncomingMessage
  url: URL
  params: Record<string, string>
  body: unknown
}

type Handler = (ctx: Context) => Reply | Promise<Reply>

interface Route {
  method: string
  pattern: RegExp
  names: string[]
  auth: boolean
  handler: Handler
}

export interface Simulator {
  /** Origin, e.g. `http://127.0.0.1:4010`. */
  readonly url: string
  /** API root, `<url>/v2`: pass it as the SDK's `baseUrl`. */
  readonly baseUrl: string
  /** Every request received, in order. */
  readonly requests: readonly LoggedRequest[]
  /** Adds a task that follows `plan`, for tests that need one without a score. */
  addTask(plan: TaskPlan): Task
  close(): Promise<void>
}

const MAX_BODY_BYTES = 32 * 1024 * 1024

function error(status: number, code: string, message: string, param?: string): Reply {
  const json: FlatErrorResponse = param ? { code, message, param } : { code, message }
  return { status, json }
}

/** A typed JSON reply: the body must match what the spec declares for that operation and status. */
function ok<P extends keyof paths, M extends 'get' | 'post', S extends number>(
  _path: P,
  _method: M,
  status: S,
  json: ResponseBody<P, M, S>,
): Reply {
  return { status, json }
}

function compile(method: string, template: string, auth: boolean, handler: Handler): Route {
  const names: string[] = []
  const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{([^}]+)\\?\}/g, (_, name: string) => {
    names.push(name)
    return '([^/]+)'
  })
  return { method, pattern: new RegExp(`^${source}$`), names, auth, handler }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw Object.assign(new Error('body too large'), { status: 413 })
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

/** Starts a simulator and resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1'
  const now = options.now ?? Date.now
  const exportDurationMs = options.exportDurationMs ?? 2000
  const failureRate = options.failureRate ?? 0
  if (!(exportDurationMs >= 0)) throw new RangeError(`exportDurationMs must be >= 0, got ${exportDurationMs}`)
  if (!(failureRate >= 0 && failureRate <= 1)) {
    throw new RangeError(`failureRate must be between 0 and 1, got ${failureRate}`)
  }
  const random = seededRandom(options.seed ?? 1)
  const tokens = options.tokens ? new Set(options.tokens) : undefined
  const requests: LoggedRequest[] = []
  const tasks = new Map<string, SimTask>()
  const scores = new Map<string, SimScore>()
  const rendered = new Map<string, { bytes: Uint8Array; contentType: string }>()
  let counter = 0
  let origin = ''

  const newId = (): string => {
    counter += 1
    const salt = Math.floor(random() * 0xffffffff)
    return `${counter.toString(16).padStart(8, '0')}${salt.toString(16).padStart(8, '0')}${'0'.repeat(8)}`
  }

  function createTask(plan: TaskPlan, extra: Partial<SimTask> = {}): SimTask {
    const task: SimTask = {
      id: newId(),
      createdAt: now(),
      plan: {
        durationMs: plan.durationMs,
        queuedMs: plan.queuedMs ?? Math.round(plan.durationMs * 0.1),
        reportsPercent: plan.reportsPercent ?? true,
        outcome: plan.outcome ?? 'done',
        type: plan.type ?? 'audio-export',
      },
      ...extra,
    }
    tasks.set(task.id, task)
    return task
  }

  function viewTask(task: SimTask): Task {
    const elapsed = now() - task.createdAt
    const { durationMs, queuedMs, reportsPercent, outcome, type } = task.plan
    const created = new Date(task.createdAt).toISOString()
    const view: Task = { id: task.id, type, state: 'created', creationDate: created, modificationDate: created }
    if (task.format) view.format = task.format
    if (task.score) view.score = task.score
    if (task.revision) view.revision = task.revision
    if (elapsed >= durationMs) {
      const finished = new Date(task.createdAt + durationMs).toISOString()
      view.state = outcome
      view.modificationDate = finished
      if (outcome === 'done') {
        view.doneDate = finished
        view.progress = { percent: 100 }
        if (task.format) view.result = { url: `${origin}/files/${task.id}.${task.format}` }
      } else if (outcome === 'error') {
        view.result = { error: 'Rendering failed' }
        view.errorHistory = ['RENDER_FAILED']
      }
    } else if (elapsed >= queuedMs) {
      view.state = 'doing'
      view.modificationDate = new Date(now()).toISOString()
      const fraction = (elapsed - queuedMs) / Math.max(1, durationMs - queuedMs)
      view.progress = reportsPercent ? { percent: Math.min(99, Math.floor(fraction * 100)) } : { text: 'Rendering' }
    }
    return { ...view, isCancellable: view.state === 'created' }
  }

  function viewScore(score: SimScore): ScoreDetails {
    return {
      id: score.id,
      title: score.title,
      privacy: 'private',
      user: { id: 'simulator-user', type: 'user', product: 'flat', username: 'simulator', picture: null },
      htmlUrl: `${origin}/score/${score.id}`,
      editHtmlUrl: `${origin}/score/${score.id}/edit`,
      creationDate: new Date(score.createdAt).toISOString(),
      collaborators: [],
      instruments: score.partIds.map(() => 'piano'),
      instrumentsNames: score.partNames,
      samples: score.partIds.map(() => 'piano'),
      durationTime: score.durationSec,
      mainTempoQpm: score.tempoQpm,
      creationType: 'original',
    }
  }

  const routes: Route[] = [
    compile('POST', '/v2/scores', true, ({ body }) => {
      const creation = body as RequestBody<'/scores', 'post'> | undefined
      if (!creation || typeof creation !== 'object' || !('data' in creation) || typeof creation.data !== 'string') {
        return error(400, 'BAD_REQUEST', 'Only file imports with a string `data` are simulated', 'data')
      }
      const xml =
        creation.dataEncoding === 'base64' ? Buffer.from(creation.data, 'base64').toString('utf8') : creation.data
      let parsed: ReturnType<typeof parseMusicXml>
      try {
        parsed = parseMusicXml(xml)
      } catch (cause) {
        return error(400, 'IMPORT_FAILED', `The file could not be imported: ${(cause as Error).message}`, 'data')
      }
      const score: SimScore = {
        id: newId(),
        revision: newId(),
        title: creation.title ?? parsed.title,
        xml,
        partIds: parsed.parts.map((part) => part.id),
        partNames: parsed.parts.map((part) => part.name),
        durationSec: parsed.durationSec,
        tempoQpm: parsed.tempoQpm,
        createdAt: now(),
      }
      scores.set(score.id, score)
      const view = viewScore(score)
      return { ...ok('/scores', 'post', 200, view), headers: { 'X-Flat-Score-Revision': score.revision } }
    }),
    compile('GET', '/v2/scores/{score}', true, ({ params }) => {
      const score = scores.get(params.score ?? '')
      if (!score) return error(404, 'SCORE_NOT_FOUND', 'Score not found')
      return ok('/scores/{score}', 'get', 200, viewScore(score))
    }),
    compile('POST', '/v2/scores/{score}/revisions/{revision}/{format}/task', true, ({ params, body }) => {
      const score = scores.get(params.score ?? '')
      if (!score) return error(404, 'SCORE_NOT_FOUND', 'Score not found')
      if (params.revision !== 'last' && params.revision !== score.revision) {
        return error(404, 'REVISION_NOT_FOUND', 'Revision not found')
      }
      const format = params.format
      if (format !== 'mp3' && format !== 'wav') {
        return error(400, 'UNSUPPORTED_FORMAT', `Export format ${JSON.stringify(format)} is not simulated`, 'format')
      }
      const options = (body ?? {}) as RequestBody<'/scores/{score}/revisions/{revision}/{format}/task', 'post'>
      const parts = options.parts
      if (parts !== undefined) {
        if (!Array.isArray(parts)) return error(400, 'BAD_REQUEST', '`parts` must be an array', 'parts')
        const unknown = parts.find((part) => !score.partIds.includes(part))
        if (unknown !== undefined) return error(400, 'BAD_REQUEST', `Unknown part ${JSON.stringify(unknown)}`, 'parts')
      }
      const outcome = random() < failureRate ? 'error' : 'done'
      const task = createTask(
        { durationMs: exportDurationMs, outcome },
        { format, score: score.id, revision: score.revision, ...(parts ? { parts } : {}) },
      )
      return ok('/scores/{score}/revisions/{revision}/{format}/task', 'post', 200, viewTask(task))
    }),
    compile('GET', '/v2/tasks/{task}', true, ({ params }) => {
      const task = tasks.get(params.task ?? '')
      if (!task) return error(404, 'TASK_NOT_FOUND', 'Task not found')
      return ok('/tasks/{task}', 'get', 200, viewTask(task))
    }),
    // The rendered files stand in for Flat's file host: no token, as a signed URL needs none.
    compile('GET', '/files/{file}', false, ({ params }) => {
      const match = /^([0-9a-f]+)\.(mp3|wav)$/.exec(params.file ?? '')
      const task = match ? tasks.get(match[1] ?? '') : undefined
      if (!match || !task?.score || viewTask(task).state !== 'done') return error(404, 'FILE_NOT_FOUND', 'No such file')
      const format = match[2] as AudioFormat
      const key = `${task.id}.${format}`
      let file = rendered.get(key)
      if (!file) {
        const score = scores.get(task.score)
        if (!score) return error(404, 'FILE_NOT_FOUND', 'No such file')
        file = renderAudio(score.xml, format, task.parts ? { partIds: task.parts } : {})
        rendered.set(key, file)
      }
      return {
        status: 200,
        bytes: file.bytes,
        headers: {
          'Content-Type': file.contentType,
          'Content-Disposition': `attachment; filename="${task.score}.${format}"`,
        },
      }
    }),
  ]

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<Reply> {
    const url = new URL(req.url ?? '/', origin)
    const candidates = routes.filter((route) => route.pattern.test(url.pathname))
    if (candidates.length === 0) return error(404, 'NOT_FOUND', `No route for ${url.pathname}`)
    const route = candidates.find((candidate) => candidate.method === req.method)
    if (!route) {
      res.setHeader('Allow', candidates.map((candidate) => candidate.method).join(', '))
      return error(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url.pathname}`)
    }
    if (route.auth) {
      const header = req.headers.authorization ?? ''
      const token = /^Bearer (.+)$/.exec(header)?.[1]
      if (!token || (tokens && !tokens.has(token))) {
        return error(401, 'UNAUTHORIZED', 'A valid bearer token is required')
      }
    }
    const match = route.pattern.exec(url.pathname) as RegExpExecArray
    const params: Record<string, string> = {}
    for (const [index, name] of route.names.entries()) {
      try {
        params[name] = decodeURIComponent(match[index + 1] ?? '')
      } catch {
        return error(400, 'BAD_REQUEST', `Malformed path parameter ${name}`, name)
      }
    }
    let body: unknown
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const raw = await readBody(req)
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw.toString('utf8'))
        } catch {
          return error(400, 'BAD_REQUEST', 'The body is not valid JSON')
        }
      }
    }
    return route.handler({ req, url, params, body })
  }

  const server: Server = createServer((req, res) => {
    handle(req, res)
      .catch((cause: unknown) => {
        const status = (cause as { status?: number }).status ?? 500
        return error(status, status === 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST', (cause as Error).message)
      })
      .then((result) => {
        requests.push({ method: req.method ?? '', url: req.url ?? '', status: result.status, at: now() })
        for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value)
        if (result.bytes) {
          res.writeHead(result.status, { 'Content-Length': result.bytes.byteLength })
          res.end(result.bytes)
          return
        }
        const text = JSON.stringify(result.json)
        res.writeHead(result.status, {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': Buffer.byteLength(text),
        })
        res.end(text)
      })
  })

  server.listen(options.port ?? 0, host)
  await once(server, 'listening')
  const address = server.address() as AddressInfo
  origin = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`

  return {
    url: origin,
    baseUrl: `${origin}/v2`,
    requests,
    addTask: (plan) => viewTask(createTask(plan)),
    async close() {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}
