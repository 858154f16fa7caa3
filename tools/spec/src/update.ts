import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { lockPath, readLock, type SpecLock, writeLock } from './lock.js'
import { assertOpenApi3, openApiInfo } from './openapi.js'
import { CACHE_DIR } from './sync.js'
import { type FetchLike, isUrl, parseYaml, readSourceBytes, SpecToolError, sha256Hex, writeFileAtomic } from './util.js'

export interface UpdateOptions {
  repoRoot: string
  /** An http(s) URL or a file path; relative paths resolve against `cwd`. */
  input: string
  /** What the lock records as the source, e.g. the pinned public URL of a file downloaded by hand. */
  source?: string | undefined
  cwd?: string | undefined
  fetch?: FetchLike | undefined
}

export interface UpdateResult {
  previous: SpecLock | undefined
  lock: SpecLock
  summary: string
}

/** Pins a new upstream spec: checks it is OpenAPI 3.x, then rewrites the lock. A rejected input leaves the lock as it was. */
export async function updateLock(options: UpdateOptions): Promise<UpdateResult> {
  const { repoRoot, input } = options
  const cwd = options.cwd ?? process.cwd()
  const bytes = await readSourceBytes(input, { baseDir: cwd, fetch: options.fetch })
  const doc = parseYaml(Buffer.from(bytes).toString('utf8'), input)
  assertOpenApi3(doc, input)
  const { version } = openApiInfo(doc)
  const sha256 = sha256Hex(bytes)

  const previous = await readLock(repoRoot).catch((error: unknown) => {
    // A missing lock is fine (first pin); a present but broken one is not silently replaced.
    if (error instanceof SpecToolError && error.message.startsWith(`cannot read ${lockPath(repoRoot)}`))
      return undefined
    throw error
  })
  const lock: SpecLock = { version, source: options.source || recordedSource(input, cwd, repoRoot), sha256 }
  if (isUrl(input)) {
    // The download is already verified by construction: keep it so the next sync needs no network.
    const cacheFile = path.join(repoRoot, CACHE_DIR, `${sha256}.yaml`)
    await mkdir(path.dirname(cacheFile), { recursive: true })
    await writeFileAtomic(cacheFile, bytes)
  }
  await writeLock(repoRoot, lock)

  const from = previous ? `${previous.version} (sha256 ${previous.sha256.slice(0, 12)}…)` : 'nothing'
  return { previous, lock, summary: `lock: ${from} → ${version} (sha256 ${sha256.slice(0, 12)}…) from ${lock.source}` }
}

/**
 * A URL or absolute path is recorded as given. `sync` resolves a relative path against the repo root, so a relative
 * path given from elsewhere is rewritten relative to the root to keep pointing at the same file.
 */
function recordedSource(input: string, cwd: string, repoRoot: string): string {
  if (isUrl(input) || path.isAbsolute(input)) return input
  const absolute = path.resolve(cwd, input)
  if (absolute === path.resolve(repoRoot, input)) return input
  return path.relative(repoRoot, absolute).split(path.sep).join('/')
}
