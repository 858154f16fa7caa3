import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface StaticFile {
  contentType: string
  body: string | Uint8Array
}

export interface StaticServer {
  /** Origin, e.g. `http://127.0.0.1:41234`. */
  readonly url: string
  /** Paths requested, in order, with the status each got. */
  readonly requests: readonly { method: string; path: string; status: number }[]
  close(): Promise<void>
}

/** Serves a fixed set of files on 127.0.0.1: enough to load a page, never a directory on disk. */
export async function startStaticServer(files: ReadonlyMap<string, StaticFile>): Promise<StaticServer> {
  const requests: { method: string; path: string; status: number }[] = []
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    const file = req.method === 'GET' || req.method === 'HEAD' ? files.get(path) : undefined
    const status = file ? 200 : 404
    requests.push({ method: req.method ?? '', path, status })
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found')
      return
    }
    const body = typeof file.body === 'string' ? Buffer.from(file.body) : file.body
    res.writeHead(200, {
      'Content-Type': file.contentType,
      'Content-Length': body.byteLength,
      'Cache-Control': 'no-store',
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}
