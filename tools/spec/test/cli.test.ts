import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type CliIo, runCli } from '../src/cli.js'
import { formatLock, readLock } from '../src/lock.js'
import { loopbackFetch, makeTempRepo, PACKAGE_ROOT, SHA_2_22_0, sharedSpec } from './helpers.js'

const exec = promisify(execFile)

describe('cli', () => {
  let root: string
  let cleanup: () => Promise<void>
  beforeEach(async () => {
    ;({ root, cleanup } = await makeTempRepo())
  })
  afterEach(async () => cleanup())

  async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
    let stdout = ''
    let stderr = ''
    const io: CliIo = {
      stdout: (t) => {
        stdout += t
      },
      stderr: (t) => {
        stderr += t
      },
      env: { FLAT_REPO_ROOT: root, ...env },
      cwd: root,
      fetch: loopbackFetch,
    }
    const code = await runCli(args, io)
    return { code, stdout, stderr }
  }

  it('prints help', async () => {
    const result = await run(['--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(
      /sync[\s\S]*update <path-or-url> \[--source <url>\][\s\S]*diff <old> <new> \[--json\]/,
    )
  })

  it('syncs and prints one summary line', async () => {
    const result = await run(['sync'], { FLAT_OPENAPI_SPEC: sharedSpec('2.24.0') })
    expect(result.code).toBe(0)
    expect(result.stdout.trim().split('\n')).toHaveLength(1)
    expect(result.stdout).toContain('118 operations')
  })

  it('updates the lock, recording --source', async () => {
    const result = await run(['update', sharedSpec('2.22.0'), '--source', 'https://example.invalid/spec.yaml'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('2.24.0')
    expect(result.stdout).toContain('→ 2.22.0')
    expect(await readLock(root)).toEqual({
      version: '2.22.0',
      source: 'https://example.invalid/spec.yaml',
      sha256: SHA_2_22_0,
    })
  })

  it('diffs as text and as JSON, with exit code 0', async () => {
    const text = await run(['diff', sharedSpec('2.22.0'), sharedSpec('2.24.0')])
    expect(text.code).toBe(0)
    expect(text.stdout.split('\n')[0]).toBe('Flat API 2.22.0 → 2.24.0')
    const json = await run(['diff', sharedSpec('2.22.0'), sharedSpec('2.24.0'), '--json'])
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout).summary.operationsAdded).toBe(10)
  })

  it.each([
    [['nope'], /^spec nope: unknown command "nope"/],
    [[], /^spec: no command given/],
    [['diff', 'a.yaml'], /^spec diff: usage: spec diff <old> <new>/],
    [['sync', '--json'], /^spec sync: --json does not apply to sync/],
    [['sync', '--bogus'], /^spec: Unknown option '--bogus'/],
  ])('fails with one line on stderr for %j', async (args, pattern) => {
    const result = await run(args)
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(pattern)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('exits 1 with a one-line error from a real process on a sha256 mismatch', async () => {
    const lockFile = path.join(root, 'openapi', 'flat-api.lock.json')
    await writeFile(lockFile, formatLock({ ...(await readLock(root)), sha256: 'c'.repeat(64) }))
    const before = await readFile(lockFile, 'utf8')
    const error = (await exec(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'sync'], {
      cwd: PACKAGE_ROOT,
      env: { ...process.env, FLAT_REPO_ROOT: root, FLAT_OPENAPI_SPEC: sharedSpec('2.24.0') },
    }).catch((e: unknown) => e)) as { code: number; stdout: string; stderr: string }
    expect(error.code).toBe(1)
    expect(error.stdout).toBe('')
    const lines = error.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(
      /^spec sync: sha256 mismatch for .*flat-api-2\.24\.0\.yaml: the lock expects c{64}, the file has 6035/,
    )
    expect(await readFile(lockFile, 'utf8')).toBe(before)
  }, 30_000)
})
