import { readZip, writeZip } from './zip.js'

const ROOT_PATH = 'score.musicxml'
const CONTAINER = `<?xml version="1.0" encoding="UTF-8"?>
<container>
  <rootfiles>
    <rootfile full-path="${ROOT_PATH}" media-type="application/vnd.recordare.musicxml+xml"/>
  </rootfiles>
</container>
`

/** Compressed MusicXML: a zip with `mimetype`, `META-INF/container.xml` and the score. */
export function writeMxl(xml: string): Uint8Array {
  return writeZip([
    { name: 'mimetype', data: Buffer.from('application/vnd.recordare.musicxml'), stored: true },
    { name: 'META-INF/container.xml', data: Buffer.from(CONTAINER) },
    { name: ROOT_PATH, data: Buffer.from(xml, 'utf8') },
  ])
}

/** The MusicXML text inside an MXL container, found through its `container.xml`. Throws `TypeError` when absent. */
export function readMxl(bytes: Uint8Array): string {
  const files = readZip(bytes)
  const container = files.get('META-INF/container.xml')
  const rootPath = container
    ? /full-path\s*=\s*"([^"]+)"/.exec(Buffer.from(container).toString('utf8'))?.[1]
    : undefined
  const fallback = [...files.keys()].find((name) => !name.startsWith('META-INF/') && /\.(xml|musicxml)$/i.test(name))
  const root = files.get(rootPath ?? fallback ?? '')
  if (!root) throw new TypeError('The MXL container has no MusicXML root file')
  return Buffer.from(root).toString('utf8')
}

export function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04
}
