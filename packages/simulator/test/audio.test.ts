import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  encodeMp3,
  encodeWav,
  type ParsedScore,
  parseMusicXml,
  readMp3Frames,
  readWavInfo,
  renderAudio,
  renderPcm,
} from '../src/audio/index.js'

const demoXml = readFileSync(new URL('../../../tools/demo/scores/hello-flat.musicxml', import.meta.url), 'utf8')
const sampleRate = 44100

function notesAt(score: ParsedScore, partId: string, startSec: number) {
  return score.notes.filter((note) => note.partId === partId && Math.abs(note.startSec - startSec) < 1e-9)
}

/** Signal power at one frequency (Goertzel), to check which pitch a stretch of PCM carries. */
function powerAt(pcm: Int16Array, fromSec: number, toSec: number, frequency: number): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate)
  let previous = 0
  let beforePrevious = 0
  for (let i = Math.round(fromSec * sampleRate); i < Math.round(toSec * sampleRate); i++) {
    const current = (pcm[i] ?? 0) + coefficient * previous - beforePrevious
    beforePrevious = previous
    previous = current
  }
  return previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious
}

/** Byte-for-byte equality; much faster than a deep equal on megabyte-sized typed arrays. */
function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
}

function peakOf(pcm: Int16Array, fromSec = 0, toSec = pcm.length / sampleRate): number {
  let peak = 0
  for (let i = Math.round(fromSec * sampleRate); i < Math.round(toSec * sampleRate); i++) {
    peak = Math.max(peak, Math.abs(pcm[i] ?? 0))
  }
  return peak
}

