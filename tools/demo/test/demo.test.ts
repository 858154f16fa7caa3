import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseMusicXml, readMp3Frames } from '@flat-api/simulator'
import { afterEach, describe, expect, it } from 'vitest'
import { DEMO_SCORE, progressLine, runDemo, summaryLine } from '../src/demo.js'

let dir: string | undefined

afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('the main job against the simulator', () => {
  it('exports the demo score to an MP3 whose frames are valid and whose length is the score’s', async () => {
    dir = await mkdtemp(join(tmpdir(), 'flat-demo-'))
    const lines: string[] = []

    const result = await runDemo({ outDir: dir, exportDurationMs: 400, write: (text) => lines.push(text) })

    const bytes = new Uint8Array(await readFile(result.path))
    const expected = parseMusicXml(await readFile(DEMO_SCORE, 'utf8')).durationSec
    const mp3 = readMp3Frames(bytes)
    expect(result.state).toBe('done')
    expect(result.bytes).toBe(bytes.byteLength)
    expect(result.path).toBe(join(dir, `${result.scoreId}.mp3`))
    expect(mp3.frames).toBeGreaterThan(100)
    expect(Math.abs(mp3.durationSec - expected)).toBeLessThan(0.1)
    expect(lines.some((line) => line.includes('%'))).toBe(true)
    expect(summaryLine(result)).toContain(`task ${result.taskId} done · ${bytes.byteLength} bytes`)
  })
})

describe('progressLine', () => {
  it.each([
    [{ id: 't', state: 'doing' as const, progress: { percent: 50 } }, 'doing   [###############---------------]  50%'],
    [{ id: 't', state: 'done' as const, progress: { percent: 100 } }, `done    [${'#'.repeat(30)}] 100%`],
    [{ id: 't', state: 'doing' as const, progress: { text: 'Rendering' } }, 'doing   Rendering'],
    [{ id: 't', state: 'created' as const }, 'created'],
  ])('draws %j', (task, expected) => {
    expect(progressLine(task)).toBe(expected)
  })
})
