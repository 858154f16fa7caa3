import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CORS_HEADERS, preflightHeaders } from './cors.js'
import type { FaultInjector } from './faults.js'
import { contentDisposition } from './formats/disposition.js'
import type { Reply } from './http.js'
import { faultCut, faultReply, send } from './respond.js'
import type { Timers } from './timers.js'

export interface FileHostRequest {
  method: string
  url: string
  /** Whether the request carried an `Authorization` header: a client should never send its token here. */
  authorization: boolean
  status: number
  at: number
}

export interface FileHostInfo {
  /** Origin of the file host, e.g. `http://127.0.0.1:4011`: another origin than the API. */
  readonly url: string
  /** Every request the file host received, in order. */
  readonly requests: readonly FileHostRequest[]
}

export interface FileSource {
  contentType: string
  /** Suggested download name, any characters: sent RFC 5987 encoded. */
  filename: string
  render: () => Uint8Array
}

/** Rendered files kept in memory; older ones are rendered again on demand. */
const CACHE_SIZE = 64

/**
 * A second origin that serves exported and revision files without authentication, as the signed URLs of Flat's
 * storage do. Files are registered by key and rendered lazily on first download.
 */
export class FileHost implements FileHostInfo {
  readonly requests: FileHostRequest[] = []
  url = ''
  private readonly server: Server
  private readonly sources = new Map<string, FileSource>()
  private readonly ids = new Map<string, string>()
  private readonly cache = new Map<string, Uint8Array>()

  constructor(
    private readonly now: () => number,
    private readonly secret: string,
    private readonly faults: FaultInjector,
    private readonly logRequests: boolean,
    private readonly timers: Timers,
  ) {
    this.server = createServer((req, res) => this.handle(req, res))
    // As on the API: idle sockets outlive the client's keep-alive, so none is reused while closing.
    this.server.keepAliveTimeout = 65_000
  }

  async listen(host: string, port: number): Promise<void> {
    this.server.listen(port, host)
    await once(this.server, 'listening')
    const address = this.server.address() as AddressInfo
    this.url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    this.server.close()
    await once(this.server, 'close')
  }

  /** The download URL for `key` (stable: the same key gives the same URL). */
  register(key: string, source: FileSource): string {
    let id = this.ids.get(key)
    if (!id) {
      id = createHash('sha256').update(`${this.secret}\n${key}`).digest('base64url').slice(0, 32)
      this.ids.set(key, id)
      this.sources.set(id, source)
    }
    return `${this.url}/files/${id}`
  }

  /** Renders (or takes from the cache) the bytes of a registered file. */
  private bytes(id: string, source: FileSource): Uint8Array {
    let bytes = this.cache.get(id)
    if (bytes) {
      // Refresh its place, so the cache evicts the least recently downloaded file.
      this.cache.delete(id)
    } else {
      bytes = source.render()
    }
    this.cache.set(id, bytes)
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string)
    return bytes
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET'
    const url = req.url ?? '/'
    const entry: FileHostRequest = {
      method,
      url,
      authorization: req.headers.authorization !== undefined,
      status: 0,
      at: this.now(),
    }
    if (this.logRequests) this.requests.push(entry)
    const reply = (result: Reply, cut?: Parameters<typeof send>[3]) => {
      entry.status = result.status
      send(res, result, CORS_HEADERS, cut)
    }
    if (method === 'OPTIONS') {
      entry.status = 204
      send(res, { status: 204 }, preflightHeaders(req))
      return
    }
    const pathname = url.split('?', 1)[0] ?? '/'
    const fault = this.faults.draw(method, url, pathname, this.now(), true)
    if (fault?.kind === 'slow') {
      this.timers.set(() => this.serve(method, pathname, reply), fault.delayMs)
      return
    }
    const instead = fault ? faultReply(fault, `${this.url}${url}`, this.now(), 0) : undefined
    if (instead) {
      reply(instead)
      return
    }
    this.serve(method, pathname, reply, faultCut(fault))
  }

  private serve(
    method: string,
    pathname: string,
    reply: (result: Reply, cut?: Parameters<typeof send>[3]) => void,
    cut?: Parameters<typeof send>[3],
  ): void {
    const id = /^\/files\/([A-Za-z0-9_-]+)$/.exec(pathname)?.[1]
    const source = id ? this.sources.get(id) : undefined
    if (!id || !source) {
      reply({
        status: 404,
        bytes: Buffer.from('Not Found\n'),
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      })
      return
    }
    if (method !== 'GET' && method !== 'HEAD') {
      reply({ status: 405, headers: { Allow: 'GET, HEAD, OPTIONS' } })
      return
    }
    let bytes: Uint8Array
    try {
      bytes = this.bytes(id, source)
    } catch (cause) {
      const message = `Rendering failed: ${(cause as Error).message}\n`
      reply({ status: 500, bytes: Buffer.from(message), headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
      return
    }
    const headers = {
      'Content-Type': source.contentType,
      'Content-Disposition': contentDisposition(source.filename),
      'Cache-Control': 'private, max-age=3600',
    }
    reply({ status: 200, bytes, headers }, cut)
  }
}
