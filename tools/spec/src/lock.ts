import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { errorMessage, isPlainObject, SpecToolError, writeFileAtomic } from './util.js'

/** `openapi/flat-api.lock.json`: which upstream spec the project is built from. */
export interface SpecLock {
  version: string
  source: string
  sha256: string
}

export const LOCK_FILE = path.join('openapi', 'flat-api.lock.json')

export function lockPath(repoRoot: string): string {
  return path.join(repoRoot, LOCK_FILE)
}

export async function readLock(repoRoot: string): Promise<SpecLock> {
  const file = lockPath(repoRoot)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new SpecToolError(`cannot read ${file}: ${errorMessage(error)}`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new SpecToolError(`${file} is not valid JSON: ${errorMessage(error)}`)
  }
  if (
    !isPlainObject(value) ||
    typeof value.version !== 'string' ||
    typeof value.source !== 'string' ||
    typeof value.sha256 !== 'string' ||
    !/^[0-9a-f]{64}$/.test(value.sha256)
  ) {
    throw new SpecToolError(`${file} must hold { "version", "source", "sha256" (64 lowercase hex digits) }`)
  }
  return { version: value.version, source: value.source, sha256: value.sha256 }
}

export function formatLock(lock: SpecLock): string {
  return `${JSON.stringify({ version: lock.version, source: lock.source, sha256: lock.sha256 }, null, 2)}\n`
}

export async function writeLock(repoRoot: string, lock: SpecLock): Promise<void> {
  await writeFileAtomic(lockPath(repoRoot), formatLock(lock))
}
