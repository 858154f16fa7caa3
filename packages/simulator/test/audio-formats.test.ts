import { describe, expect, it } from 'vitest'
import { encodeMp3, encodeWav, mp3BitratesKbps, readMp3Frames, readWavInfo } from '../src/audio/index.js'

/** Deterministic pseudo-random bytes (xorshift32), so a failure is reproducible. */
function randomBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length)
  let state = seed
  for (let i = 0; i < length; i++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    bytes[i] = state & 0xff
  }
  return bytes
}

/** `count` frames with the given 4-byte header and zeroed payload. */
function frames(header: readonly number[], frameBytes: number, count: number): Uint8Array {
  const bytes = new Uint8Array(frameBytes * count)
  for (let i = 0; i < count; i++) bytes.set(header, i * frameBytes)
  return bytes
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    bytes.set(part, offset)
    offset += part.length
  }
  return bytes
}

const ascii = (bytes: Uint8Array, from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to))

describe('encodeWav', () => {
  it('writes the canonical 44-byte little-endian PCM header followed by the samples', () => {
    const pcm = Int16Array.from([1, -2, 0x1234, -32768])
    const bytes = encodeWav(pcm, 8000)
    const view = new DataView(bytes.buffer)
    expect(bytes).toHaveLength(44 + 2 * pcm.length)
    expect(ascii(bytes, 0, 4)).toBe('RIFF')
    expect(view.getUint32(4, true)).toBe(36 + 2 * pcm.length)
    expect(ascii(bytes, 8, 16)).toBe('WAVEfmt ')
    expect(view.getUint32(16, true)).toBe(16)
    expect(view.getUint16(20, true)).toBe(1)
    expect(view.getUint16(22, true)).toBe(1)
    expect(view.getUint32(24, true)).toBe(8000)
    expect(view.getUint32(28, true)).toBe(16000)
    expect(view.getUint16(32, true)).toBe(2)
    expect(view.getUint16(34, true)).toBe(16)
    expect(ascii(bytes, 36, 40)).toBe('data')
    expect(view.getUint32(40, true)).toBe(2 * pcm.length)
    expect([...bytes.subarray(44)]).toEqual([0x01, 0x00, 0xfe, 0xff, 0x34, 0x12, 0x00, 0x80])
  })

  it('rejects a sample rate that is not a positive integer', () => {
    expect(() => encodeWav(new Int16Array(4), 0)).toThrow(RangeError)
    expect(() => encodeWav(new Int16Array(4), 44100.5)).toThrow(RangeError)
  })
})

describe('readWavInfo', () => {
  it('reads back what encodeWav wrote', () => {
    expect(readWavInfo(encodeWav(new Int16Array(12000), 24000))).toEqual({
      sampleRate: 24000,
      channels: 1,
      bitsPerSample: 16,
      durationSec: 0.5,
    })
  })

  it('skips chunks it does not know, such as LIST, even when they sit inside a larger buffer', () => {
    const wav = encodeWav(new Int16Array(800), 8000)
    const list = Uint8Array.from([...'LIST'].map((c) => c.charCodeAt(0)).concat([3, 0, 0, 0, 1, 2, 3, 0]))
    const withList = concat(wav.subarray(0, 36), list, wav.subarray(36))
    const padded = concat(new Uint8Array(5), withList).subarray(5)
    expect(readWavInfo(padded).durationSec).toBe(0.1)
  })

  it('throws TypeError for bytes that are not a complete WAV file', () => {
    expect(() => readWavInfo(randomBytes(200, 7))).toThrow(TypeError)
    expect(() => readWavInfo(new Uint8Array(0))).toThrow(TypeError)
    expect(() => readWavInfo(encodeWav(new Int16Array(100), 8000).subarray(0, 100))).toThrow(/truncated/)
  })
})

