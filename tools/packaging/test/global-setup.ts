import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'
import { installTarballs, packPackage } from '../src/pack.js'
import type { Packaging } from './provided.js'

const FIXTURES = fileURLToPath(new URL('../fixtures/consumer/', import.meta.url))

/** Packs both packages and installs them into one temporary project, shared by every test file. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const workDir = await mkdtemp(join(tmpdir(), 'flat-packaging-'))
  try {
    const tarballDir = join(workDir, 'tarballs')
    const consumerDir = join(workDir, 'consumer')
    await mkdir(tarballDir)
    await cp(FIXTURES, consumerDir, { recursive: true })
    const consumerManifest = { name: 'flat-api-consumer', version: '0.0.0', private: true, type: 'module' }
    await writeFile(join(consumerDir, 'package.json'), `${JSON.stringify(consumerManifest, null, 2)}\n`)

    const [raw, sdk] = await Promise.all([packPackage('raw', tarballDir), packPackage('sdk', tarballDir)])
    await installTarballs(consumerDir, [raw.tarball, sdk.tarball])

    const packaging: Packaging = { workDir, consumerDir, packed: { raw, sdk } }
    project.provide('packaging', packaging)
  } catch (error) {
    await rm(workDir, { recursive: true, force: true })
    throw error
  }
  return () => rm(workDir, { recursive: true, force: true })
}
