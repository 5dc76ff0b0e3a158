/** A time-series line chart (uPlot: small and fast), resized with its container. */
import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

export interface Series {
  label: string
  values: (number | null)[]
}

const palette = ['#1d4ed8', '#059669', '#d97706', '#dc2626', '#7c3aed', '#0891b2', '#db2777']

function compact(n: number): string {
  if (n === 0) return '0'
  return n.toLocaleString('en-GB', { maximumSignificantDigits: 3, notation: 'compact' })
}

export function TimeChart(props: {
  label: string
  /** Unix seconds. */
  times: number[]
  series: Series[]
  unit: string
  height?: number
  bars?: boolean
}) {
  const host = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const el = host.current
    if (!el) return
    const options: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: props.height ?? 220,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: {
        // One point alone would span years: show a day around it.
        x:
          props.times.length === 1
            ? {
                time: true,
                auto: false,
                range: [(props.times[0] ?? 0) - 43_200, (props.times[0] ?? 0) + 43_200],
              }
            : { time: true },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
      axes: [
        { stroke: '#64748b', grid: { stroke: '#eef1f5' } },
        {
          stroke: '#64748b',
          grid: { stroke: '#eef1f5' },
          // Wide enough for the longest tick label (e.g. "0.0003 MB/s"), which would be clipped.
          size: (_u, values) =>
            values ? Math.max(48, ...values.map((v) => String(v).length * 7 + 18)) : 78,
          values: (_u, ticks) =>
            ticks.map((t) => `${compact(t)}${props.unit ? ` ${props.unit}` : ''}`),
        },
      ],
      series: [
        {},
        ...props.series.map((s, i): uPlot.Series => {
          const color = palette[i % palette.length] ?? '#1d4ed8'
          const bars = props.bars ? uPlot.paths.bars?.({ size: [0.6, 40] }) : undefined
          return {
            label: s.label,
            stroke: color,
            width: 2,
            fill: props.bars ? `${color}55` : `${color}14`,
            points: { show: props.times.length < 40 },
            ...(bars ? { paths: bars } : {}),
          }
        }),
      ],
    }
    const data: uPlot.AlignedData = [props.times, ...props.series.map((s) => s.values)]
    const plot = new uPlot(options, data, el)
    const observer = new ResizeObserver(() => {
      plot.setSize({ width: Math.max(200, el.clientWidth), height: props.height ?? 220 })
    })
    observer.observe(el)
    return () => {
      observer.disconnect()
      plot.destroy()
    }
  }, [props.times, props.series, props.unit, props.height, props.bars])
  return <div ref={host} className="chart" role="img" aria-label={props.label} />
}
