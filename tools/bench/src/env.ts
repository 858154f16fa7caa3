/** The machine and code a run measured, stored beside every result. */
import { execFileSync } from 'node:child_process'
import { cpus, loadavg, release, totalmem } from 'node:os'

export interface Environment {
  node: string
  cpuModel: string
  cores: number
  memoryGb: number
  os: string
  loadAverage1m: number
  commit: string
  date: string
}

function gitCommit(cwd: string): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd, encoding: 'utf8' }).trim() !== ''
    return dirty ? `${commit} + uncommitted changes` : commit
  } catch {
    return 'unknown'
  }
}

export function describeEnvironment(repoRoot: string): Environment {
  const list = cpus()
  return {
    node: process.version,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${process.platform} ${release()}`,
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    commit: gitCommit(repoRoot),
    date: new Date().toISOString(),
  }
}
