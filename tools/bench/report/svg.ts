/**
 * A horizontal bar chart as a standalone SVG (no script, no external font or stylesheet), so that a Markdown viewer
 * shows it as an image. Values are drawn on a log scale: the benchmark's figures span four orders of magnitude.
 */

export interface Bar {
  /** Which series the bar belongs to: its colour and legend entry. */
  series: string
  value: number
  /** A target to draw as a tick across the bar's row; a bar past it is drawn in the "missed" colour. */
  target?: number
}

export interface BarGroup {
  label: string
  bars: Bar[]
}

export interface BarChart {
  title: string
  /** The unit of the values, e.g. `ms`. */
  unit: string
  series: string[]
  groups: BarGroup[]
}

const COLOURS = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1']
const MISSED = '#e15759'
const PLOT_WIDTH = 420
/** About the width of an 11 px Helvetica character: the label column fits the longest label. */
const CHAR_WIDTH = 6.2
const BAR_HEIGHT = 12
const GROUP_GAP = 10
const TOP = 48
const FONT = 'font-family="Helvetica, Arial, sans-serif" font-size="11"'

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** Powers of ten from below the smallest value to above the largest: the axis's ticks. */
function decades(values: number[]): number[] {
  const positive = values.filter((v) => v > 0)
  const low = Math.floor(Math.log10(Math.min(...positive, 1)))
  const high = Math.ceil(Math.log10(Math.max(...positive, 10)))
  return Array.from({ length: high - low + 1 }, (_, i) => 10 ** (low + i))
}

const formatTick = (value: number) => (value >= 1 ? String(value) : String(Number(value.toPrecision(1))))

const formatValue = (value: number) =>
  value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)

export function barChartSvg(chart: BarChart): string {
  const labelWidth = Math.ceil(Math.max(200, ...chart.groups.map((g) => g.label.length * CHAR_WIDTH)) + 16)
  const values = chart.groups.flatMap((g) => g.bars.flatMap((b) => [b.value, b.target ?? b.value]))
  const ticks = decades(values)
  const [min, max] = [Math.log10(ticks[0] ?? 1), Math.log10(ticks.at(-1) ?? 10)]
  const x = (value: number) =>
    labelWidth + ((Math.log10(Math.max(value, ticks[0] ?? 1)) - min) / (max - min)) * PLOT_WIDTH
  const rows: string[] = []
  let y = TOP
  for (const group of chart.groups) {
    const groupHeight = group.bars.length * BAR_HEIGHT
    rows.push(
      `<text x="${labelWidth - 8}" y="${y + groupHeight / 2 + 4}" text-anchor="end" ${FONT}>` +
        `${escapeXml(group.label)}</text>`,
    )
    for (const bar of group.bars) {
      const missed = bar.target !== undefined && bar.value > bar.target
      const colour = missed ? MISSED : COLOURS[chart.series.indexOf(bar.series) % COLOURS.length]
      const end = x(bar.value)
      rows.push(
        `<rect x="${labelWidth}" y="${y + 1}" width="${(end - labelWidth).toFixed(1)}" ` +
          `height="${BAR_HEIGHT - 2}" fill="${colour}"><title>${escapeXml(
            `${group.label} (${bar.series}): ${formatValue(bar.value)} ${chart.unit}`,
          )}</title></rect>`,
        `<text x="${(end + 4).toFixed(1)}" y="${y + BAR_HEIGHT - 2}" ${FONT}>${formatValue(bar.value)}</text>`,
      )
      if (bar.target !== undefined) {
        const tick = x(bar.target).toFixed(1)
        rows.push(
          `<line x1="${tick}" x2="${tick}" y1="${y}" y2="${y + BAR_HEIGHT}" stroke="#000" stroke-width="2"/>`,
        )
      }
      y += BAR_HEIGHT
    }
    y += GROUP_GAP
  }
  const height = y + 30
  const axis = ticks.map((tick) => {
    const at = x(tick).toFixed(1)
    return (
      `<line x1="${at}" x2="${at}" y1="${TOP - 4}" y2="${y}" stroke="#ddd"/>` +
      `<text x="${at}" y="${y + 14}" text-anchor="middle" ${FONT}>${formatTick(tick)}</text>`
    )
  })
  const targets = chart.groups.some((g) => g.bars.some((b) => b.target !== undefined))
  const entries = [
    ...chart.series.map((series, i) => ({ colour: COLOURS[i % COLOURS.length], label: series })),
    ...(targets ? [{ colour: MISSED, label: 'past its target (black tick)' }] : []),
  ]
  // Spread over the plot's width, so every entry stays inside the image.
  const step = Math.min(150, PLOT_WIDTH / entries.length)
  const legend = entries.map(
    ({ colour, label }, i) =>
      `<rect x="${labelWidth + i * step}" y="${TOP - 22}" width="10" height="10" fill="${colour}"/>` +
      `<text x="${labelWidth + i * step + 14}" y="${TOP - 13}" ${FONT}>${escapeXml(label)}</text>`,
  )
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + PLOT_WIDTH + 60}" height="${height}" ` +
      `viewBox="0 0 ${labelWidth + PLOT_WIDTH + 60} ${height}">`,
    '<rect width="100%" height="100%" fill="#fff"/>',
    `<text x="8" y="18" font-family="Helvetica, Arial, sans-serif" font-size="14" font-weight="bold">` +
      `${escapeXml(chart.title)}</text>`,
    ...axis,
    ...legend,
    ...rows,
    `<text x="${labelWidth + PLOT_WIDTH / 2}" y="${height - 4}" text-anchor="middle" ${FONT}>` +
      `${escapeXml(chart.unit)} (log scale)</text>`,
    '</svg>',
    '',
  ].join('\n')
}
