import { readFile } from 'node:fs/promises'
import { gunzipSync } from 'node:zlib'

const BLOCK = 512

function field(header: Buffer, offset: number, length: number): string {
  const raw = header.subarray(offset, offset + length)
  const end = raw.indexOf(0)
  return raw.subarray(0, end === -1 ? length : end).toString('utf8')
}

/**
 * The regular files of a `.tgz` from `npm pack`, keyed by their path without npm's `package/` prefix.
 * Only ustar is read (what npm writes); pax extended headers are skipped, so paths over 100 bytes need the prefix field.
 */
export async function readTarball(path: string): Promise<Map<string, Buffer>> {
  const archive = gunzipSync(await readFile(path))
  const files = new Map<string, Buffer>()
  let offset = 0
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK)
    if (header.every((byte) => byte === 0)) break
    const name = field(header, 0, 100)
    const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8)
    const type = field(header, 156, 1)
    const prefix = field(header, 345, 155)
    const body = archive.subarray(offset + BLOCK, offset + BLOCK + size)
    if (type === '0' || type === '') {
      const full = prefix ? `${prefix}/${name}` : name
      files.set(full.replace(/^package\//, ''), Buffer.from(body))
    }
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK
  }
  return files
}
