import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { diffSpecs, formatDiffJson, formatDiffText } from './diff.js'
import { assertOpenApi3 } from './openapi.js'
import { findRepoRoot } from './repo.js'
import { syncSpec } from './sync.js'
import { updateLock } from './update.js'
import {
  errorMessage,
  type FetchLike,
  isUrl,
  type JsonObject,
  parseYaml,
  readSourceBytes,
  SpecToolError,
} from './util.js'

export const USAGE = `Usage: spec <command> [options]

Commands:
  sync                                  Verify the pinned spec against the lock's sha256, apply
                                        openapi/overlays/*.yaml, write openapi/flat-api.yaml
  update <path-or-url> [--source <url>] Pin another upstream spec in openapi/flat-api.lock.json;
                                        --source is what the lock records (default: the argument)
  diff <old> <new> [--json]             Operation-level changelog between two specs (paths or URLs)

Options:
  -h, --help                            Show this help

Environment:
  FLAT_OPENAPI_SPEC   sync reads the spec from this file (relative to the repo root) or URL
                      instead of the lock's source; its sha256 must still match the lock
  FLAT_REPO_ROOT      repo root to use instead of the one holding this tool
`

export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  env: NodeJS.ProcessEnv
  cwd: string
  fetch?: FetchLike | undefined
}

const defaultIo = (): CliIo => ({
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
})

/** Runs one command; returns the exit code. Every failure is one line on stderr and exit code 1. */
export async function runCli(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  let command = ''
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        json: { type: 'boolean' },
        source: { type: 'string' },
      },
    })
    const [name, ...rest] = positionals
    if (values.help) {
      io.stdout(USAGE)
      return 0
    }
    if (!name) throw new SpecToolError('no command given (try --help)')
    command = name
    const only = (allowed: readonly string[]): void => {
      for (const option of ['json', 'source'] as const) {
        if (values[option] !== undefined && !allowed.includes(option)) {
          throw new SpecToolError(`--${option} does not apply to ${name}`)
        }
      }
    }
    const arity = (count: number, shape: string): void => {
      if (rest.length !== count) throw new SpecToolError(`usage: spec ${name} ${shape}`)
    }

    switch (name) {
      case 'sync': {
        only([])
        arity(0, '')
        const result = await syncSpec({ repoRoot: findRepoRoot(io.env), env: io.env, fetch: io.fetch })
        io.stdout(`${result.summary}\n`)
        return 0
      }
      case 'update': {
        only(['source'])
        arity(1, '<path-or-url> [--source <url>]')
        const result = await updateLock({
          repoRoot: findRepoRoot(io.env),
          input: rest[0] as string,
          source: values.source,
          cwd: io.cwd,
          fetch: io.fetch,
        })
        io.stdout(`${result.summary}\n`)
        if (!isUrl(result.lock.source)) {
          io.stdout('note: the lock now points at a local file; pass --source <url> to pin the public URL\n')
        }
        return 0
      }
      case 'diff': {
        only(['json'])
        arity(2, '<old> <new> [--json]')
        const before = await loadSpec(rest[0] as string, io)
        const after = await loadSpec(rest[1] as string, io)
        const diff = diffSpecs(before, after)
        io.stdout(values.json ? formatDiffJson(diff) : formatDiffText(diff))
        return 0
      }
      default:
        throw new SpecToolError(`unknown command "${name}" (try --help)`)
    }
  } catch (error) {
    const prefix = command ? `spec ${command}` : 'spec'
    io.stderr(`${prefix}: ${errorMessage(error).replace(/\s*\n\s*/g, ' ')}\n`)
    return 1
  }
}

async function loadSpec(input: string, io: CliIo): Promise<JsonObject> {
  const bytes = await readSourceBytes(input, { baseDir: io.cwd, fetch: io.fetch })
  const doc = parseYaml(Buffer.from(bytes).toString('utf8'), input)
  assertOpenApi3(doc, input)
  return doc
}

const invokedPath = process.argv[1]
if (invokedPath && import.meta.url === pathToFileURL(path.resolve(invokedPath)).href) {
  process.exitCode = await runCli(process.argv.slice(2))
}
