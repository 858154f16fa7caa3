import { childElement, childElements, childText, parseXml, textOf, type XmlElement } from './xml.js'

/** One sounding note. `midi` is the MIDI key number (60 = middle C); microtonal `<alter>` values make it fractional. */
export interface ScoreNote {
  partId: string
  midi: number
  startSec: number
  durationSec: number
}

export interface ParsedScore {
  title: string
  /** Tempo in effect at the start of the score, in quarter notes per minute. */
  tempoQpm: number
  parts: { id: string; name: string }[]
  /** Sorted by start time, then part order, then pitch. Tied notes are merged into one. */
  notes: ScoreNote[]
  /** End of the last measure of the longest part. */
  durationSec: number
}

export const DEFAULT_TEMPO_QPM = 120

const STEP_SEMITONES: Readonly<Record<string, number>> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 }

/** Length of each `<beat-unit>` value in quarter notes. */
const BEAT_UNIT_QUARTERS: Readonly<Record<string, number>> = {
  maxima: 32,
  long: 16,
  breve: 8,
  whole: 4,
  half: 2,
  quarter: 1,
  eighth: 0.5,
  '16th': 1 / 4,
  '32nd': 1 / 8,
  '64th': 1 / 16,
  '128th': 1 / 32,
  '256th': 1 / 64,
  '512th': 1 / 128,
  '1024th': 1 / 256,
}

/** Positions equal within this many quarter notes are the same position (guards float drift, e.g. triplets). */
const POSITION_EPSILON = 1e-9

interface TempoEvent {
  positionQ: number
  qpm: number
}

interface PendingNote {
  partId: string
  partIndex: number
  midi: number
  startQ: number
  endQ: number
}

interface PartResult {
  notes: PendingNote[]
  tempos: TempoEvent[]
  endQ: number
}

/**
 * Reads an uncompressed `score-partwise` MusicXML document into timed notes. Positions are tracked in quarter notes
 * per part and converted to seconds through one tempo map shared by all parts, as playback does.
 * Throws `TypeError` when the input is not XML, not `score-partwise`, or has no parts.
 */
export function parseMusicXml(xml: string): ParsedScore {
  if (typeof xml !== 'string') throw new TypeError('MusicXML input must be a string')
  if (xml.startsWith('PK')) {
    throw new TypeError('Compressed MusicXML (.mxl) is not supported; pass the uncompressed score-partwise XML')
  }
  const root = parseXml(xml)
  if (root.name === 'score-timewise') {
    throw new TypeError('score-timewise MusicXML is not supported; convert it to score-partwise')
  }
  if (root.name !== 'score-partwise') {
    throw new TypeError(`Expected a MusicXML <score-partwise> document, got <${root.name}>`)
  }

  const parts = readPartList(root)
  const bodies = childElements(root, 'part')
  if (bodies.length === 0) throw new TypeError('MusicXML score has no <part> elements')

  const seen = new Set<string>()
  for (const body of bodies) {
    const id = body.attributes.id
    if (id === undefined || id === '') throw new TypeError('MusicXML <part> without an id attribute')
    if (seen.has(id)) throw new TypeError(`MusicXML part id "${id}" is used by more than one <part>`)
    seen.add(id)
    if (!parts.some((part) => part.id === id)) parts.push({ id, name: id })
  }

  const pending: PendingNote[] = []
  const tempos: TempoEvent[] = []
  let endQ = 0
  for (const body of bodies) {
    const id = body.attributes.id ?? ''
    const result = readPart(
      body,
      id,
      parts.findIndex((part) => part.id === id),
    )
    pending.push(...result.notes)
    tempos.push(...result.tempos)
    endQ = Math.max(endQ, result.endQ)
  }

  const tempoMap = buildTempoMap(tempos)
  const notes = pending
    .sort((a, b) => a.startQ - b.startQ || a.partIndex - b.partIndex || a.midi - b.midi)
    .map((note): ScoreNote => {
      const startSec = tempoMap.toSec(note.startQ)
      return { partId: note.partId, midi: note.midi, startSec, durationSec: tempoMap.toSec(note.endQ) - startSec }
    })

  return {
    title: readTitle(root),
    tempoQpm: tempoMap.initialQpm,
    parts,
    notes,
    durationSec: tempoMap.toSec(endQ),
  }
}

function readTitle(root: XmlElement): string {
  const work = childElement(root, 'work')
  const workTitle = work === undefined ? undefined : childText(work, 'work-title')
  if (workTitle !== undefined && workTitle !== '') return workTitle
  return childText(root, 'movement-title') ?? ''
}

