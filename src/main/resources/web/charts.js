// Bar charts in plain SVG: a series of labelled counts, optionally two side by side (before/after).
import { h, svg } from './ui.js';

/**
 * @param bars   [{label, values: [n, ...], colors: [css, ...]}]; one value per series
 * @param series the names of the series (a legend when there are several)
 */
export function barChart(title, bars, series = ['count']) {
  const width = 640;
  const height = 220;
  const pad = { top: 16, right: 8, bottom: 36, left: 44 };
  const max = Math.max(1, ...bars.flatMap((b) => b.values));
  const slot = (width - pad.left - pad.right) / Math.max(1, bars.length);
  const barWidth = Math.max(4, (slot * 0.8) / series.length);
  const y = (v) => pad.top + (height - pad.top - pad.bottom) * (1 - v / max);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': title });
  chart.append(svg('title', {}, title));
  chart.append(svg('line', { x1: pad.left, x2: width - pad.right, y1: y(0), y2: y(0), class: 'axis' }));
  chart.append(svg('text', { x: pad.left - 6, y: y(max) + 4, class: 'tick', 'text-anchor': 'end' }, max));
  chart.append(svg('text', { x: pad.left - 6, y: y(0) + 4, class: 'tick', 'text-anchor': 'end' }, 0));
  bars.forEach((bar, i) => {
    const x0 = pad.left + i * slot + (slot - barWidth * series.length) / 2;
    bar.values.forEach((v, s) => {
      const rect = svg('rect', { x: x0 + s * barWidth, y: y(v), width: barWidth - 1, height: y(0) - y(v),
        fill: bar.colors?.[s] ?? 'var(--accent)', class: `bar series-${s}`, 'data-label': bar.label, 'data-value': v });
      rect.append(svg('title', {}, `${bar.label}: ${v}${series.length > 1 ? ` (${series[s]})` : ''}`));
      chart.append(rect);
    });
    chart.append(svg('text', { x: pad.left + i * slot + slot / 2, y: height - pad.bottom + 16, class: 'tick',
      'text-anchor': 'middle' }, bar.label));
  });
  const figure = h('figure', { class: 'chart-box' }, h('figcaption', {}, title), chart);
  if (series.length > 1) {
    figure.append(h('div', { class: 'legend' }, series.map((name, s) =>
      h('span', { class: `key series-${s}` }, name))));
  }
  return figure;
}

/**
 * A score over time, as steps: `start` at `from`, then each change ({at, score}) in order, up to
 * `to`. Each change is a dot carrying its score (data-score) and instant (data-at).
 */
export function stepChart(title, from, to, start, changes) {
  const width = 640;
  const height = 200;
  const pad = { top: 16, right: 12, bottom: 28, left: 44 };
  const t0 = Date.parse(from);
  const t1 = Date.parse(to);
  const values = [start, ...changes.map((c) => c.score)];
  const max = Math.max(1, ...values);
  const min = Math.min(0, ...values);
  const x = (t) => pad.left + (width - pad.left - pad.right) * (t - t0) / Math.max(1, t1 - t0);
  const y = (v) => pad.top + (height - pad.top - pad.bottom) * (1 - (v - min) / Math.max(1, max - min));
  const points = [[x(t0), y(start)]];
  let value = start;
  for (const c of changes) {
    const at = x(Date.parse(c.at));
    points.push([at, y(value)], [at, y(c.score)]);
    value = c.score;
  }
  points.push([x(t1), y(value)]);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': title });
  chart.append(svg('title', {}, title));
  chart.append(svg('line', { x1: pad.left, x2: width - pad.right, y1: y(0), y2: y(0), class: 'axis' }));
  chart.append(svg('text', { x: pad.left - 6, y: y(max) + 4, class: 'tick', 'text-anchor': 'end' }, max));
  chart.append(svg('text', { x: pad.left - 6, y: y(min) + 4, class: 'tick', 'text-anchor': 'end' }, min));
  chart.append(svg('text', { x: pad.left, y: height - 8, class: 'tick' }, new Date(t0).toLocaleDateString()));
  chart.append(svg('text', { x: width - pad.right, y: height - 8, class: 'tick', 'text-anchor': 'end' },
    new Date(t1).toLocaleDateString()));
  chart.append(svg('polyline', { points: points.map((p) => p.join(',')).join(' '), class: 'line' }));
  for (const c of changes) {
    const dot = svg('circle', { cx: x(Date.parse(c.at)), cy: y(c.score), r: 3.5, class: 'dot',
      'data-score': c.score, 'data-at': c.at });
    dot.append(svg('title', {}, `${new Date(c.at).toLocaleString()}: ${c.score} (${c.change > 0 ? '+' : ''}${c.change})`));
    chart.append(dot);
  }
  return h('figure', { class: 'chart-box' }, h('figcaption', {}, title), chart);
}
