import type { ParsedScore } from '../audio/index.js'
import { encodePng } from './png.js'

const WIDTH = 160
const HEIGHT = 90
const PART_COLOURS: readonly (readonly [number, number, number])[] = [
  [0x1e, 0x5a, 0xd7],
  [0xd7, 0x3a, 0x1e],
  [0x2a, 0x9d, 0x4b],
  [0x8e, 0x2a, 0xc4],
]

/** A piano-roll preview of the score: one coloured bar per note, pitch upwards, time to the right. */
export function renderThumbnail(score: ParsedScore, partIds?: readonly string[]): Uint8Array {
  const rgb = new Uint8Array(WIDTH * HEIGHT * 3).fill(0xff)
  const notes = partIds ? score.notes.filter((note) => partIds.includes(note.partId)) : score.notes
  const keys = notes.map((note) => note.midi)
  const low = Math.min(...keys, 60) - 2
  const high = Math.max(...keys, 72) + 2
  const span = Math.max(1, score.durationSec)
  const partIndex = new Map(score.parts.map((part, index) => [part.id, index]))
  for (const note of notes) {
    const colour = PART_COLOURS[(partIndex.get(note.partId) ?? 0) % PART_COLOURS.length] as readonly number[]
    const x0 = Math.floor((note.startSec / span) * (WIDTH - 1))
    const x1 = Math.max(x0 + 1, Math.floor(((note.startSec + note.durationSec) / span) * (WIDTH - 1)))
    const y = Math.round(((high - note.midi) / (high - low)) * (HEIGHT - 3))
    for (let row = y; row < Math.min(HEIGHT, y + 3); row++) {
      for (let x = x0; x < Math.min(WIDTH, x1); x++) rgb.set(colour, (row * WIDTH + x) * 3)
    }
  }
  return encodePng(WIDTH, HEIGHT, rgb)
}
