/**
 * Runs the benchmark suite and writes bench/results/latest.json (every figure and the environment),
 * bench/results/latest.md (the tables) and bench/results/waiting.svg, then prints the markdown.
 *
 *   node --import tsx tools/bench/src/main.ts [--quick] [--only <scenario>[,<scenario>]]
 *
 * Each scenario runs in a process of its own (with --expose-gc), one after the other. `--only` keeps the other
 * scenarios' last results in latest.json, each stamped with when it was measured.
 */
import { spawn } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { describeEnvironment } from './env.js'
import {
  computeTargets,
  RESULTS_SCHEMA,
  type ResultsFile,
  renderMarkdown,
  SCENARIOS,
  type ScenarioName,
  type StoredScenarios,
  tradeoffChart,
} from './report.js'
import { renderTradeoffSvg } from './svg.js'

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const resultsDir = `${repoRoot}bench/results/`

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true },
  },
})
const quick = values.quick ?? false
const only = (values.only ?? []).flatMap((value) => value.split(',')).filter(Boolean)
for (const name of only) {
  if (!(SCENARIOS as readonly string[]).includes(name)) {
    throw new Error(`unknown scenario ${JSON.stringify(name)}; choose from ${SCENARIOS.join(', ')}`)
  }
}
const selected: ScenarioName[] = only.length ? (only as ScenarioName[]) : [...SCENARIOS]

const log = (line: string) => process.stderr.write(`${line}\n`)
const scenarioScript = fileURLToPath(new URL('./scenario.js', import.meta.url)).replace(/\.js$/, '.ts')

/** Runs one scenario in a fresh process (see scenario.ts) and parses what it prints. */
function runInChild(name: ScenarioName): Promise<unknown> {
  const args = ['--expose-gc', '--import', 'tsx', scenarioScript, name, ...(quick ? ['--quick'] : [])]
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: fileURLToPath(new URL('..', import.meta.url)) })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    child.stderr.pipe(process.stderr)
    child.once('error', reject)
    child.once('close', (code) => {
      if (code === 0) resolve(JSON.parse(out))
      else reject(new Error(`scenario ${name} failed with exit code ${code}`))
    })
  })
}

async function previousScenarios(): Promise<StoredScenarios> {
  if (!only.length) return {}
  try {
    const previous = JSON.parse(await readFile(`${resultsDir}latest.json`, 'utf8')) as ResultsFile
    return previous.schema === RESULTS_SCHEMA ? previous.scenarios : {}
  } catch {
    return {}
  }
}

const environment = describeEnvironment(repoRoot)
const startedAt = environment.date
const runStartedAt = performance.now()
const scenarios = await previousScenarios()

for (const name of selected) {
  log(`${name}${quick ? ' (quick)' : ''}`)
  const scenarioStartedAt = performance.now()
  const result = await runInChild(name)
  ;(scenarios as Record<string, unknown>)[name] = { measuredAt: startedAt, quick, environment, result }
  log(`${name}: ${Math.round((performance.now() - scenarioStartedAt) / 1000)} s`)
}

const file: ResultsFile = {
  schema: RESULTS_SCHEMA,
  environment,
  run: { quick, only: selected, startedAt, durationSeconds: Math.round((performance.now() - runStartedAt) / 1000) },
  scenarios,
  targets: computeTargets(scenarios),
}
const markdown = renderMarkdown(file)
await mkdir(resultsDir, { recursive: true })
await writeFile(`${resultsDir}latest.json`, `${JSON.stringify(file, null, 2)}\n`)
await writeFile(`${resultsDir}latest.md`, markdown)
if (selected.includes('waiting') && scenarios.waiting) {
  await writeFile(`${resultsDir}waiting.svg`, renderTradeoffSvg(tradeoffChart(scenarios.waiting.result)))
}
process.stdout.write(markdown)
log(`wrote bench/results/latest.json, latest.md${selected.includes('waiting') ? ', waiting.svg' : ''}`)
