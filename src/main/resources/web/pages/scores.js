// Named scores in the dashboard (issue 16): the score a page shows (?score=), the API path of its
// routes, links that keep it, and the switcher between the tenant's scores.
import { get, query } from '../api.js';
import { h } from '../ui.js';

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * The score the page asks for (?score=) and the names of the tenant's scores. A name the tenant
 * does not have (an old link) is the default score, unless `creating`: the model editor creates a
 * named score by publishing its first version.
 */
export async function pageScore(tenant, { creating = false } = {}) {
  const asked = new URLSearchParams(location.search).get('score') ?? 'default';
  const scores = (await get(tenant, '/scores')).scores.map((s) => s.name);
  const known = scores.includes(asked) || (creating && NAME.test(asked));
  return { score: known ? asked : 'default', scores };
}

/** The API path of a score's routes: the tenant's own for the default score. */
export function scoreBase(score) {
  return score && score !== 'default' ? `/scores/${encodeURIComponent(score)}` : '';
}

/** The query string that keeps a named score in a link (nothing for the default score). */
export function scoreQuery(score, more = {}) {
  return query({ score: score && score !== 'default' ? score : '', ...more });
}

/**
 * A "Score" select that opens this page under the score picked, keeping `keep` in its query;
 * nothing for a tenant with its default score only.
 */
export function scoreSwitcher(scores, current, keep = {}) {
  if (scores.length < 2) return [];
  return [h('label', { for: 'score' }, 'Score'),
    h('select', { id: 'score', name: 'score',
      onchange: (e) => location.assign(location.pathname + scoreQuery(e.target.value, keep)) },
    scores.map((name) => h('option', { value: name, selected: name === current }, name)))];
}