describe('the Hello Flat demo score', () => {
  const score = parseMusicXml(demoXml)

  it('has its title, two named parts, 120 qpm and lasts 8 bars of 4/4 = 16 s', () => {
    expect(score.title).toBe('Hello Flat')
    expect(score.parts).toEqual([
      { id: 'P1', name: 'Flute' },
      { id: 'P2', name: 'Cello' },
    ])
    expect(score.tempoQpm).toBe(120)
    expect(score.durationSec).toBeCloseTo((8 * 4 * 60) / 120, 9)
  })

  it('reads pitches as MIDI numbers, including the F sharp', () => {
    // E5 opens the flute line, C3 the cello line (C4 = 60).
    expect(notesAt(score, 'P1', 0).map((note) => note.midi)).toEqual([76])
    expect(notesAt(score, 'P2', 0).map((note) => note.midi)).toEqual([48])
    // Bar 5 (starts at 8 s) runs C D E F# in eighths (0.25 s each), so F#5 sounds at 8.75 s.
    expect(notesAt(score, 'P1', 8.75)).toEqual([{ partId: 'P1', midi: 78, startSec: 8.75, durationSec: 0.25 }])
    // Bar 7 (12 s): quarter, two eighths, quarter, then B4 on beat 4.
    expect(notesAt(score, 'P1', 13.5).map((note) => note.midi)).toEqual([71])
    expect(score.notes).toHaveLength(31 + 17)
  })

  it('sounds the final cello chord C2 + G2 together for the whole last bar', () => {
    expect(notesAt(score, 'P2', 14)).toEqual([
      { partId: 'P2', midi: 36, startSec: 14, durationSec: 2 },
      { partId: 'P2', midi: 43, startSec: 14, durationSec: 2 },
    ])
  })

  it('leaves the flute silent during its quarter rest in bar 4', () => {
    // Bar 4 (6 s): dotted half D5 until 7.5 s, then a quarter rest until 8 s.
    const flute = score.notes.filter((note) => note.partId === 'P1')
    expect(flute.some((note) => note.startSec < 8 - 1e-9 && note.startSec + note.durationSec > 7.5 + 1e-9)).toBe(false)
    const flutePcm = renderPcm(score, { partIds: ['P1'] })
    expect(peakOf(flutePcm, 7.5, 8)).toBe(0)
    expect(peakOf(renderPcm(score), 7.5, 8)).toBeGreaterThan(1000)
  })

  it('renders exactly durationSec * sampleRate samples, normalized just below full scale', () => {
    const pcm = renderPcm(score)
    expect(pcm).toHaveLength(Math.round(score.durationSec * sampleRate))
    const peak = peakOf(pcm)
    expect(peak).toBeLessThanOrEqual(32767)
    expect(peak).toBeGreaterThan(0.85 * 32767)
  })

  it('ramps every note in and out, so no sample jumps like a click', () => {
    const pcm = renderPcm(score)
    let largestStep = 0
    for (let i = 1; i < pcm.length; i++)
      largestStep = Math.max(largestStep, Math.abs((pcm[i] ?? 0) - (pcm[i - 1] ?? 0)))
    // A hard note start or stop would jump by up to the full level; the ramps keep steps to a fraction of it.
    expect(largestStep).toBeLessThan(0.25 * 32767)
    const single = parseMusicXml(demoXml.replace(/<part id="P2">[\s\S]*?<\/part>/, '<part id="P2"></part>'))
    const flute = renderPcm(single)
    expect(flute[0]).toBe(0)
    expect(Math.abs(flute[flute.length - 1] ?? 0)).toBeLessThan(0.01 * 32767)
  })

  it('renders each note at its pitch: the opening flute E5 and not F5', () => {
    const flutePcm = renderPcm(score, { partIds: ['P1'] })
    const e5 = 440 * 2 ** ((76 - 69) / 12)
    const f5 = 440 * 2 ** ((77 - 69) / 12)
    expect(powerAt(flutePcm, 0.05, 0.45, e5)).toBeGreaterThan(100 * powerAt(flutePcm, 0.05, 0.45, f5))
  })

  it('keeps only the requested parts when partIds is given', () => {
    const all = renderPcm(score)
    const flute = renderPcm(score, { partIds: ['P1'] })
    const cello = renderPcm(score, { partIds: ['P2'] })
    expect(flute).toHaveLength(all.length)
    expect(sameBytes(flute, all)).toBe(false)
    expect(sameBytes(cello, flute)).toBe(false)
    // The cello's first note is C3; the flute part has no energy there.
    const c3 = 440 * 2 ** ((48 - 69) / 12)
    expect(powerAt(cello, 0.1, 0.9, c3)).toBeGreaterThan(100 * powerAt(flute, 0.1, 0.9, c3))
    expect(peakOf(renderPcm(score, { partIds: [] }))).toBe(0)
  })

  it('rejects an unknown part id with a RangeError that names it', () => {
    expect(() => renderPcm(score, { partIds: ['P1', 'P9'] })).toThrow(RangeError)
    expect(() => renderPcm(score, { partIds: ['P9'] })).toThrow(/"P9"/)
  })

  it('exports a WAV whose header matches the score: 44.1 kHz mono 16-bit, 16 s, 44 + 2 bytes per sample', () => {
    const audio = renderAudio(demoXml, 'wav')
    expect(audio.contentType).toBe('audio/wav')
    expect(audio.durationSec).toBeCloseTo(16, 9)
    expect(audio.bytes).toHaveLength(44 + 2 * 16 * sampleRate)
    expect(readWavInfo(audio.bytes)).toEqual({ sampleRate, channels: 1, bitsPerSample: 16, durationSec: 16 })
  })

  it('exports an MP3 that walks as valid 128 kbps frames lasting the score plus at most 0.1 s encoder padding', () => {
    const audio = renderAudio(demoXml, 'mp3')
    expect(audio.contentType).toBe('audio/mp3')
    const info = readMp3Frames(audio.bytes)
    expect(info.sampleRate).toBe(sampleRate)
    expect(info.bitrateKbps).toBe(128)
    expect(info.durationSec).toBeGreaterThanOrEqual(score.durationSec)
    expect(info.durationSec - score.durationSec).toBeLessThanOrEqual(0.1)
    // Constant bitrate: the file size is the bitrate times the length, give or take one padding byte per frame.
    expect(Math.abs(audio.bytes.length - (128000 / 8) * info.durationSec)).toBeLessThanOrEqual(info.frames)
  })

  it('renders only the chosen parts into the exported file', () => {
    const full = renderAudio(demoXml, 'wav')
    const cello = renderAudio(demoXml, 'wav', { partIds: ['P2'] })
    expect(cello.bytes).toHaveLength(full.bytes.length)
    expect(sameBytes(cello.bytes, full.bytes)).toBe(false)
    expect(sameBytes(full.bytes, renderAudio(demoXml, 'wav').bytes)).toBe(true)
  })

  it('honours a custom sample rate for WAV and MP3', () => {
    const wav = renderAudio(demoXml, 'wav', { sampleRate: 22050 })
    expect(readWavInfo(wav.bytes)).toEqual({ sampleRate: 22050, channels: 1, bitsPerSample: 16, durationSec: 16 })
    const pcm = renderPcm(score, { sampleRate: 22050 })
    expect(pcm).toHaveLength(16 * 22050)
    expect(sameBytes(encodeWav(pcm, 22050), wav.bytes)).toBe(true)
    const mp3 = readMp3Frames(encodeMp3(pcm, 22050, 64))
    expect(mp3).toMatchObject({ sampleRate: 22050, bitrateKbps: 64 })
    expect(mp3.durationSec - 16).toBeGreaterThanOrEqual(0)
    expect(mp3.durationSec - 16).toBeLessThanOrEqual(0.1)
  })

  it('rejects an unknown format and unusable sample rates', () => {
    expect(() => renderAudio(demoXml, 'ogg' as 'mp3')).toThrow(RangeError)
    expect(() => renderAudio(demoXml, 'wav', { sampleRate: 0 })).toThrow(RangeError)
    expect(() => renderAudio(demoXml, 'mp3', { sampleRate: 44000 })).toThrow(RangeError)
  })
})
