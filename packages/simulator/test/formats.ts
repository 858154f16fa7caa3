import { inflateSync } from 'node:zlib'

/** Bit-by-bit CRC-32, independent of the table-driven one the simulator writes with. */
export function slowCrc32(bytes: Uint8Array): number {
  let crc = 0xffffffff
  for (const byte of bytes) {
    crc ^= byte
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1
  }
  return (crc ^ 0xffffffff) >>> 0
}

export interface PngInfo {
  width: number
  height: number
  chunks: string[]
  /** Decoded scanline bytes, filter bytes included. */
  pixels: Buffer
}

/** Reads a PNG, checking the signature and every chunk's CRC; throws on anything wrong. */
export function readPng(bytes: Buffer): PngInfo {
  if (!bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    throw new Error('bad PNG signature')
  }
  const chunks: string[] = []
  const idat: Buffer[] = []
  let width = 0
  let height = 0
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at)
    const type = bytes.toString('latin1', at + 4, at + 8)
    const data = bytes.subarray(at + 8, at + 8 + length)
    if (bytes.readUInt32BE(at + 8 + length) !== slowCrc32(bytes.subarray(at + 4, at + 8 + length))) {
      throw new Error(`bad CRC in ${type}`)
    }
    if (type === 'IHDR') {
      width = data.readUInt32BE(0)
      height = data.readUInt32BE(4)
    }
    if (type === 'IDAT') idat.push(data)
    chunks.push(type)
    at += 12 + length
  }
  return { width, height, chunks, pixels: inflateSync(Buffer.concat(idat)) }
}

export interface MidiInfo {
  format: number
  division: number
  tracks: { name?: string; noteOns: number; firstNoteTick?: number; keys: number[] }[]
  microsPerQuarter?: number
}

/** Reads a Standard MIDI File: header, tracks, track names, note-ons and the tempo. */
export function readMidi(bytes: Buffer): MidiInfo {
  if (bytes.toString('latin1', 0, 4) !== 'MThd' || bytes.readUInt32BE(4) !== 6) throw new Error('bad MThd')
  const info: MidiInfo = { format: bytes.readUInt16BE(8), division: bytes.readUInt16BE(12), tracks: [] }
  const trackCount = bytes.readUInt16BE(10)
  let at = 14
  for (let t = 0; t < trackCount; t++) {
    if (bytes.toString('latin1', at, at + 4) !== 'MTrk') throw new Error(`bad MTrk at ${at}`)
    const end = at + 8 + bytes.readUInt32BE(at + 4)
    const track: MidiInfo['tracks'][number] = { noteOns: 0, keys: [] }
    let cursor = at + 8
    let tick = 0
    let running = 0
    const vlq = () => {
      let value = 0
      for (;;) {
        const byte = bytes[cursor++] as number
        value = (value << 7) | (byte & 0x7f)
        if (byte < 0x80) return value
      }
    }
    while (cursor < end) {
      tick += vlq()
      let status = bytes[cursor] as number
      if (status >= 0x80) cursor++
      else status = running
      if (status === 0xff) {
        const type = bytes[cursor++] as number
        const length = vlq()
        const data = bytes.subarray(cursor, cursor + length)
        if (type === 0x03) track.name = data.toString('utf8')
        if (type === 0x51) info.microsPerQuarter = data.readUIntBE(0, 3)
        cursor += length
        continue
      }
      running = status
      const kind = status & 0xf0
      if (kind === 0x90 && (bytes[cursor + 1] as number) > 0) {
        track.noteOns += 1
        track.keys.push(bytes[cursor] as number)
        track.firstNoteTick ??= tick
      }
      cursor += kind === 0xc0 || kind === 0xd0 ? 1 : 2
    }
    info.tracks.push(track)
    at = end
  }
  return info
}

/** The `filename*` of a Content-Disposition, decoded. */
export function extendedFilename(header: string | null): string | undefined {
  const encoded = /filename\*=UTF-8''([^;\s]+)/.exec(header ?? '')?.[1]
  return encoded === undefined ? undefined : decodeURIComponent(encoded)
}

export function hasHighBytes(bytes: Uint8Array): boolean {
  return bytes.some((byte) => byte >= 0x80)
}
