export interface Mp3Info {
  /** Audio frames (a Xing/Info header frame, which carries no audio, is not counted). */
  frames: number
  sampleRate: number
  /** Mean bitrate over the audio frames; equals the bitrate of a constant-bitrate stream. */
  bitrateKbps: number
  durationSec: number
}

type MpegVersion = '1' | '2' | '2.5'

/** Layer III bitrates (kbps) by the header's 4-bit index; index 0 (free format) and 15 are not allowed here. */
const BITRATES_KBPS: Readonly<Record<'1' | '2', readonly number[]>> = {
  '1': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
}

/** Sample rates by the header's 2-bit index, per MPEG version. */
const SAMPLE_RATES: Readonly<Record<MpegVersion, readonly number[]>> = {
  '1': [44100, 48000, 32000],
  '2': [22050, 24000, 16000],
  '2.5': [11025, 12000, 8000],
}

/** The MPEG version whose Layer III streams use `sampleRate`, or `undefined` if none does. */
export function mpegVersionFor(sampleRate: number): MpegVersion | undefined {
  for (const version of ['1', '2', '2.5'] as const) {
    if (SAMPLE_RATES[version].includes(sampleRate)) return version
  }
  return undefined
}

/** The Layer III bitrates allowed at `sampleRate`. Empty when MP3 cannot carry that rate. */
export function layer3BitratesKbps(sampleRate: number): readonly number[] {
  const version = mpegVersionFor(sampleRate)
  if (version === undefined) return []
  return BITRATES_KBPS[version === '1' ? '1' : '2'].slice(1)
}

/** Every sample rate an MP3 (MPEG-1, 2 or 2.5 Layer III) stream can have. */
export const MP3_SAMPLE_RATES: readonly number[] = [
  ...SAMPLE_RATES['1'],
  ...SAMPLE_RATES['2'],
  ...SAMPLE_RATES['2.5'],
].sort((a, b) => a - b)

interface FrameHeader {
  version: MpegVersion
  bitrateKbps: number
  sampleRate: number
  frameBytes: number
  samples: number
  sideInfoEnd: number
}

function readFrameHeader(bytes: Uint8Array, offset: number): FrameHeader {
  const where = `at byte ${offset}`
  if (offset + 4 > bytes.length) throw new TypeError(`Not a valid MP3 stream: truncated frame header ${where}`)
  const b1 = bytes[offset + 1] ?? 0
  const b2 = bytes[offset + 2] ?? 0
  const b3 = bytes[offset + 3] ?? 0
  if (bytes[offset] !== 0xff || (b1 & 0xe0) !== 0xe0) {
    throw new TypeError(`Not a valid MP3 stream: no frame sync ${where}`)
  }
  const versionBits = (b1 >> 3) & 0b11
  if (versionBits === 0b01) throw new TypeError(`Not a valid MP3 stream: reserved MPEG version ${where}`)
  const version: MpegVersion = versionBits === 0b11 ? '1' : versionBits === 0b10 ? '2' : '2.5'
  if (((b1 >> 1) & 0b11) !== 0b01) throw new TypeError(`Not a valid MP3 stream: not a Layer III frame ${where}`)
  const hasCrc = (b1 & 1) === 0

  const bitrateIndex = b2 >> 4
  if (bitrateIndex === 0 || bitrateIndex === 15) {
    throw new TypeError(`Not a valid MP3 stream: unsupported bitrate index ${bitrateIndex} ${where}`)
  }
  const sampleRateIndex = (b2 >> 2) & 0b11
  const sampleRate = SAMPLE_RATES[version][sampleRateIndex]
  if (sampleRate === undefined) throw new TypeError(`Not a valid MP3 stream: reserved sample rate index ${where}`)
  const bitrateKbps = BITRATES_KBPS[version === '1' ? '1' : '2'][bitrateIndex] ?? 0
  const padding = (b2 >> 1) & 1
  const mono = b3 >> 6 === 0b11

  // A Layer III frame carries 1152 samples in MPEG-1 and 576 in MPEG-2/2.5; its size is bits per frame / 8.
  const samples = version === '1' ? 1152 : 576
  const frameBytes = Math.floor((samples / 8) * ((bitrateKbps * 1000) / sampleRate)) + padding
  const sideInfoBytes = version === '1' ? (mono ? 17 : 32) : mono ? 9 : 17
  return { version, bitrateKbps, sampleRate, frameBytes, samples, sideInfoEnd: 4 + (hasCrc ? 2 : 0) + sideInfoBytes }
}

/** Size of an ID3v2 tag at the start of `bytes` (0 when there is none). */
function id3v2Bytes(bytes: Uint8Array): number {
  if (bytes.length < 10 || bytes[0] !== 0x49 || bytes[1] !== 0x44 || bytes[2] !== 0x33) return 0
  let size = 0
  for (let i = 6; i < 10; i++) {
    const byte = bytes[i] ?? 0
    // The size is "synchsafe": 7 bits per byte, so it can never contain a false frame sync.
    if (byte & 0x80) throw new TypeError('Not a valid MP3 stream: malformed ID3v2 tag size')
    size = (size << 7) | byte
  }
  const hasFooter = ((bytes[5] ?? 0) & 0x10) !== 0
  return 10 + size + (hasFooter ? 10 : 0)
}

function isXingFrame(bytes: Uint8Array, offset: number, header: FrameHeader): boolean {
  const at = offset + header.sideInfoEnd
  const tag = String.fromCharCode(...bytes.subarray(at, at + 4))
  return tag === 'Xing' || tag === 'Info'
}

/**
 * Walks an MP3 file frame by frame from the start (after an optional ID3v2 tag), checking every header and that
 * each frame ends exactly where the next begins; an ID3v1 tag may follow the last frame. Reports the audio length.
 * Throws `TypeError` when the bytes are not a valid, complete MPEG Layer III frame stream.
 */
export function readMp3Frames(bytes: Uint8Array): Mp3Info {
  let offset = id3v2Bytes(bytes)
  if (offset > bytes.length) throw new TypeError('Not a valid MP3 stream: ID3v2 tag runs past the end')
  let frames = 0
  let samples = 0
  let bitrateSumKbps = 0
  let sampleRate: number | undefined
  let first = true

  while (offset < bytes.length) {
    if (bytes.length - offset === 128 && String.fromCharCode(...bytes.subarray(offset, offset + 3)) === 'TAG') break
    const header = readFrameHeader(bytes, offset)
    if (offset + header.frameBytes > bytes.length) {
      throw new TypeError(`Not a valid MP3 stream: frame at byte ${offset} is truncated`)
    }
    if (sampleRate !== undefined && header.sampleRate !== sampleRate) {
      throw new TypeError(`Not a valid MP3 stream: sample rate changes at byte ${offset}`)
    }
    sampleRate = header.sampleRate
    if (!(first && isXingFrame(bytes, offset, header))) {
      frames++
      samples += header.samples
      bitrateSumKbps += header.bitrateKbps
    }
    first = false
    offset += header.frameBytes
  }

  if (frames === 0 || sampleRate === undefined) throw new TypeError('Not a valid MP3 stream: no audio frames')
  return { frames, sampleRate, bitrateKbps: bitrateSumKbps / frames, durationSec: samples / sampleRate }
}

// WAV inspection lives with the WAV encoder; it is re-exported here so both readers come from one place.
export { readWavInfo } from './wav.js'
