import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FlatErrorResponse, paths } from '@flat-api/raw'
import type { ResponseBody } from './types.js'

/** What a handler answers; the server adds CORS, rate-limit headers and the framing. */
export interface Reply {
  status: number
  headers?: Record<string, string>
  /** Serialized as `application/json`. */
  json?: unknown
  /** Sent as is; set `Content-Type` in `headers`. */
  bytes?: Uint8Array
}

/** A handler that already answered (or whose client went away) returns this: nothing more is sent. */
export const NO_REPLY: Reply = Object.freeze({ status: 0 })

export interface RequestContext {
  req: IncomingMessage
  res: ServerResponse
  pathname: string
  query: URLSearchParams
  params: Record<string, string>
  /** JSON value, form fields as a record, or undefined for an empty body. */
  body: unknown
}

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>

/**
 * How a route reads its body: `json` (also accepted without a content type, as many clients send), `form` for the
 * operations declared as `application/x-www-form-urlencoded` (an empty body is fine), or `none`.
 */
export type BodyKind = 'json' | 'form' | 'none'

export interface RouteOptions {
  /** Bearer token required. Default true. */
  auth?: boolean
  body?: BodyKind
}

interface Route {
  method: string
  template: string
  segments: readonly (string | { param: string })[]
  auth: boolean
  body: BodyKind
  handler: Handler
}

type RouteMatch =
  | { kind: 'route'; route: Route; params: Record<string, string> }
  | { kind: 'method'; allowed: string[] }
  | { kind: 'none' }
  | { kind: 'bad-param'; param: string }

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly param?: string,
  ) {
    super(message)
  }
}

export function fail(status: number, code: string, message: string, param?: string): Reply {
  const json: FlatErrorResponse = param ? { code, message, param } : { code, message }
  return { status, json }
}

/** A typed JSON reply: the body must be what the spec declares for that operation and status. */
export function ok<P extends keyof paths, M extends 'get' | 'post' | 'put' | 'delete', S extends number>(
  _path: P,
  _method: M,
  status: S,
  json: ResponseBody<P, M, S>,
  headers?: Record<string, string>,
): Reply {
  return headers ? { status, json, headers } : { status, json }
}

export const noContent: Reply = Object.freeze({ status: 204 })

/** Routes grouped by segment count, matched segment by segment: no regex on the hot path. */
export class Router {
  private readonly bySize = new Map<number, Route[]>()

  add(method: string, template: string, options: RouteOptions, handler: Handler): void {
    const segments = template.split('/').map((part) => {
      const name = /^\{(.+)\}$/.exec(part)?.[1]
      return name ? { param: name } : part
    })
    const route: Route = {
      method,
      template,
      segments,
      auth: options.auth ?? true,
      body: options.body ?? 'none',
      handler,
    }
    const group = this.bySize.get(segments.length) ?? []
    group.push(route)
    this.bySize.set(segments.length, group)
  }

  match(method: string, pathname: string): RouteMatch {
    const parts = pathname.split('/')
    const group = this.bySize.get(parts.length)
    if (!group) return { kind: 'none' }
    const allowed: string[] = []
    for (const route of group) {
      if (!fits(route, parts)) continue
      if (route.method !== method) {
        allowed.push(route.method)
        continue
      }
      const params: Record<string, string> = {}
      for (let i = 0; i < parts.length; i++) {
        const segment = route.segments[i]
        if (typeof segment === 'string' || segment === undefined) continue
        try {
          params[segment.param] = decodeURIComponent(parts[i] as string)
        } catch {
          return { kind: 'bad-param', param: segment.param }
        }
      }
      return { kind: 'route', route, params }
    }
    return allowed.length > 0 ? { kind: 'method', allowed } : { kind: 'none' }
  }
}

function fits(route: Route, parts: readonly string[]): boolean {
  for (let i = 0; i < parts.length; i++) {
    const segment = route.segments[i]
    const part = parts[i] as string
    if (typeof segment === 'string' ? segment !== part : part === '') return false
  }
  return true
}

const MAX_BODY_BYTES = 32 * 1024 * 1024

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', 'The body is larger than 32 MiB')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

/** Reads and decodes the body as the route declares it; throws `HttpError` for a body it must refuse. */
export async function parseBody(req: IncomingMessage, kind: BodyKind): Promise<unknown> {
  if (kind === 'none') return undefined
  const raw = await readBody(req)
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (kind === 'form') {
    if (raw.length === 0) return {}
    if (type !== 'application/x-www-form-urlencoded') {
      throw new HttpError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        `This operation takes an application/x-www-form-urlencoded body, not ${type || 'an untyped one'}`,
      )
    }
    return Object.fromEntries(new URLSearchParams(raw.toString('utf8')))
  }
  if (raw.length === 0) return undefined
  if (type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data') {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `This operation takes a JSON body, not ${type}`)
  }
  try {
    return JSON.parse(raw.toString('utf8'))
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', 'The body is not valid JSON')
  }
}

/** Parses a boolean query parameter the way the API does; throws `HttpError` naming it otherwise. */
export function booleanParam(query: URLSearchParams, name: string): boolean | undefined {
  const value = query.get(name)
  if (value === null) return undefined
  if (value === 'true' || value === '1') return true
  if (value === 'false' || value === '0') return false
  throw new HttpError(400, 'BAD_REQUEST', `${name} must be true or false`, name)
}

/** Parses an integer query parameter within bounds; throws `HttpError` naming it otherwise. */
export function integerParam(query: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const value = query.get(name)
  if (value === null) return undefined
  const number = /^-?\d+$/.test(value) ? Number(value) : Number.NaN
  if (!(number >= min && number <= max)) {
    throw new HttpError(400, 'BAD_REQUEST', `${name} must be an integer from ${min} to ${max}, got ${value}`, name)
  }
  return number
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
