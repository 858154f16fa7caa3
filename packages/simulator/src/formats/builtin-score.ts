export interface BuiltinPart {
  id: string
  name: string
  /** General MIDI program, 1-based as MusicXML writes it. Default 1 (piano). */
  midiProgram?: number
}

const STEPS = ['C', 'D', 'E', 'F', 'G', 'A', 'B'] as const
/** Scale degrees per measure: up an octave, then back down. */
const MELODY: readonly (readonly number[])[] = [
  [0, 1, 2, 3],
  [4, 5, 6, 7],
  [7, 6, 5, 4],
  [3, 2, 1, 0],
]

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

function note(degree: number, octave: number): string {
  const step = STEPS[degree % 7] as string
  return `<note><pitch><step>${step}</step><octave>${octave + Math.floor(degree / 7)}</octave></pitch><duration>1</duration><type>quarter</type></note>`
}

/**
 * A small valid score-partwise document: four bars of quarter notes at 120 qpm (8 s), one part unless told otherwise.
 * Seeded library scores and OMR results use it as their content.
 */
export function builtinScoreXml(title: string, parts: readonly BuiltinPart[] = [{ id: 'P1', name: 'Piano' }]): string {
  const partList = parts
    .map(
      (part) =>
        `<score-part id="${escapeXml(part.id)}"><part-name>${escapeXml(part.name)}</part-name>` +
        `<score-instrument id="${escapeXml(part.id)}-I1"><instrument-name>${escapeXml(part.name)}</instrument-name></score-instrument>` +
        `<midi-instrument id="${escapeXml(part.id)}-I1"><midi-program>${part.midiProgram ?? 1}</midi-program></midi-instrument></score-part>`,
    )
    .join('')
  const body = parts
    .map((part, index) => {
      const octave = 4 - index
      const measures = MELODY.map((degrees, bar) => {
        const attributes =
          bar === 0
            ? '<attributes><divisions>1</divisions><key><fifths>0</fifths></key><time><beats>4</beats><beat-type>4</beat-type></time><clef><sign>G</sign><line>2</line></clef></attributes>' +
              '<direction><direction-type><metronome><beat-unit>quarter</beat-unit><per-minute>120</per-minute></metronome></direction-type><sound tempo="120"/></direction>'
            : ''
        return `<measure number="${bar + 1}">${attributes}${degrees.map((degree) => note(degree, octave)).join('')}</measure>`
      })
      return `<part id="${escapeXml(part.id)}">${measures.join('')}</part>`
    })
    .join('\n')
  return `<?xml version="1.0" encoding="UTF-8"?>
<score-partwise version="4.0">
<work><work-title>${escapeXml(title)}</work-title></work>
<part-list>${partList}</part-list>
${body}
</score-partwise>
`
}

/**
 * Drops every part not in `partIds` from a score-partwise document, in text, so the rest stays byte-for-byte as
 * imported. Part ids are matched exactly.
 */
export function keepParts(xml: string, partIds: readonly string[]): string {
  const keep = new Set(partIds)
  const drop = (match: string, id: string) => (keep.has(id) ? match : '')
  return xml
    .replace(/[ \t]*<score-part\s[^>]*?id="([^"]*)"[\s\S]*?<\/score-part>\s*/g, drop)
    .replace(/[ \t]*<part\s[^>]*?id="([^"]*)"[\s\S]*?<\/part>\s*/g, drop)
}
