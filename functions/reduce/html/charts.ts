/**
 * The report's charts, drawn by Apache ECharts' server-side renderer into static SVG: no script, no
 * font and no request in the page, and the same picture in a browser, a mail client or a PDF.
 * Only the chart types and components used here are imported (from echarts/core and friends), which
 * keeps the reduce bundle to what the page needs.
 */
import { BarChart, type BarSeriesOption, HeatmapChart, type HeatmapSeriesOption } from 'echarts/charts';
import {
  AriaComponent,
  type AriaComponentOption,
  type GridComponentOption,
  GridSimpleComponent,
  type LegendComponentOption,
  LegendPlainComponent,
  type VisualMapComponentOption,
  VisualMapPiecewiseComponent,
} from 'echarts/components';
import { type ComposeOption, init, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

use([
  BarChart,
  HeatmapChart,
  GridSimpleComponent,
  LegendPlainComponent,
  VisualMapPiecewiseComponent,
  AriaComponent,
  SVGRenderer,
]);

type ChartOption = ComposeOption<
  | BarSeriesOption
  | HeatmapSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | VisualMapComponentOption
  | AriaComponentOption
>;

/**
 * The server-side renderer cannot measure text: it estimates widths from Arial's metrics. Asking for
 * Arial (or its metric twin Liberation Sans) keeps the labels where the layout expects them. No quotes
 * in the list: ECharts writes it unescaped into a double-quoted style attribute.
 */
const FONT = 'Arial, Helvetica, Liberation Sans, sans-serif';
/** Room left of a chart's labels in case the reader's font is wider than the estimate. */
const LABEL_SLACK = 36;
const TEXT = '#1f2937';
const AXIS = '#6b7280';

/**
 * Renders one option to an SVG string. What the renderer adds for interactive use goes: `ecmeta_*`
 * attributes (for client-side hydration, which halve a coverage grid's size) and hover styles (a
 * pointer cursor over bars that do nothing). Their class names also count up across charts, which
 * would make the same run's page differ from one render to the next.
 */
export function renderSvg(option: ChartOption, width: number, height: number): string {
  const chart = init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: FONT, color: TEXT },
      aria: { enabled: true },
      ...option,
    });
    return chart
      .renderToSVGString()
      .replace(/ ecmeta_[a-z_]+="[^"]*"/g, '')
      .replace(/ class="zr\d+-cls-\d+"/g, '')
      .replace(/<style\b[^>]*><!\[CDATA\[[^\]]*\]\]>\s*<\/style>/g, '');
  } finally {
    chart.dispose();
  }
}

export interface Bar {
  label: string;
  value: number;
  color: string;
}

/** Horizontal bars, largest on top as given, each with its count at its end. */
export function barChart(bars: readonly Bar[], width = 560): string {
  const height = 40 + bars.length * 26;
  return renderSvg(
    {
      grid: {
        left: 8,
        right: 64,
        top: 8,
        bottom: 24,
        outerBoundsMode: 'same',
        outerBoundsContain: 'axisLabel',
      },
      xAxis: { type: 'value', axisLabel: { color: AXIS }, splitLine: { lineStyle: { color: '#e5e7eb' } } },
      yAxis: {
        type: 'category',
        inverse: true,
        data: bars.map((bar) => bar.label),
        axisLabel: { color: TEXT },
        axisTick: { show: false },
      },
      series: [
        {
          type: 'bar',
          barMaxWidth: 18,
          data: bars.map((bar) => ({ value: bar.value, itemStyle: { color: bar.color } })),
          label: { show: true, position: 'right', color: TEXT },
        },
      ],
    },
    width,
    height,
  );
}

export interface Series {
  name: string;
  color: string;
  values: readonly number[];
}