describe('readMp3Frames', () => {
  // MPEG-1 Layer III, no CRC, 128 kbps, 44.1 kHz, mono: floor(144 * 128000 / 44100) = 417 bytes per frame.
  const mpeg1 = [0xff, 0xfb, 0x90, 0xc0]
  // Same with the padding bit set: one byte longer.
  const mpeg1Padded = [0xff, 0xfb, 0x92, 0xc0]
  // MPEG-2 Layer III, 64 kbps, 22.05 kHz: floor(72 * 64000 / 22050) = 208 bytes, 576 samples per frame.
  const mpeg2 = [0xff, 0xf3, 0x80, 0xc0]

  it('computes frame lengths from the bitrate, sample rate and padding tables', () => {
    expect(readMp3Frames(frames(mpeg1, 417, 10))).toEqual({
      frames: 10,
      sampleRate: 44100,
      bitrateKbps: 128,
      durationSec: (10 * 1152) / 44100,
    })
    const mixed = concat(frames(mpeg1, 417, 2), frames(mpeg1Padded, 418, 3), frames(mpeg1, 417, 1))
    expect(readMp3Frames(mixed).frames).toBe(6)
    expect(readMp3Frames(frames(mpeg2, 208, 25))).toEqual({
      frames: 25,
      sampleRate: 22050,
      bitrateKbps: 64,
      durationSec: (25 * 576) / 22050,
    })
  })

  it('skips a leading ID3v2 tag and a trailing ID3v1 tag', () => {
    const id3v2 = concat(Uint8Array.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 1, 0]), randomBytes(128, 3))
    const id3v1 = concat(Uint8Array.from([0x54, 0x41, 0x47]), new Uint8Array(125))
    expect(readMp3Frames(concat(id3v2, frames(mpeg1, 417, 4), id3v1)).frames).toBe(4)
  })

  it('does not count a Xing/Info header frame as audio', () => {
    const stream = frames(mpeg1, 417, 3)
    // Mono MPEG-1 side information is 17 bytes, so the tag starts 21 bytes into the frame.
    stream.set(
      [...'Info'].map((c) => c.charCodeAt(0)),
      21,
    )
    expect(readMp3Frames(stream).frames).toBe(2)
  })

  it('throws TypeError for random bytes', () => {
    for (const seed of [1, 2, 3, 42, 2024]) {
      expect(() => readMp3Frames(randomBytes(4096, seed))).toThrow(TypeError)
    }
  })

  it('throws TypeError for an empty, truncated, misaligned or non-Layer-III stream', () => {
    expect(() => readMp3Frames(new Uint8Array(0))).toThrow(/no audio frames/)
    expect(() => readMp3Frames(frames(mpeg1, 417, 3).subarray(0, 1000))).toThrow(/truncated/)
    expect(() => readMp3Frames(frames(mpeg1, 418, 3))).toThrow(/no frame sync at byte 417/)
    // Layer II header bits.
    expect(() => readMp3Frames(frames([0xff, 0xfd, 0x90, 0xc0], 417, 2))).toThrow(/Layer III/)
    // Bitrate index 15 is forbidden.
    expect(() => readMp3Frames(frames([0xff, 0xfb, 0xf0, 0xc0], 417, 2))).toThrow(/bitrate/)
  })
})

describe('encodeMp3', () => {
  const tone = (sampleRate: number, seconds: number) =>
    Int16Array.from({ length: Math.round(sampleRate * seconds) }, (_, i) =>
      Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate)),
    )

  it('produces frames at the requested sample rate and bitrate covering the input', () => {
    const mp3 = encodeMp3(tone(48000, 1), 48000, 192)
    const info = readMp3Frames(mp3)
    expect(info).toMatchObject({ sampleRate: 48000, bitrateKbps: 192 })
    expect(info.durationSec).toBeGreaterThanOrEqual(1)
    expect(info.durationSec).toBeLessThanOrEqual(1.1)
  })

  it('defaults to 128 kbps, or the 64 kbps maximum at MPEG-2.5 rates', () => {
    expect(readMp3Frames(encodeMp3(tone(44100, 0.5), 44100)).bitrateKbps).toBe(128)
    expect(readMp3Frames(encodeMp3(tone(8000, 0.5), 8000)).bitrateKbps).toBe(64)
    expect(mp3BitratesKbps(8000).at(-1)).toBe(64)
    expect(mp3BitratesKbps(44100)).toContain(320)
  })

  it('rejects sample rates and bitrates MP3 cannot carry', () => {
    expect(() => encodeMp3(new Int16Array(1152), 44000)).toThrow(RangeError)
    expect(() => encodeMp3(new Int16Array(1152), 44100, 100)).toThrow(/100 kbps/)
    expect(() => encodeMp3(new Int16Array(1152), 22050, 320)).toThrow(RangeError)
  })
})
