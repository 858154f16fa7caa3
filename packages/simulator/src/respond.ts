import type { ServerResponse } from 'node:http'
import type { FlatErrorResponse } from '@flat-api/raw'
import { type Fault, hugeJson } from './faults.js'
import type { Reply } from './http.js'

/** How a response is cut short by a fault, after the handler ran. */
export type Cut = 'after-headers' | 'mid-body' | 'truncated'

const EMPTY = Buffer.alloc(0)

function bodyOf(reply: Reply): { body: Buffer; type?: string } {
  if (reply.bytes) return { body: Buffer.from(reply.bytes.buffer, reply.bytes.byteOffset, reply.bytes.byteLength) }
  if (reply.json !== undefined)
    return { body: Buffer.from(JSON.stringify(reply.json)), type: 'application/json; charset=utf-8' }
  return { body: EMPTY }
}

/** Writes a reply: `base` headers (CORS, rate limit) first, the reply's own headers over them. */
export function send(res: ServerResponse, reply: Reply, base: Readonly<Record<string, string>>, cut?: Cut): void {
  const { body, type } = bodyOf(reply)
  const headers: Record<string, string | number> = { ...base }
  if (type) headers['Content-Type'] = type
  if (reply.headers) Object.assign(headers, reply.headers)
  const bodyless = reply.status === 204 || reply.status === 304
  if (!bodyless) headers['Content-Length'] = body.length
  res.writeHead(reply.status, headers)

  if (!cut) {
    res.end(bodyless ? undefined : body)
    return
  }
  const reset = () => {
    const socket = res.socket
    if (!socket) return
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy()
    else socket.destroy()
  }
  if (cut === 'after-headers') {
    res.flushHeaders()
    setImmediate(reset)
    return
  }
  // Half the body, then the socket goes: `Content-Length` still promises all of it.
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => {
    if (cut === 'truncated') res.socket?.destroy()
    else reset()
  })
}

/** The reply a fault gives instead of running the operation, or undefined when the operation runs. */
export function faultReply(fault: Fault, selfUrl: string, now: number, limit: number): Reply | undefined {
  switch (fault.kind) {
    case 'serverError': {
      if (fault.empty) return { status: fault.status }
      const json: FlatErrorResponse =
        fault.status === 500
          ? { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side', id: `sim-${now.toString(36)}` }
          : { code: fault.status === 502 ? 'BAD_GATEWAY' : 'SERVICE_UNAVAILABLE', message: 'Try again later' }
      return { status: fault.status, json }
    }
    case 'rateLimit':
      return {
        status: 403,
        json: { code: 'API_RATE_LIMIT_EXCEEDED', message: 'API rate limit exceeded' } satisfies FlatErrorResponse,
        headers: {
          'X-RateLimit-Limit': String(limit),
          'X-RateLimit-Remaining': '-1',
          'X-RateLimit-Reset': String(Math.ceil(now / 1000) + fault.resetInSec),
        },
      }
    case 'malformedJson':
      return {
        status: 200,
        bytes: Buffer.from(fault.body),
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
      }
    case 'hugeBody':
      return {
        status: 200,
        bytes: hugeJson(fault.bytes),
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
      }
    case 'redirectLoop':
      return { status: 302, headers: { Location: selfUrl } }
    default:
      return undefined
  }
}

/** The cut a fault makes to the operation's real answer. */
export function faultCut(fault: Fault | undefined): Cut | undefined {
  if (fault?.kind === 'connectionReset') return fault.afterHeaders ? 'after-headers' : 'mid-body'
  if (fault?.kind === 'truncatedJson') return 'truncated'
  return undefined
}
