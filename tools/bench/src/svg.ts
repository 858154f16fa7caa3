/** The waiting trade-off as a small hand-written SVG: requests per task against median done-to-resolved delay. */

export interface TradeoffPoint {
  label: string
  requestsPerTask: number
  delayP50Ms: number
}

export interface TradeoffChart {
  fixed: TradeoffPoint[]
  engine: TradeoffPoint
  engineNoEta: TradeoffPoint
  /** The fixed-interval curve read at the engine's request count. */
  fixedAtEngine: TradeoffPoint
  /** The engine on the tasks that report percent, and on those that do not. */
  engineHalves: TradeoffPoint[]
  caption: string
}

const WIDTH = 760
const HEIGHT = 460
const MARGIN = { left: 70, right: 200, top: 48, bottom: 56 }

function niceTicks(min: number, max: number): number[] {
  const ticks: number[] = []
  for (let decade = 10 ** Math.floor(Math.log10(min)); decade <= max; decade *= 10) {
    for (const step of [1, 2, 5]) {
      const value = decade * step
      if (value >= min * 0.999 && value <= max * 1.001) ticks.push(value)
    }
  }
  return ticks
}

/** Round bounds on the 1-2-5 ladder around the data, with some room. */
function bounds(values: number[]): [number, number] {
  const ladder = (decade: number) => [1, 2, 5].map((step) => step * 10 ** decade)
  const low = Math.min(...values) * 0.8
  const high = Math.max(...values) * 1.25
  const steps = [-3, -2, -1, 0, 1, 2, 3, 4, 5].flatMap(ladder)
  return [steps.filter((v) => v <= low).at(-1) ?? low, steps.find((v) => v >= high) ?? high]
}

function format(value: number): string {
  return value >= 10 ? String(Math.round(value)) : String(Number(value.toPrecision(2)))
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Only points a log scale can place: a half of the workload with no tasks has no figures. */
const plottable = (p: TradeoffPoint) => p.requestsPerTask > 0 && p.delayP50Ms > 0

export function renderTradeoffSvg(input: TradeoffChart): string {
  const chart = { ...input, fixed: input.fixed.filter(plottable), engineHalves: input.engineHalves.filter(plottable) }
  const all = [...chart.fixed, chart.engine, chart.engineNoEta, chart.fixedAtEngine, ...chart.engineHalves].filter(
    plottable,
  )
  const [xMin, xMax] = bounds(all.map((p) => p.requestsPerTask))
  const [yMin, yMax] = bounds(all.map((p) => p.delayP50Ms / 1000))
  const plotW = WIDTH - MARGIN.left - MARGIN.right
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom
  const x = (v: number) => MARGIN.left + ((Math.log(v) - Math.log(xMin)) / (Math.log(xMax) - Math.log(xMin))) * plotW
  const y = (seconds: number) =>
    MARGIN.top + plotH - ((Math.log(seconds) - Math.log(yMin)) / (Math.log(yMax) - Math.log(yMin))) * plotH
  const px = (p: TradeoffPoint) => x(p.requestsPerTask).toFixed(1)
  const py = (p: TradeoffPoint) => y(p.delayP50Ms / 1000).toFixed(1)
  const out: string[] = []
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>Waiting for tasks: requests per task against median done-to-resolved delay. ${escapeXml(chart.caption)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${MARGIN.left}" y="24" font-size="15" font-weight="600">Waiting for tasks: requests against delay (lower left is better)</text>`,
    `<text x="${MARGIN.left}" y="40" fill="#555">${escapeXml(chart.caption)}</text>`,
  )
  for (const tick of niceTicks(xMin, xMax)) {
    const tx = x(tick).toFixed(1)
    out.push(
      `<line x1="${tx}" y1="${MARGIN.top}" x2="${tx}" y2="${MARGIN.top + plotH}" stroke="#eee"/>`,
      `<text x="${tx}" y="${MARGIN.top + plotH + 16}" text-anchor="middle" fill="#333">${format(tick)}</text>`,
    )
  }
  for (const tick of niceTicks(yMin, yMax)) {
    const ty = y(tick).toFixed(1)
    out.push(
      `<line x1="${MARGIN.left}" y1="${ty}" x2="${MARGIN.left + plotW}" y2="${ty}" stroke="#eee"/>`,
      `<text x="${MARGIN.left - 6}" y="${ty}" dy="4" text-anchor="end" fill="#333">${format(tick)}</text>`,
    )
  }
  out.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 14}" text-anchor="middle">requests per task (mean, log scale)</text>`,
    `<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">median done-to-resolved delay, s (log scale)</text>`,
  )
  const fixed = [...chart.fixed].sort((a, b) => a.requestsPerTask - b.requestsPerTask)
  out.push(
    `<polyline fill="none" stroke="#888" stroke-width="1.5" points="${fixed.map((p) => `${px(p)},${py(p)}`).join(' ')}"/>`,
  )
  for (const p of fixed) {
    out.push(
      `<circle cx="${px(p)}" cy="${py(p)}" r="4" fill="#888"/>`,
      `<text x="${px(p)}" y="${py(p)}" dx="6" dy="-6" fill="#555">${escapeXml(p.label)}</text>`,
    )
  }
  const e = chart.engine
  const at = chart.fixedAtEngine
  out.push(
    `<line x1="${px(e)}" y1="${py(e)}" x2="${px(at)}" y2="${py(at)}" stroke="#1f6feb" stroke-dasharray="4 3"/>`,
    `<path d="M${Number(px(at)) - 5},${Number(py(at)) - 5} l10,10 m0,-10 l-10,10" stroke="#1f6feb" stroke-width="1.5"/>`,
    ...chart.engineHalves.flatMap((half) => [
      `<circle cx="${px(half)}" cy="${py(half)}" r="4.5" fill="#fff" stroke="#1f6feb" stroke-width="1.5"/>`,
      `<text x="${px(half)}" y="${py(half)}" dx="7" dy="4" fill="#1f6feb">${escapeXml(half.label)}</text>`,
    ]),
    `<circle cx="${px(e)}" cy="${py(e)}" r="6" fill="#1f6feb"/>`,
    `<rect x="${Number(px(chart.engineNoEta)) - 5}" y="${Number(py(chart.engineNoEta)) - 5}" width="10" height="10" fill="#d97706"/>`,
  )
  const legendX = MARGIN.left + plotW + 16
  const legend: [string, string][] = [
    ['<circle r="6" fill="#1f6feb"/>', chart.engine.label],
    ['<rect x="-5" y="-5" width="10" height="10" fill="#d97706"/>', chart.engineNoEta.label],
    ['<circle r="4.5" fill="#fff" stroke="#1f6feb" stroke-width="1.5"/>', 'sdk on each half'],
    ['<circle r="4" fill="#888"/>', 'fixed-interval loops'],
    ['<path d="M-5,-5 l10,10 m0,-10 l-10,10" stroke="#1f6feb" stroke-width="1.5"/>', chart.fixedAtEngine.label],
  ]
  legend.forEach(([mark, text], index) => {
    const ly = MARGIN.top + 12 + index * 22
    out.push(
      `<g transform="translate(${legendX + 6} ${ly})">${mark}</g>`,
      `<text x="${legendX + 18}" y="${ly}" dy="4">${escapeXml(text)}</text>`,
    )
  })
  out.push('</svg>', '')
  return out.join('\n')
}
