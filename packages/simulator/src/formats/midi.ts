import type { ParsedScore } from '../audio/index.js'

/** Ticks per quarter note. */
const MIDI_PPQ = 480
const PERCUSSION_CHANNEL = 9

function variableLength(value: number): number[] {
  const bytes = [value & 0x7f]
  for (let rest = value >>> 7; rest > 0; rest >>>= 7) bytes.unshift((rest & 0x7f) | 0x80)
  return bytes
}

function track(events: number[]): Buffer {
  const body = Buffer.from([...events, 0x00, 0xff, 0x2f, 0x00])
  const head = Buffer.alloc(8)
  head.write('MTrk', 0, 'latin1')
  head.writeUInt32BE(body.length, 4)
  return Buffer.concat([head, body])
}

/** A meta event carrying text (0x03 is a track name). */
function textEvent(type: number, text: string): number[] {
  const bytes = [...Buffer.from(text, 'utf8')]
  return [0xff, type, ...variableLength(bytes.length), ...bytes]
}

interface NoteEvent {
  tick: number
  on: boolean
  key: number
}

/**
 * A Standard MIDI File (format 1): a tempo track, then one track per part on its own channel. Times are converted
 * with the score's opening tempo, which reproduces the parsed note times in seconds exactly.
 */
export function encodeMidi(score: ParsedScore, partIds?: readonly string[]): Uint8Array {
  const parts = partIds ? score.parts.filter((part) => partIds.includes(part.id)) : score.parts
  const ticksPerSecond = (score.tempoQpm / 60) * MIDI_PPQ
  const microsPerQuarter = Math.round(60_000_000 / score.tempoQpm)
  const tempoTrack = track([
    0x00,
    ...textEvent(0x03, score.title),
    0x00,
    0xff,
    0x51,
    0x03,
    (microsPerQuarter >> 16) & 0xff,
    (microsPerQuarter >> 8) & 0xff,
    microsPerQuarter & 0xff,
  ])
  const tracks = parts.map((part, index) => {
    const channel = index >= PERCUSSION_CHANNEL ? (index + 1) % 16 : index
    const events: NoteEvent[] = []
    for (const note of score.notes) {
      if (note.partId !== part.id) continue
      const key = Math.max(0, Math.min(127, Math.round(note.midi)))
      const start = Math.round(note.startSec * ticksPerSecond)
      const end = Math.max(start + 1, Math.round((note.startSec + note.durationSec) * ticksPerSecond))
      events.push({ tick: start, on: true, key }, { tick: end, on: false, key })
    }
    // Note-offs first at equal ticks, so a repeated pitch is released before it sounds again.
    events.sort((a, b) => a.tick - b.tick || Number(a.on) - Number(b.on))
    const bytes: number[] = [0x00, ...textEvent(0x03, part.name)]
    let previous = 0
    for (const event of events) {
      bytes.push(
        ...variableLength(event.tick - previous),
        (event.on ? 0x90 : 0x80) | channel,
        event.key,
        event.on ? 80 : 64,
      )
      previous = event.tick
    }
    return track(bytes)
  })
  const header = Buffer.alloc(14)
  header.write('MThd', 0, 'latin1')
  header.writeUInt32BE(6, 4)
  header.writeUInt16BE(1, 8)
  header.writeUInt16BE(tracks.length + 1, 10)
  header.writeUInt16BE(MIDI_PPQ, 12)
  return new Uint8Array(Buffer.concat([header, tempoTrack, ...tracks]))
}