/** Vertical bars per category, the series side by side. */
export function columnChart(
  categories: readonly string[],
  series: readonly Series[],
  options: { width?: number; height?: number } = {},
): string {
  const width = options.width ?? Math.max(560, 90 + categories.length * (16 * series.length + 12));
  return renderSvg(
    {
      legend: { top: 0, itemGap: 24, textStyle: { color: TEXT } },
      grid: {
        left: 8,
        right: 16,
        top: 36,
        bottom: 8,
        outerBoundsMode: 'same',
        outerBoundsContain: 'axisLabel',
      },
      xAxis: {
        type: 'category',
        data: [...categories],
        axisLabel: { color: TEXT, rotate: categories.length > 8 ? 45 : 0, interval: 0 },
      },
      yAxis: { type: 'value', axisLabel: { color: AXIS }, splitLine: { lineStyle: { color: '#e5e7eb' } } },
      series: series.map((s) => ({
        type: 'bar' as const,
        name: s.name,
        barMaxWidth: 22,
        itemStyle: { color: s.color },
        data: [...s.values],
      })),
    },
    width,
    options.height ?? 320,
  );
}

/** Horizontal bars, one per label (first on top), the series stacked along each bar. */
export function stackedBarChart(labels: readonly string[], series: readonly Series[], width = 640): string {
  return renderSvg(
    {
      legend: { top: 0, itemGap: 24, textStyle: { color: TEXT } },
      grid: {
        left: LABEL_SLACK,
        right: 24,
        top: 36,
        bottom: 8,
        outerBoundsMode: 'same',
        outerBoundsContain: 'axisLabel',
      },
      xAxis: { type: 'value', axisLabel: { color: AXIS }, splitLine: { lineStyle: { color: '#e5e7eb' } } },
      yAxis: {
        type: 'category',
        inverse: true,
        data: [...labels],
        axisLabel: { color: TEXT },
        axisTick: { show: false },
      },
      series: series.map((s) => ({
        type: 'bar' as const,
        name: s.name,
        stack: 'total',
        barMaxWidth: 18,
        itemStyle: { color: s.color },
        data: [...s.values],
      })),
    },
    width,
    60 + labels.length * 26,
  );
}

export interface GridStatus {
  label: string;
  color: string;
}

/**
 * A rows x columns grid of statuses (`cells[row][column]`, an index into `statuses`, or -1 for none).
 * The most frequent status is drawn as the grid's background rather than cell by cell: a fleet that
 * is mostly scanned draws only its exceptions, which keeps 1,000 accounts x 20 regions small.
 */
export function statusGrid(
  rows: readonly string[],
  columns: readonly string[],
  cells: readonly (readonly number[])[],
  statuses: readonly GridStatus[],
): string {
  const frequency = statuses.map(() => 0);
  let empty = false;
  for (const row of cells) {
    for (const cell of row) {
      if (cell >= 0) frequency[cell] = (frequency[cell] ?? 0) + 1;
      else empty = true;
    }
  }
  // an empty cell must stay blank, so with any there is no background status
  const background = empty ? -1 : frequency.indexOf(Math.max(...frequency));
  const data: [number, number, number][] = [];
  cells.forEach((row, y) => {
    row.forEach((cell, x) => {
      if (cell >= 0 && cell !== background) data.push([x, y, cell]);
    });
  });
  const showRowLabels = rows.length <= 60;
  const rowHeight = rows.length <= 60 ? 16 : Math.max(1.4, Math.min(8, 1400 / rows.length));
  const width = Math.max(480, 160 + columns.length * 34);
  const height = Math.round(rows.length * rowHeight) + 130;
  const backgroundColor = statuses[background]?.color ?? '#ffffff';
  return renderSvg(
    {
      grid: {
        left: LABEL_SLACK,
        right: 16,
        top: 44,
        bottom: 8,
        outerBoundsMode: 'same',
        outerBoundsContain: 'axisLabel',
        show: true,
        backgroundColor,
        borderWidth: 0,
      },
      xAxis: {
        type: 'category',
        position: 'top',
        data: [...columns],
        axisLabel: { color: TEXT, rotate: 45, interval: 0 },
        axisTick: { show: false },
        splitArea: { show: false },
      },
      yAxis: {
        type: 'category',
        inverse: true,
        data: [...rows],
        axisLabel: { show: showRowLabels, color: TEXT, interval: 0 },
        axisTick: { show: false },
      },
      visualMap: {
        type: 'piecewise',
        dimension: 2,
        orient: 'horizontal',
        bottom: 0,
        left: 'center',
        show: false,
        pieces: statuses.map((status, index) => ({ value: index, label: status.label, color: status.color })),
      },
      series: [{ type: 'heatmap', data, emphasis: { disabled: true } }],
    },
    width,
    height,
  );
}
