// How the tenant's contacts spread over flames, ranges and scores.
import { get } from '../api.js';
import { barChart } from '../charts.js';
import { errorBox, h, show } from '../ui.js';
import { pageScore, scoreBase, scoreSwitcher } from './scores.js';

export const FLAME_COLOR = '#e8590c';

export async function distributionPage(tenant) {
  document.title = `Distribution · ${tenant} · Leadflame`;
  let stats;
  let model;
  let score;
  let scores;
  try {
    ({ score, scores } = await pageScore(tenant));
    const base = scoreBase(score);
    [stats, model] = await Promise.all([get(tenant, base + '/stats'), get(tenant, base + '/model')]);
  } catch (e) {
    show(errorBox(e));
    return;
  }
  show(h('div', { class: 'toolbar' }, h('h1', {}, 'Distribution'), ...scoreSwitcher(scores, score)),
    h('p', { class: 'muted' }, `${stats.contacts} contacts, model version ${stats.modelVersion}`),
    distributionCharts(stats, model.ranges));
}

/** The flames, ranges and score charts of a stats answer (also used by the model preview). */
export function distributionCharts(stats, ranges) {
  const colorOf = Object.fromEntries(ranges.map((r) => [r.name, r.color]));
  return h('div', { class: 'charts' },
    barChart('Contacts by flames (0 to 5)', [0, 1, 2, 3, 4, 5].map((n) => ({
      label: String(n), values: [stats.byFlames[String(n)] ?? 0], colors: [FLAME_COLOR],
    }))),
    barChart('Contacts by range', Object.entries(stats.byRange).map(([name, n]) => ({
      label: name, values: [n], colors: [colorOf[name] ?? '#868e96'],
    }))),
    barChart('Contacts by score', stats.histogram.map((b) => ({
      label: b.min === null ? `< ${b.max + 1}` : b.max === null ? `≥ ${b.min}`
        : b.min === b.max ? String(b.min) : `${b.min}–${b.max}`,
      values: [b.count],
    }))));
}
