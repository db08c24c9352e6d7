/**
 * The report's main comparisons as charts (SVG files beside the results, linked from the report): CPU per request
 * per layer end to end, database p99 per route on each data set, and the analytics questions at the largest
 * company against their targets.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { LAYER_NAMES, LAYERS } from '../process-cpu'
import type { BenchResults, DatasetResult } from '../results'
import { count } from './format'
import { type BarGroup, barChartSvg } from './svg'

export interface Chart {
  /** File name, without the directory. */
  file: string
  title: string
  svg: string
}

const dataSetName = (d: DatasetResult) => `${count(d.data.favorites)} favourites`

/** Each measured route (and subject, where a route is measured for more than one), on every data set. */
function routeChart(r: BenchResults): Chart | undefined {
  if (r.datasets.length === 0) return undefined
  const series = r.datasets.map(dataSetName)
  const groups = new Map<string, BarGroup>()
  for (const dataset of r.datasets) {
    for (const plan of dataset.plans) {
      const repeated = dataset.plans.filter((p) => p.label === plan.label).length > 1
      const label = repeated ? `${plan.label}, ${plan.subject.replace(/ \(.*$/, '')}` : plan.label
      const group = groups.get(label) ?? { label, bars: [] }
      group.bars.push({ series: dataSetName(dataset), value: plan.executionMs.p99 })
      groups.set(label, group)
    }
  }
  const title = `Database time p99 per route (${series.join(' vs ')})`
  return {
    file: `${r.scale}-routes-p99.svg`,
    title,
    svg: barChartSvg({ title, unit: 'ms', series, groups: [...groups.values()] }),
  }
}

/** Every analytics question of the matrix: its p99, and its target where it has one. */
function analyticsChart(r: BenchResults): Chart | undefined {
  const dataset = r.datasets.find((d) => d.analyticsMatrix)
  const matrix = dataset?.analyticsMatrix
  if (!dataset || !matrix) return undefined
  const series = ['p99']
  const groups = matrix.cases.map((c) => ({
    label: c.label,
    bars: [{ series: 'p99', value: c.executionMs.p99, ...(c.targetMs ? { target: c.targetMs } : {}) }],
  }))
  const title =
    `Analytics database p99, the largest company ` +
    `(${count(matrix.company.activities)} activities, ${count(matrix.company.favorites)} favourites)`
  return {
    file: `${r.scale}-analytics-p99.svg`,
    title,
    svg: barChartSvg({ title, unit: 'ms', series, groups }),
  }
}

/** CPU per request of each layer, per end-to-end target, at the run's lowest concurrency. */
function layerCpuChart(r: BenchResults): Chart | undefined {
  const measured = r.e2e.filter((e) => e.runs.some((run) => run.cpuMsPerRequest))
  if (measured.length === 0) return undefined
  const connections = Math.min(...measured.flatMap((e) => e.runs.map((run) => run.connections)))
  const series = LAYERS.map((layer) => LAYER_NAMES[layer])
  const groups = measured.map((e) => {
    const cpu = e.runs.find((run) => run.connections === connections)?.cpuMsPerRequest
    return {
      label: e.label.replace(/ \(.*\)$/, ''),
      bars: LAYERS.map((layer) => ({ series: LAYER_NAMES[layer], value: cpu?.[layer] ?? 0 })),
    }
  })
  const title = `CPU per request per layer, end to end at ${connections} connections (${r.e2e[0]?.scale} data)`
  return {
    file: `${r.scale}-layer-cpu.svg`,
    title,
    svg: barChartSvg({ title, unit: 'ms of CPU per request', series, groups }),
  }
}

export function benchCharts(r: BenchResults): Chart[] {
  return [layerCpuChart(r), routeChart(r), analyticsChart(r)].filter(
    (chart): chart is Chart => chart !== undefined,
  )
}

/** Writes the charts into `dir`; returns the report's section, its links relative to `reportFile`. */
export function writeCharts(charts: Chart[], dir: string, reportFile: string): string[] {
  if (charts.length === 0) return []
  mkdirSync(dir, { recursive: true })
  const lines = ['## Charts', '']
  for (const chart of charts) {
    writeFileSync(join(dir, chart.file), chart.svg)
    lines.push(`![${chart.title}](${relative(dirname(reportFile), join(dir, chart.file))})`, '')
  }
  return lines
}
