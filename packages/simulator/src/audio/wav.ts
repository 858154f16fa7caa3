import { checkSampleRate } from './synth.js'

export interface WavInfo {
  sampleRate: number
  channels: number
  bitsPerSample: number
  durationSec: number
}

const HEADER_BYTES = 44
const FORMAT_PCM = 1
const FORMAT_IEEE_FLOAT = 3
const FORMAT_EXTENSIBLE = 0xfffe

function writeAscii(view: DataView, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) view.setUint8(offset + i, text.charCodeAt(i))
}

function readAscii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length))
}

/** Wraps mono 16-bit PCM in the canonical 44-byte RIFF/WAVE header. All fields are little-endian. */
export function encodeWav(pcm: Int16Array, sampleRate: number): Uint8Array {
  checkSampleRate(sampleRate)
  const dataBytes = pcm.length * 2
  // The RIFF size field is 32 bits and counts everything after itself.
  if (dataBytes + HEADER_BYTES - 8 > 0xffffffff) throw new RangeError('PCM is too long for a WAV file (over 4 GiB)')
  const bytes = new Uint8Array(HEADER_BYTES + dataBytes)
  const view = new DataView(bytes.buffer)
  writeAscii(view, 0, 'RIFF')
  view.setUint32(4, HEADER_BYTES - 8 + dataBytes, true)
  writeAscii(view, 8, 'WAVE')
  writeAscii(view, 12, 'fmt ')
  view.setUint32(16, 16, true)
  view.setUint16(20, FORMAT_PCM, true)
  view.setUint16(22, 1, true)
  view.setUint32(24, sampleRate, true)
  view.setUint32(28, sampleRate * 2, true)
  view.setUint16(32, 2, true)
  view.setUint16(34, 16, true)
  writeAscii(view, 36, 'data')
  view.setUint32(40, dataBytes, true)
  // DataView rather than copying the Int16Array's buffer, so the bytes are little-endian on any host.
  for (let i = 0; i < pcm.length; i++) view.setInt16(HEADER_BYTES + i * 2, pcm[i] ?? 0, true)
  return bytes
}

/**
 * Reads the format and length of a RIFF/WAVE file (any chunk layout, PCM or float samples).
 * Throws `TypeError` when the bytes are not a complete WAV file.
 */
export function readWavInfo(bytes: Uint8Array): WavInfo {
  if (bytes.length < 12 || readAscii(bytes, 0, 4) !== 'RIFF' || readAscii(bytes, 8, 4) !== 'WAVE') {
    throw new TypeError('Not a WAV file: missing the RIFF/WAVE signature')
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let format: { sampleRate: number; channels: number; bitsPerSample: number; blockAlign: number } | undefined
  let offset = 12
  while (offset + 8 <= bytes.length) {
    const id = readAscii(bytes, offset, 4)
    const size = view.getUint32(offset + 4, true)
    const body = offset + 8
    if (id === 'fmt ') {
      if (size < 16 || body + size > bytes.length) throw new TypeError('WAV fmt chunk is truncated')
      const tag = view.getUint16(body, true)
      if (tag !== FORMAT_PCM && tag !== FORMAT_IEEE_FLOAT && tag !== FORMAT_EXTENSIBLE) {
        throw new TypeError(`WAV format ${tag} is not PCM`)
      }
      format = {
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bitsPerSample: view.getUint16(body + 14, true),
      }
      if (format.channels === 0 || format.sampleRate === 0 || format.blockAlign === 0) {
        throw new TypeError('WAV fmt chunk has a zero channel count, sample rate or block size')
      }
    } else if (id === 'data') {
      if (format === undefined) throw new TypeError('WAV data chunk comes before the fmt chunk')
      // Streaming writers leave 0xFFFFFFFF as the size when they cannot seek back; the data then runs to the end.
      const dataBytes = size === 0xffffffff ? bytes.length - body : size
      if (body + dataBytes > bytes.length) throw new TypeError('WAV data chunk is truncated')
      const { blockAlign, ...info } = format
      return { ...info, durationSec: Math.floor(dataBytes / blockAlign) / format.sampleRate }
    }
    // Chunks are padded to an even length.
    offset = body + size + (size % 2)
  }
  throw new TypeError('WAV file has no data chunk')
}
