import { describe, expect, it } from 'vitest'
import { parseMusicXml } from '../src/audio/index.js'

/** A one-part score-partwise document; `measures` are the inner XML of each `<measure>`. */
function scoreXml(measures: readonly string[], extraHead = ''): string {
  const body = measures.map((content, i) => `<measure number="${i + 1}">${content}</measure>`).join('\n')
  return `<?xml version="1.0" encoding="UTF-8"?>
<score-partwise version="4.0">
  ${extraHead}
  <part-list><score-part id="P1"><part-name>Piano</part-name></score-part></part-list>
  <part id="P1">${body}</part>
</score-partwise>`
}

const divisions = (n: number) => `<attributes><divisions>${n}</divisions></attributes>`
const pitch = (step: string, octave: number, alter = 0) =>
  `<pitch><step>${step}</step>${alter === 0 ? '' : `<alter>${alter}</alter>`}<octave>${octave}</octave></pitch>`
const note = (step: string, octave: number, duration: number, extra = '') =>
  `<note>${extra}${pitch(step, octave)}<duration>${duration}</duration></note>`
const rest = (duration: number) => `<note><rest/><duration>${duration}</duration></note>`

describe('parseMusicXml', () => {
  it('maps step, alter and octave to MIDI numbers (C4 = 60, A4 = 69)', () => {
    const xml = scoreXml([
      divisions(1) +
        note('C', 4, 1) +
        note('A', 4, 1) +
        `<note>${pitch('B', 3, -1)}<duration>1</duration></note>` +
        `<note>${pitch('C', 0, 0)}<duration>1</duration></note>`,
    ])
    expect(parseMusicXml(xml).notes.map((n) => n.midi)).toEqual([60, 69, 58, 12])
  })

  it('defaults to 120 qpm, so a quarter note lasts 0.5 s', () => {
    const score = parseMusicXml(scoreXml([divisions(4) + note('C', 4, 4) + note('D', 4, 2) + note('E', 4, 2)]))
    expect(score.tempoQpm).toBe(120)
    expect(score.notes.map((n) => [n.startSec, n.durationSec])).toEqual([
      [0, 0.5],
      [0.5, 0.25],
      [0.75, 0.25],
    ])
    expect(score.durationSec).toBe(1)
  })

  it('starts <chord/> notes with the previous note and does not advance time for them', () => {
    const score = parseMusicXml(
      scoreXml([
        divisions(1) + note('C', 4, 2) + note('E', 4, 2, '<chord/>') + note('G', 4, 2, '<chord/>') + note('D', 4, 2),
      ]),
    )
    expect(score.notes.map((n) => [n.midi, n.startSec])).toEqual([
      [60, 0],
      [64, 0],
      [67, 0],
      [62, 1],
    ])
    expect(score.durationSec).toBe(2)
  })

  it('moves the position back with <backup> and ahead with <forward> for a second voice', () => {
    const measure = `${divisions(2)}${note('C', 5, 8)}<backup><duration>8</duration></backup>
      <forward><duration>4</duration></forward>${note('E', 3, 4)}`
    const score = parseMusicXml(scoreXml([measure, note('D', 5, 8)]))
    expect(score.notes.map((n) => [n.midi, n.startSec, n.durationSec])).toEqual([
      [72, 0, 2],
      [52, 1, 1],
      // The measure lasts as long as its longest voice, whatever the position after the last backup.
      [74, 2, 2],
    ])
    expect(score.durationSec).toBe(4)
  })

  it('lets rests take time without producing notes', () => {
    const score = parseMusicXml(scoreXml([divisions(1) + rest(2) + note('G', 4, 1) + rest(1)]))
    expect(score.notes).toEqual([{ partId: 'P1', midi: 67, startSec: 1, durationSec: 0.5 }])
    expect(score.durationSec).toBe(2)
  })

  it('follows a mid-score tempo change from <sound tempo>', () => {
    const score = parseMusicXml(
      scoreXml([
        `${divisions(1)}<direction><direction-type><words>Allegro</words></direction-type><sound tempo="120"/></direction>${note('C', 4, 4)}`,
        `<direction><direction-type><words>Adagio</words></direction-type><sound tempo="60"/></direction>${note('D', 4, 4)}`,
      ]),
    )
    // Bar 1: four quarters at 120 qpm = 2 s. Bar 2: four quarters at 60 qpm = 4 s.
    expect(score.notes.map((n) => [n.startSec, n.durationSec])).toEqual([
      [0, 2],
      [2, 4],
    ])
    expect(score.tempoQpm).toBe(120)
    expect(score.durationSec).toBe(6)
  })

  it('times a note that spans a tempo change by both tempos', () => {
    // A whole note in one voice; another voice changes the tempo from 120 to 60 qpm halfway through it.
    const measure = `${divisions(1)}${note('C', 4, 4)}<backup><duration>4</duration></backup>
      <forward><duration>2</duration></forward><sound tempo="60"/><forward><duration>2</duration></forward>`
    const score = parseMusicXml(scoreXml([measure, note('G', 4, 1)]))
    // Two quarters at 120 qpm (1 s) plus two at 60 qpm (2 s); the next bar stays at 60 qpm.
    expect(score.notes.map((n) => [n.startSec, n.durationSec])).toEqual([
      [0, 3],
      [3, 1],
    ])
    expect(score.durationSec).toBe(4)
  })

  it('reads a metronome mark with any beat unit as quarter notes per minute', () => {
    const metronome = (unit: string, dots: number, perMinute: string) =>
      `<direction><direction-type><metronome><beat-unit>${unit}</beat-unit>${'<beat-unit-dot/>'.repeat(dots)}` +
      `<per-minute>${perMinute}</per-minute></metronome></direction-type></direction>`
    const tempoOf = (mark: string) => parseMusicXml(scoreXml([divisions(1) + mark + note('C', 4, 4)])).tempoQpm
    expect(tempoOf(metronome('quarter', 0, '90'))).toBe(90)
    expect(tempoOf(metronome('quarter', 1, '80'))).toBe(120)
    expect(tempoOf(metronome('half', 0, '50'))).toBe(100)
    expect(tempoOf(metronome('eighth', 0, 'c. 144'))).toBe(72)
    const score = parseMusicXml(scoreXml([divisions(1) + metronome('half', 0, '30') + note('C', 4, 4)]))
    // Half note = 30 is 60 qpm: a whole note lasts 4 s.
    expect(score.durationSec).toBe(4)
  })

  it('takes the tempo from any part, applying it to every part', () => {
    const xml = `<score-partwise version="4.0">
      <part-list>
        <score-part id="A"><part-name>Upper</part-name></score-part>
        <score-part id="B"><part-name>Lower</part-name></score-part>
      </part-list>
      <part id="A"><measure number="1">${divisions(1)}${note('C', 5, 4)}</measure></part>
      <part id="B"><measure number="1">${divisions(1)}<sound tempo="240"/>${note('C', 3, 4)}</measure></part>
    </score-partwise>`
    const score = parseMusicXml(xml)
    expect(score.tempoQpm).toBe(240)
    expect(score.notes.map((n) => [n.partId, n.durationSec])).toEqual([
      ['A', 1],
      ['B', 1],
    ])
  })

  it('reports the end of the longest part as the duration', () => {
    const xml = `<score-partwise version="4.0">
      <part-list>
        <score-part id="A"><part-name>Short</part-name></score-part>
        <score-part id="B"><part-name>Long</part-name></score-part>
      </part-list>
      <part id="A"><measure number="1">${divisions(1)}${note('C', 5, 4)}</measure></part>
      <part id="B"><measure number="1">${divisions(1)}${note('C', 3, 4)}</measure>
        <measure number="2">${rest(4)}</measure></part>
    </score-partwise>`
    expect(parseMusicXml(xml).durationSec).toBe(4)
  })

  it('handles a change of <divisions> between measures', () => {
    const score = parseMusicXml(
      scoreXml([divisions(1) + note('C', 4, 4), divisions(8) + note('D', 4, 16) + note('E', 4, 16)]),
    )
    expect(score.notes.map((n) => [n.startSec, n.durationSec])).toEqual([
      [0, 2],
      [2, 1],
      [3, 1],
    ])
  })

  it('merges tied notes into one held note', () => {
    const score = parseMusicXml(
      scoreXml([
        `${divisions(1)}${note('C', 4, 2)}<note>${pitch('E', 4)}<duration>2</duration><tie type="start"/></note>`,
        `<note>${pitch('E', 4)}<duration>2</duration><tie type="stop"/></note>${note('E', 4, 2)}`,
      ]),
    )
    expect(score.notes.map((n) => [n.midi, n.startSec, n.durationSec])).toEqual([
      [60, 0, 1],
      [64, 1, 2],
      [64, 3, 1],
    ])
  })

  it('skips grace notes and cue notes but keeps the cue note rhythm', () => {
    const grace = `<note><grace/>${pitch('B', 4)}</note>`
    const cue = `<note><cue/>${pitch('F', 4)}<duration>1</duration></note>`
    const score = parseMusicXml(scoreXml([divisions(1) + grace + note('C', 5, 1) + cue + note('D', 5, 2)]))
    expect(score.notes.map((n) => [n.midi, n.startSec])).toEqual([
      [72, 0],
      [74, 1],
    ])
  })

  it('gives an empty measure the length of the time signature', () => {
    const attributes =
      '<attributes><divisions>1</divisions><time><beats>3</beats><beat-type>4</beat-type></time></attributes>'
    const score = parseMusicXml(scoreXml([attributes + note('C', 4, 3), '', note('D', 4, 3)]))
    expect(score.notes.map((n) => n.startSec)).toEqual([0, 3])
    expect(score.durationSec).toBe(4.5)
  })

  it('takes the title from <work-title>, else <movement-title>, decoding entities', () => {
    const work = '<work><work-title>Tom &amp; Jerry&apos;s &lt;Song&gt; &quot;No. 1&quot;</work-title></work>'
    expect(parseMusicXml(scoreXml([divisions(1)], work)).title).toBe('Tom & Jerry\'s <Song> "No. 1"')
    const movement = '<movement-title>Caf&#233; &#x2014; Op. 2</movement-title>'
    expect(parseMusicXml(scoreXml([divisions(1)], movement)).title).toBe('Café — Op. 2')
    expect(parseMusicXml(scoreXml([divisions(1)])).title).toBe('')
  })

  it('decodes entities in part names and ignores comments, CDATA wrappers and a DOCTYPE', () => {
    const xml = `<?xml version="1.0"?>
<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN" "http://www.musicxml.org/dtds/partwise.dtd">
<!-- exported by hand -->
<score-partwise version='4.0'>
  <part-list><score-part id="P1"><part-name><![CDATA[Violin <I>]]></part-name></score-part>
    <score-part id="P2"><part-name>Bass &amp; Drums</part-name></score-part></part-list>
  <part id="P1"><measure number="1"><!-- <note> in a comment is not a note -->${divisions(1)}${note('A', 4, 1)}</measure></part>
  <part id="P2"><measure number="1">${divisions(1)}${rest(1)}</measure></part>
</score-partwise>`
    const score = parseMusicXml(xml)
    expect(score.parts).toEqual([
      { id: 'P1', name: 'Violin <I>' },
      { id: 'P2', name: 'Bass & Drums' },
    ])
    expect(score.notes).toHaveLength(1)
  })

  it('throws TypeError for text that is not XML', () => {
    expect(() => parseMusicXml('definitely not xml')).toThrow(TypeError)
    expect(() => parseMusicXml('')).toThrow(TypeError)
    expect(() => parseMusicXml('{"score": []}')).toThrow(TypeError)
  })

  it('throws TypeError, with the line, for malformed XML', () => {
    expect(() => parseMusicXml('<score-partwise>\n<part-list>\n</score-partwise>')).toThrow(/line 3.*<part-list>/)
    expect(() => parseMusicXml('<score-partwise><part id="P1">')).toThrow(TypeError)
    expect(() => parseMusicXml('<score-partwise a=1></score-partwise>')).toThrow(/not quoted/)
    expect(() => parseMusicXml('<a></a><b></b>')).toThrow(/second root/)
  })

  it('throws TypeError for XML that is not score-partwise', () => {
    expect(() => parseMusicXml('<html><body/></html>')).toThrow(/score-partwise.*<html>/)
    expect(() => parseMusicXml('<score-timewise version="4.0"></score-timewise>')).toThrow(TypeError)
    expect(() => parseMusicXml('PK\u0003\u0004 zipped')).toThrow(/Compressed/)
  })

  it('throws TypeError for a score without parts', () => {
    expect(() => parseMusicXml('<score-partwise version="4.0"><part-list/></score-partwise>')).toThrow(/no <part>/)
  })

  it('throws TypeError naming the measure when a note has no usable duration', () => {
    expect(() => parseMusicXml(scoreXml([`${divisions(1)}<note>${pitch('C', 4)}</note>`]))).toThrow(
      /part "P1", measure 1.*<duration>/,
    )
    expect(() => parseMusicXml(scoreXml([note('C', 4, 1)]))).toThrow(/<divisions>/)
    expect(() =>
      parseMusicXml(scoreXml([`${divisions(1)}<note>${pitch('H', 4)}<duration>1</duration></note>`])),
    ).toThrow(/<step>/)
  })
})
