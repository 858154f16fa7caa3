import { createHash, randomBytes } from 'node:crypto'
import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parse } from 'yaml'

/** An expected failure: the CLI prints its message as one line, without a stack. */
export class SpecToolError extends Error {
  override name = 'SpecToolError'
}

export type JsonObject = { [key: string]: unknown }

/** The subset of `fetch` this package uses, so tests can pass a stub. */
export type FetchLike = (
  url: string,
  init?: { signal?: AbortSignal },
) => Promise<{ ok: boolean; status: number; statusText: string; arrayBuffer(): Promise<ArrayBuffer> }>

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const
export type HttpMethod = (typeof HTTP_METHODS)[number]

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source)
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Plain code-unit order: independent of the machine's locale, so output stays byte-identical everywhere. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

const FETCH_TIMEOUT_MS = 60_000

/** Reads a spec from an http(s) URL or a file path (relative paths resolve against `baseDir`). */
export async function readSourceBytes(
  source: string,
  options: { baseDir: string; fetch?: FetchLike | undefined },
): Promise<Uint8Array> {
  if (isUrl(source)) {
    const doFetch: FetchLike = options.fetch ?? ((url, init) => globalThis.fetch(url, init))
    let response: Awaited<ReturnType<FetchLike>>
    try {
      response = await doFetch(source, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) })
    } catch (error) {
      throw new SpecToolError(`cannot download ${source}: ${errorMessage(error)}`)
    }
    if (!response.ok)
      throw new SpecToolError(`cannot download ${source}: HTTP ${response.status} ${response.statusText}`)
    return new Uint8Array(await response.arrayBuffer())
  }
  const file = path.resolve(options.baseDir, source)
  try {
    return await readFile(file)
  } catch (error) {
    throw new SpecToolError(`cannot read ${file}: ${errorMessage(error)}`)
  }
}

export function parseYaml(text: string, label: string): unknown {
  try {
    return parse(text, { prettyErrors: true })
  } catch (error) {
    throw new SpecToolError(`${label} is not valid YAML: ${firstLine(errorMessage(error))}`)
  }
}

/**
 * Writes through a temp file in the same folder, then renames: readers never see a half-written file,
 * and a failed write leaves the previous file as it was.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file)
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    await writeFile(temp, data, { flag: 'wx' })
    await rename(temp, file)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : ''
    return `${error.message}${cause}`
  }
  return String(error)
}

export function firstLine(text: string): string {
  return text.split('\n')[0] ?? text
}

/** Resolves a local `#/...` JSON pointer reference; undefined when it points nowhere. */
export function resolveLocalRef(doc: unknown, ref: string): unknown {
  if (ref === '#') return doc
  if (!ref.startsWith('#/')) return undefined
  let node: unknown = doc
  for (const raw of ref.slice(2).split('/')) {
    let key: string
    try {
      key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~')
    } catch {
      return undefined
    }
    if (Array.isArray(node)) node = /^\d+$/.test(key) ? node[Number(key)] : undefined
    else if (isPlainObject(node) && Object.hasOwn(node, key)) node = node[key]
    else return undefined
  }
  return node
}

export interface OperationEntry {
  method: HttpMethod
  path: string
  operation: JsonObject
  pathItem: JsonObject
}

export function listOperations(doc: unknown): OperationEntry[] {
  const out: OperationEntry[] = []
  const paths = isPlainObject(doc) && isPlainObject(doc.paths) ? doc.paths : {}
  for (const [p, pathItem] of Object.entries(paths)) {
    if (!isPlainObject(pathItem)) continue
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method]
      if (isPlainObject(operation)) out.push({ method, path: p, operation, pathItem })
    }
  }
  return out
}
