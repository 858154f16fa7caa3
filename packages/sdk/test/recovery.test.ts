import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Simulator } from '@flat-api/simulator'
import { afterEach, describe, expect, it } from 'vitest'
import { createFlatClient, FlatTaskFailedError, type TaskWaitCheckpoint } from '../src/index.js'
import { setup } from './helpers.js'

let sim: Simulator | undefined

afterEach(async () => {
  await sim?.close()
  sim = undefined
})

const SDK_SOURCE = fileURLToPath(new URL('../src/index.ts', import.meta.url))

/** Runs a wait in a child process that prints a checkpoint on every change, and kills it after the first one. */
async function checkpointFromDyingProcess(baseUrl: string, taskId: string): Promise<TaskWaitCheckpoint> {
  const script = `
    import { createFlatClient } from ${JSON.stringify(SDK_SOURCE)}
    const flat = createFlatClient({ accessToken: 't', baseUrl: ${JSON.stringify(baseUrl)}, requestsPerHour: Infinity,
      polling: { initialDelayMs: 20, maxDelayMs: 50, jitter: 0 } })
    const pending = flat.tasks.wait(${JSON.stringify(taskId)}, {
      timeoutMs: 60000,
      onProgress: () => queueMicrotask(() => process.stdout.write(JSON.stringify(pending) + '\\n')),
    })
    await pending
  `
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_, signal) => resolve(signal)))
  const line = await new Promise<string>((resolve, reject) => {
    let buffer = ''
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      const newline = buffer.indexOf('\n')
      if (newline >= 0) resolve(buffer.slice(0, newline))
    })
    child.on('exit', () => reject(new Error(`child exited before a checkpoint: ${buffer}`)))
  })
  child.kill('SIGKILL')
  expect(await exited).toBe('SIGKILL')
  return JSON.parse(line) as TaskWaitCheckpoint
}

describe('recovery after the waiting process died', () => {
  it('resumes a saved wait in a new process and finishes done, keeping the deadline', { timeout: 20_000 }, async () => {
    ;({ sim } = await setup())
    const created = sim.addTask({ durationMs: 1500, queuedMs: 0 })

    const checkpoint = await checkpointFromDyingProcess(sim.baseUrl, created.id)
    const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl, requestsPerHour: Number.POSITIVE_INFINITY })
    const task = await flat.tasks.resume(checkpoint)

    expect(checkpoint.taskId).toBe(created.id)
    expect(checkpoint.deadlineAt).toBeGreaterThan(Date.now() + 50_000)
    expect(task.state).toBe('done')
  })

  it('resumes a saved wait on a task that then fails with the same typed error', { timeout: 20_000 }, async () => {
    ;({ sim } = await setup())
    const created = sim.addTask({ durationMs: 1500, queuedMs: 0, outcome: 'error' })

    const checkpoint = await checkpointFromDyingProcess(sim.baseUrl, created.id)
    const flat = createFlatClient({ accessToken: 't', baseUrl: sim.baseUrl, requestsPerHour: Number.POSITIVE_INFINITY })

    await expect(flat.tasks.resume(checkpoint)).rejects.toBeInstanceOf(FlatTaskFailedError)
  })
})
