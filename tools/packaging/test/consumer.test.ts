import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { type Simulator, startSimulator } from '@flat-api/simulator'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { cleanEnv, run } from '../src/exec.js'
import './provided.js'

const { consumerDir } = inject('packaging')
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')

interface ScriptReport {
  sdk: string
  raw: string
  defaultBaseUrl: string
  task: { id: string; state: string; percent?: number }
  missing: { notFound: boolean; flatError: boolean; name: string; status: number; code: string }
}

describe('the installed tarballs', () => {
  let sim: Simulator

  beforeAll(async () => {
    sim = await startSimulator({ port: 0 })
  })

  afterAll(async () => {
    await sim?.close()
  })

  // One module format a row: the file a user writes and the build Node must pick for it.
  it.each([
    { script: 'esm.mjs', sdk: 'dist/index.js', raw: 'dist/index.js', toPath: (url: string) => new URL(url).pathname },
    { script: 'cjs.cjs', sdk: 'dist/index.cjs', raw: 'dist/index.cjs', toPath: (path: string) => path },
  ])('work from $script: a wait on the simulator ends done and a 404 is a FlatNotFoundError', async (row) => {
    const task = sim.addTask({ durationMs: 150 })
    const result = await run(process.execPath, [row.script], {
      cwd: consumerDir,
      env: cleanEnv({ FLAT_BASE_URL: sim.baseUrl, FLAT_TASK_ID: task.id }),
      timeoutMs: 30_000,
    })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as ScriptReport

    const installed = join(consumerDir, 'node_modules/@flat-api')
    expect(row.toPath(report.sdk)).toBe(new URL(row.sdk, pathToFileURL(`${installed}/sdk/`)).pathname)
    expect(row.toPath(report.raw)).toBe(new URL(row.raw, pathToFileURL(`${installed}/raw/`)).pathname)
    expect(report.defaultBaseUrl).toBe('https://api.flat.io/v2')
    expect(report.task).toEqual({ id: task.id, state: 'done', percent: 100 })
    expect(report.missing).toEqual({
      notFound: true,
      flatError: true,
      name: 'FlatNotFoundError',
      status: 404,
      code: 'TASK_NOT_FOUND',
    })
    // The child's own requests, as the simulator logged them: the task poll(s) and the 404.
    const mine = sim.requests.filter((r) => r.url === `/v2/tasks/${task.id}` || r.url === '/v2/tasks/missing-task')
    expect(mine.at(-2)).toMatchObject({ method: 'GET', url: `/v2/tasks/${task.id}`, status: 200 })
    expect(mine.at(-1)).toMatchObject({ method: 'GET', url: '/v2/tasks/missing-task', status: 404 })
  })

  it('type-check from TypeScript under moduleResolution node16 (ESM and CJS files) and bundler', async () => {
    // Two projects, two processes: they run side by side on separate cores.
    const [node16, bundler] = await Promise.all(
      ['tsconfig.node16.json', 'tsconfig.bundler.json'].map((config) =>
        run(process.execPath, [tsc, '-p', config, '--pretty', 'false'], { cwd: consumerDir }),
      ),
    )
    expect(node16?.stdout).toBe('')
    expect(node16?.code).toBe(0)
    expect(bundler?.stdout).toBe('')
    expect(bundler?.code).toBe(0)
  })
})