function readPartList(root: XmlElement): { id: string; name: string }[] {
  const partList = childElement(root, 'part-list')
  if (partList === undefined) return []
  return childElements(partList, 'score-part').flatMap((scorePart) => {
    const id = scorePart.attributes.id
    if (id === undefined || id === '') return []
    return [{ id, name: childText(scorePart, 'part-name') ?? '' }]
  })
}

function positiveNumber(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined
  const value = Number(text)
  return Number.isFinite(value) && value > 0 ? value : undefined
}

function readPart(body: XmlElement, partId: string, partIndex: number): PartResult {
  const notes: PendingNote[] = []
  const tempos: TempoEvent[] = []
  // Notes waiting for a `<tie type="stop">`, by pitch.
  const openTies = new Map<number, PendingNote>()
  let divisions: number | undefined
  let timeSignatureQ: number | undefined
  let measureStartQ = 0

  for (const [measureIndex, measure] of childElements(body, 'measure').entries()) {
    const where = `part "${partId}", measure ${measure.attributes.number ?? measureIndex + 1}`
    const toQuarters = (element: XmlElement, required: boolean): number => {
      const text = childText(element, 'duration')
      if (text === undefined || text === '') {
        if (required) throw new TypeError(`MusicXML ${where}: <${element.name}> has no <duration>`)
        return 0
      }
      const value = Number(text)
      if (!Number.isFinite(value) || value < 0) {
        throw new TypeError(`MusicXML ${where}: invalid <duration> "${text}"`)
      }
      if (divisions === undefined) throw new TypeError(`MusicXML ${where}: <duration> before any <divisions>`)
      return value / divisions
    }

    let cursorQ = measureStartQ
    let furthestQ = measureStartQ
    let chordStartQ = measureStartQ
    // TODO: repeats, voltas and jumps (D.C., segno) are not expanded; the score plays straight through once.
    for (const child of childElements(measure)) {
      switch (child.name) {
        case 'attributes': {
          const newDivisions = childText(child, 'divisions')
          if (newDivisions !== undefined) {
            divisions = positiveNumber(newDivisions)
            if (divisions === undefined) throw new TypeError(`MusicXML ${where}: invalid <divisions> "${newDivisions}"`)
          }
          const time = childElement(child, 'time')
          const beats = time === undefined ? undefined : positiveNumber(childText(time, 'beats'))
          const beatType = time === undefined ? undefined : positiveNumber(childText(time, 'beat-type'))
          if (beats !== undefined && beatType !== undefined) timeSignatureQ = (beats * 4) / beatType
          break
        }
        case 'note': {
          // Grace notes take no time in the written rhythm; they are not rendered.
          if (childElement(child, 'grace') !== undefined) break
          const durationQ = toQuarters(child, true)
          const isChord = childElement(child, 'chord') !== undefined
          const startQ = isChord ? chordStartQ : cursorQ
          if (!isChord) {
            chordStartQ = startQ
            cursorQ = startQ + durationQ
          }
          furthestQ = Math.max(furthestQ, startQ + durationQ)
          // Cue notes are printed for reference only; unpitched (percussion) notes have no pitch to play.
          const pitch = childElement(child, 'pitch')
          if (pitch === undefined || childElement(child, 'cue') !== undefined) break
          const midi = readMidi(pitch, where)
          addNote(child, { partId, partIndex, midi, startQ, endQ: startQ + durationQ }, notes, openTies)
          break
        }
        case 'backup':
          cursorQ = Math.max(measureStartQ, cursorQ - toQuarters(child, true))
          break
        case 'forward':
          cursorQ += toQuarters(child, true)
          furthestQ = Math.max(furthestQ, cursorQ)
          break
        case 'direction': {
          const offsetText = childText(child, 'offset')
          const offsetQ = offsetText !== undefined && divisions !== undefined ? Number(offsetText) / divisions : 0
          const qpm = readDirectionTempo(child)
          if (qpm !== undefined) {
            tempos.push({ positionQ: Math.max(measureStartQ, cursorQ + (Number.isFinite(offsetQ) ? offsetQ : 0)), qpm })
          }
          break
        }
        case 'sound': {
          const qpm = positiveNumber(child.attributes.tempo)
          if (qpm !== undefined) tempos.push({ positionQ: cursorQ, qpm })
          break
        }
      }
    }

    // An empty measure still lasts a bar when the time signature says how long a bar is.
    if (furthestQ - measureStartQ < POSITION_EPSILON && timeSignatureQ !== undefined) {
      furthestQ = measureStartQ + timeSignatureQ
    }
    measureStartQ = furthestQ
  }

  return { notes, tempos, endQ: measureStartQ }
}

