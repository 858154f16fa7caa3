/**
 * Codegen and tooling times: regenerating the raw types from the resolved spec, a no-op `npm test` (the second of two
 * turbo runs of lint, typecheck and test, which should be a full cache hit), and `tsc --noEmit` of a consumer file
 * using twenty operations through our client against one using flat-api's API classes (and an empty baseline).
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { median, round, roundOrder } from './measure.js'

export interface CodegenOptions {
  generateRuns: number
  tscRuns: number
  /** Runs the two turbo passes; off in the smoke test, which itself runs inside turbo. */
  turbo: boolean
  generate: boolean
}

export const CODEGEN_FULL: CodegenOptions = { generateRuns: 3, tscRuns: 3, turbo: true, generate: true }
export const CODEGEN_QUICK: CodegenOptions = { generateRuns: 1, tscRuns: 1, turbo: true, generate: true }

export const CONSUMERS = ['ours', 'flat-api', 'empty'] as const
export type Consumer = (typeof CONSUMERS)[number]

export interface TscFigures {
  wallMs: number
  checkMs: number
  totalMs: number
  types: number
  instantiations: number
  memoryKb: number
  errors: number
}

export interface CodegenResult {
  options: CodegenOptions
  generate?: { wallMs: number; runs: number; deterministic: boolean }
  noopTest?: {
    command: string
    firstWallMs: number
    firstExitCode: number
    wallMs: number
    exitCode: number
    cached: number
    total: number
    fullCacheHit: boolean
    /** Tasks turbo reported as failed on the second pass. */
    failed: string[]
  }
  tsc: Record<Consumer, TscFigures> & { oursOverFlatApi: number; oursOverFlatApiAboveBaseline: number }
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const benchRoot = fileURLToPath(new URL('../', import.meta.url))

interface Ran {
  wallMs: number
  code: number
  out: string
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now()
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    child.once('error', reject)
    child.once('close', (code) => resolve({ wallMs: performance.now() - startedAt, code: code ?? -1, out }))
  })
}

async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex')
}

async function timeGenerate(runs: number): Promise<NonNullable<CodegenResult['generate']>> {
  const rawRoot = `${repoRoot}packages/raw/`
  const output = `${rawRoot}src/generated/schema.gen.ts`
  const before = await sha256(output).catch(() => '')
  const times: number[] = []
  for (let i = 0; i < runs; i += 1) {
    const result = await run(process.execPath, ['--import', 'tsx', 'scripts/generate.ts'], rawRoot)
    if (result.code !== 0) throw new Error(`generate failed: ${result.out.trim()}`)
    times.push(result.wallMs)
  }
  const after = await sha256(output)
  return { wallMs: round(median(times), 0), runs, deterministic: before === '' || before === after }
}

function specPath(): string {
  return (
    process.env.FLAT_OPENAPI_SPEC ??
    fileURLToPath(new URL('../shared/openapi/flat-api-2.24.0.yaml', `file://${repoRoot}`))
  )
}

async function timeNoopTest(log: (line: string) => void): Promise<NonNullable<CodegenResult['noopTest']>> {
  const env = { ...process.env, FLAT_OPENAPI_SPEC: specPath() }
  const args = ['turbo', 'run', 'lint', 'typecheck', 'test', '--output-logs=errors-only']
  const first = await run('npx', args, repoRoot, env)
  log(`  turbo first pass: ${round(first.wallMs / 1000, 1)} s, exit ${first.code}`)
  const second = await run('npx', args, repoRoot, env)
  const match = /Cached:\s+(\d+) cached, (\d+) total/.exec(second.out)
  const cached = Number(match?.[1] ?? 0)
  const total = Number(match?.[2] ?? 0)
  return {
    command: `FLAT_OPENAPI_SPEC=${env.FLAT_OPENAPI_SPEC} npx ${args.join(' ')}`,
    firstWallMs: round(first.wallMs, 0),
    firstExitCode: first.code,
    wallMs: round(second.wallMs, 0),
    exitCode: second.code,
    cached,
    total,
    fullCacheHit: second.code === 0 && total > 0 && cached === total,
    failed: (/Failed:\s+(.+)/.exec(second.out)?.[1] ?? '').split(/,\s*/).filter(Boolean),
  }
}

function readDiagnostic(out: string, label: string): number {
  const match = new RegExp(`${label}:\\s+([\\d.]+)(s|K)?`).exec(out)
  if (!match?.[1]) return Number.NaN
  return match[2] === 's' ? Number(match[1]) * 1000 : Number(match[1])
}

async function timeTsc(runs: number): Promise<CodegenResult['tsc']> {
  const tsc = `${repoRoot}node_modules/typescript/bin/tsc`
  const samples = Object.fromEntries(CONSUMERS.map((name) => [name, [] as (TscFigures & { out: string })[]]))
  for (let i = 0; i < runs; i += 1) {
    for (const name of roundOrder(CONSUMERS, i)) {
      const project = `fixtures/consumer/tsconfig.${name}.json`
      const result = await run(process.execPath, [tsc, '-p', project, '--extendedDiagnostics'], benchRoot)
      const errors = (result.out.match(/error TS\d+/g) ?? []).length
      if (result.code !== 0 && errors === 0) throw new Error(`tsc failed on ${name}: ${result.out.trim()}`)
      samples[name]?.push({
        out: result.out,
        wallMs: result.wallMs,
        checkMs: readDiagnostic(result.out, 'Check time'),
        totalMs: readDiagnostic(result.out, 'Total time'),
        types: readDiagnostic(result.out, 'Types'),
        instantiations: readDiagnostic(result.out, 'Instantiations'),
        memoryKb: readDiagnostic(result.out, 'Memory used'),
        errors,
      })
    }
  }
  const figures = {} as Record<Consumer, TscFigures>
  for (const name of CONSUMERS) {
    const list = samples[name] ?? []
    const last = list.at(-1) as TscFigures
    figures[name] = {
      wallMs: round(median(list.map((s) => s.wallMs)), 0),
      checkMs: round(median(list.map((s) => s.checkMs)), 0),
      totalMs: round(median(list.map((s) => s.totalMs)), 0),
      types: last.types,
      instantiations: last.instantiations,
      memoryKb: last.memoryKb,
      errors: last.errors,
    }
  }
  return {
    ...figures,
    oursOverFlatApi: round(figures.ours.wallMs / figures['flat-api'].wallMs),
    oursOverFlatApiAboveBaseline: round(
      (figures.ours.wallMs - figures.empty.wallMs) / (figures['flat-api'].wallMs - figures.empty.wallMs),
    ),
  }
}

export async function runCodegen(
  options: CodegenOptions,
  log: (line: string) => void = () => {},
): Promise<CodegenResult> {
  const result: CodegenResult = { options, tsc: await timeTsc(options.tscRuns) }
  log(`  tsc: ours ${result.tsc.ours.wallMs} ms, flat-api ${result.tsc['flat-api'].wallMs} ms`)
  if (options.generate) {
    result.generate = await timeGenerate(options.generateRuns)
    log(`  generate: ${result.generate.wallMs} ms`)
  }
  if (options.turbo) result.noopTest = await timeNoopTest(log)
  return result
}
