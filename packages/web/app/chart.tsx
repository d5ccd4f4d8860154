// A time-series chart (uPlot on a canvas): x is Unix time in seconds, one line per series.
// The uPlot instance is made once and fed new data in place, so a live page redraws cheaply.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

/** One line of a chart: its label, unit and values (null where there was no data). */
export interface ChartSeries {
  label: string;
  values: (number | null)[];
}

/** Props of TimeChart: x values in epoch seconds, the series, the y axis's unit. */
export interface TimeChartProps {
  title: string;
  timesSec: number[];
  series: ChartSeries[];
  unit: string;
}

const COLORS = ['#2563eb', '#d97706', '#dc2626', '#059669', '#7c3aed'];
const HEIGHT_PX = 220;

/** A line chart of one or more series over time. */
export function TimeChart(props: TimeChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const labels = props.series.map((s) => s.label).join('|');

  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const opts: uPlot.Options = {
      title: props.title,
      width: Math.max(300, el.clientWidth),
      height: HEIGHT_PX,
      series: [
        {},
        ...props.series.map((s, i) => ({
          label: s.label,
          stroke: COLORS[i % COLORS.length] ?? '#000',
          width: 2,
          spanGaps: false,
          value: (_u: uPlot, v: number | null) =>
            v === null ? '–' : `${v.toFixed(2)} ${props.unit}`,
        })),
      ],
      axes: [{}, { label: props.unit, size: 60 }],
      // One point (a run shorter than an interval) would otherwise get a range of years.
      scales: {
        x: {
          time: true,
          range: (_u: uPlot, min: number, max: number): uPlot.Range.MinMax =>
            max - min < 10 ? [min - 5, max + 5] : [min, max],
        },
      },
    };
    const u = new uPlot(opts, [props.timesSec, ...props.series.map((s) => s.values)], el);
    plot.current = u;
    const resize = new ResizeObserver(() =>
      u.setSize({ width: Math.max(300, el.clientWidth), height: HEIGHT_PX }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Rebuilt only when the set of series changes; data updates go through setData below.
  }, [labels, props.title, props.unit]);

  useEffect(() => {
    plot.current?.setData([props.timesSec, ...props.series.map((s) => s.values)]);
  }, [props.timesSec, props.series]);

  return <div class="chart" ref={box} data-chart={props.title} />;
}