function readMidi(pitch: XmlElement, where: string): number {
  const step = childText(pitch, 'step') ?? ''
  const semitone = STEP_SEMITONES[step.toUpperCase()]
  if (semitone === undefined) throw new TypeError(`MusicXML ${where}: invalid <step> "${step}"`)
  const octaveText = childText(pitch, 'octave') ?? ''
  const octave = Number.parseInt(octaveText, 10)
  if (!/^-?\d+$/.test(octaveText) || octave < 0 || octave > 9) {
    throw new TypeError(`MusicXML ${where}: invalid <octave> "${octaveText}"`)
  }
  const alterText = childText(pitch, 'alter')
  const alter = alterText === undefined || alterText === '' ? 0 : Number(alterText)
  if (!Number.isFinite(alter)) throw new TypeError(`MusicXML ${where}: invalid <alter> "${alterText}"`)
  return (octave + 1) * 12 + semitone + alter
}

/** Records a note, extending the previous one instead when a tie joins them (a tie sounds as one held note). */
function addNote(
  element: XmlElement,
  note: PendingNote,
  notes: PendingNote[],
  openTies: Map<number, PendingNote>,
): void {
  const tieTypes = new Set(childElements(element, 'tie').map((tie) => tie.attributes.type))
  const previous = openTies.get(note.midi)
  let current = note
  if (tieTypes.has('stop') && previous !== undefined && Math.abs(previous.endQ - note.startQ) < POSITION_EPSILON) {
    previous.endQ = Math.max(previous.endQ, note.endQ)
    current = previous
  } else {
    notes.push(note)
  }
  if (tieTypes.has('start')) openTies.set(note.midi, current)
  else openTies.delete(note.midi)
}

/** A `<sound tempo>` is the playback tempo; without it, a metronome mark (any beat unit) is converted to qpm. */
function readDirectionTempo(direction: XmlElement): number | undefined {
  const sound = childElement(direction, 'sound')
  const soundTempo = positiveNumber(sound?.attributes.tempo)
  if (soundTempo !== undefined) return soundTempo
  for (const directionType of childElements(direction, 'direction-type')) {
    const metronome = childElement(directionType, 'metronome')
    if (metronome === undefined) continue
    let unitQ: number | undefined
    let dots = 0
    let perMinute: number | undefined
    for (const part of childElements(metronome)) {
      if (part.name === 'beat-unit' && unitQ === undefined) unitQ = BEAT_UNIT_QUARTERS[textOf(part)]
      else if (part.name === 'beat-unit-dot' && unitQ !== undefined && perMinute === undefined) dots++
      else if (part.name === 'per-minute') perMinute = positiveNumber(/\d+(?:\.\d+)?/.exec(textOf(part))?.[0])
      // A second beat-unit is a metric modulation, which sets no absolute tempo.
      else if (part.name === 'beat-unit' && perMinute === undefined) return undefined
    }
    if (unitQ !== undefined && perMinute !== undefined) return perMinute * unitQ * (2 - 2 ** -dots)
  }
  return undefined
}

interface TempoMap {
  initialQpm: number
  toSec(positionQ: number): number
}

function buildTempoMap(events: readonly TempoEvent[]): TempoMap {
  // Stable sort keeps document order, so at one position the tempo written last wins.
  const sorted = [...events].sort((a, b) => a.positionQ - b.positionQ)
  const segments: { startQ: number; startSec: number; qpm: number }[] = [
    { startQ: 0, startSec: 0, qpm: DEFAULT_TEMPO_QPM },
  ]
  for (const event of sorted) {
    const last = segments[segments.length - 1]
    if (last === undefined) break
    if (event.positionQ - last.startQ < POSITION_EPSILON) {
      last.qpm = event.qpm
    } else {
      const startSec = last.startSec + ((event.positionQ - last.startQ) * 60) / last.qpm
      segments.push({ startQ: event.positionQ, startSec, qpm: event.qpm })
    }
  }

  return {
    initialQpm: segments[0]?.qpm ?? DEFAULT_TEMPO_QPM,
    toSec(positionQ: number): number {
      let low = 0
      let high = segments.length - 1
      while (low < high) {
        const mid = (low + high + 1) >> 1
        if ((segments[mid]?.startQ ?? Number.POSITIVE_INFINITY) <= positionQ + POSITION_EPSILON) low = mid
        else high = mid - 1
      }
      const segment = segments[low] ?? { startQ: 0, startSec: 0, qpm: DEFAULT_TEMPO_QPM }
      return segment.startSec + ((positionQ - segment.startQ) * 60) / segment.qpm
    },
  }
}
