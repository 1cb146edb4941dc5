// The scoring model: ideal score, ranges (with colours), limits and rules as an editable table.
// Preview shows what the draft would do to the tenant's contacts; Publish makes it current
// (If-Match: a model changed by someone else meanwhile is never overwritten) and follows the
// rescoring. The API's validation details are shown next to the field each one names.
import { ApiError, call, get, query, whoami } from '../api.js';
import { barChart } from '../charts.js';
import { errorBox, flames, h, hexOf, rangeChip, show } from '../ui.js';
import { FLAME_COLOR } from './distribution.js';
import { pageScore, scoreBase, scoreQuery, scoreSwitcher } from './scores.js';

/** The criteria whose points may fade (a rule's `decay`). */
const FADES = ['tag', 'activity'];

const CRITERIA = {
  tag: () => ({ type: 'tag', anyOf: [] }),
  activity: () => ({ type: 'activity', activity: '', where: [] }),
  field: () => ({ type: 'field', field: '', op: 'eq', value: '' }),
  inactivity: () => ({ type: 'inactivity', activity: '', where: [], for: 'P30D' }),
};
const OPS = ['eq', 'neq', 'in', 'contains', 'startsWith', 'endsWith', 'gt', 'gte', 'lt', 'lte', 'exists'];
const LIMITS = ['fit', 'engagement', 'total'];

export async function modelPage(tenant) {
  document.title = `Scoring model · ${tenant} · Leadflame`;
  let model;
  let score;
  let scores;
  try {
    // A named score the tenant does not have yet is created by publishing its first version.
    ({ score, scores } = await pageScore(tenant, { creating: true }));
    model = await get(tenant, scoreBase(score) + '/model');
  } catch (e) {
    show(errorBox(e));
    return;
  }
  // A key that may read but not change the model sees it without Preview and Publish.
  const caller = await whoami().catch(() => null);
  new ModelEditor(tenant, model, !caller || caller.role === 'admin', score, scores).render();
}

class ModelEditor {
  constructor(tenant, model, canEdit, score = 'default', scores = ['default']) {
    this.tenant = tenant;
    this.score = score;
    this.scores = scores.includes(score) ? scores : [...scores, score];
    /** The API path of this score's model routes. */
    this.base = scoreBase(score);
    this.canEdit = canEdit;
    this.version = model.version;
    this.updatedAt = model.updatedAt;
    const { version, updatedAt, ...draft } = model;
    this.draft = draft;
    this.draft.limits ??= {};
    this.errors = [];
    this.outcome = h('div', { id: 'outcome', role: 'status' });
    this.preview = h('div', { id: 'preview' });
    this.progress = h('div', { id: 'rescoring' });
  }

  render() {
    const d = this.draft;
    show(
      h('div', { class: 'toolbar' },
        h('h1', {}, 'Scoring model'),
        ...scoreSwitcher(this.scores, this.score),
        h('span', { class: 'muted', id: 'version' }, `version ${this.version}`)),
      this.progress,
      h('form', { id: 'model', novalidate: true, onsubmit: (e) => e.preventDefault() },
        h('section', { class: 'card' },
          h('h2', {}, 'General'),
          h('div', { class: 'grid' },
            this.checkbox('Scoring enabled', 'enabled', d, 'enabled'),
            this.number('Ideal score (5 flames)', 'idealScore', d, 'idealScore', { min: 1 }))),
        h('section', { class: 'card' },
          h('h2', {}, 'Ranges'),
          h('div', { class: 'scroll' }, h('table', { class: 'edit' },
            h('thead', {}, h('tr', {}, ['Name', 'From score', 'Colour', ''].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', {}, d.ranges.map((r, i) => h('tr', {},
              h('td', {}, this.text(`Range ${i + 1} name`, `ranges[${i}].name`, r, 'name', { size: 12 })),
              h('td', {}, this.number(`Range ${i + 1} from score`, `ranges[${i}].min`, r, 'min', {}, false)),
              h('td', {}, this.color(`Range ${i + 1} colour`, `ranges[${i}].color`, r)),
              h('td', {}, this.remove(`range ${i + 1}`, () => d.ranges.splice(i, 1)), this.slot(`ranges[${i}]`))))))),
          h('button', { type: 'button', id: 'add-range',
            onclick: () => this.change(() => d.ranges.push({ name: '', min: 0, color: '#868e96' })) },
            '+ Range'),
          this.slot('ranges')),
        h('section', { class: 'card' },
          h('h2', {}, 'Limits'),
          h('div', { class: 'grid' }, LIMITS.flatMap((kind) => ['min', 'max'].map((bound) =>
            this.number(`${kind} ${bound}`, `limits.${kind}.${bound}`, (d.limits[kind] ??= {}), bound)))),
          this.slot('limits')),
        h('section', { class: 'card' },
          h('h2', {}, 'Rules'),
          h('div', { class: 'scroll' }, h('table', { class: 'edit rules' },
            h('thead', {}, h('tr', {}, ['Id', 'Name', 'Category', 'Points', 'Count', 'Max points', 'Expires after',
              'Fades', 'Criterion', ''].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', {}, d.rules.map((rule, i) => this.ruleRow(rule, i))))),
          h('button', { type: 'button', id: 'add-rule', onclick: () => this.change(() => d.rules.push({
            id: '', name: '', points: 1, criterion: CRITERIA.tag() })) }, '+ Rule'),
          this.slot('rules')),
        h('div', { class: 'general-errors' }, this.slot('')),
        h('div', { class: 'actions' }, ...(this.canEdit ? [
          h('button', { type: 'button', id: 'preview-button', onclick: () => this.runPreview() }, 'Preview'),
          h('button', { type: 'button', id: 'publish-button', class: 'primary', onclick: () => this.publish() }, 'Publish'),
        ] : [h('p', { class: 'muted', id: 'read-only' }, 'Read-only: previewing and publishing a model needs an admin key.')]))),
      this.outcome,
      this.preview);
    this.showErrors();
  }

  ruleRow(rule, i) {
    const p = `rules[${i}]`;
    const c = rule.criterion ?? (rule.criterion = CRITERIA.tag());
    const type = h('select', { 'data-path': `${p}.criterion.type`, 'aria-label': `Rule ${i + 1} criterion type`,
      onchange: (e) => this.change(() => {
        // Between activity and inactivity the activity and its conditions carry over.
        const next = CRITERIA[e.target.value]();
        if ('activity' in next && c.activity !== undefined) Object.assign(next, { activity: c.activity, where: c.where ?? [] });
        rule.criterion = next;
        // Only what a tag or an activity earned fades.
        if (!FADES.includes(next.type)) delete rule.decay;
      }) },
    Object.keys(CRITERIA).map((t) => h('option', { value: t, selected: t === c.type }, t)));
    const cp = `${p}.criterion`;
    let details;
    if (c.type === 'tag') {
      details = this.list(`Rule ${i + 1} tags (any of, comma-separated)`, `${cp}.anyOf`, c, 'anyOf');
    } else if (c.type === 'field') {
      details = this.predicate(cp, c, false, `Rule ${i + 1}`);
    } else {
      details = h('div', {},
        this.text(`Rule ${i + 1} activity`, `${cp}.activity`, c, 'activity', { placeholder: 'activity' }),
        c.type === 'inactivity' ? this.text(`Rule ${i + 1} inactive for`, `${cp}.for`, c, 'for', { placeholder: 'P30D' }) : null,
        h('div', { class: 'where' }, (c.where ??= []).map((w, j) => h('div', { class: 'predicate' },
          this.predicate(`${cp}.where[${j}]`, w, true, `Rule ${i + 1} condition ${j + 1}`),
          this.remove('condition', () => c.where.splice(j, 1))))),
        h('button', { type: 'button', class: 'small',
          onclick: () => this.change(() => c.where.push({ field: '', op: 'eq', value: '' })) }, '+ where'));
    }
    return h('tr', { dataset: { rule: i } },
      h('td', {}, this.text(`Rule ${i + 1} id`, `${p}.id`, rule, 'id', { size: 10 })),
      h('td', {}, this.text(`Rule ${i + 1} name`, `${p}.name`, rule, 'name', { size: 18 })),
      h('td', {}, this.select(`Rule ${i + 1} category`, `${p}.category`, rule, 'category', ['engagement', 'fit'])),
      h('td', {}, this.number(`Rule ${i + 1} points`, `${p}.points`, rule, 'points', {}, false)),
      h('td', {}, this.select(`Rule ${i + 1} count`, `${p}.count`, rule, 'count', ['once', 'each'])),
      h('td', {}, this.number(`Rule ${i + 1} max points`, `${p}.maxPoints`, rule, 'maxPoints', { min: 1 }, false)),
      h('td', {}, this.text(`Rule ${i + 1} expires after`, `${p}.expiresAfter`, rule, 'expiresAfter',
        { size: 7, placeholder: 'P28D' })),
      h('td', {}, FADES.includes(c.type) ? this.decay(rule, i, p) : null),
      h('td', { class: 'criterion' }, type, details, this.slot(cp)),
      h('td', {}, this.remove(`rule ${i + 1}`, () => this.draft.rules.splice(i, 1)), this.slot(p)));
  }

  /**
   * How the rule's points fade (tag and activity rules): not at all, linearly to nothing over a
   * duration, or halving every half-life. Changing the kind keeps the duration typed so far.
   */
  decay(rule, i, p) {
    const d = rule.decay;
    const kind = d?.type ?? 'none';
    const select = h('select', { 'data-path': `${p}.decay.type`, 'aria-label': `Rule ${i + 1} fades`,
      onchange: (e) => this.change(() => {
        const next = e.target.value;
        const length = d?.over ?? d?.halfLife ?? '';
        if (next === 'none') delete rule.decay;
        else rule.decay = next === 'linear' ? { type: next, over: length } : { type: next, halfLife: length };
      }) },
    [['none', 'no'], ['linear', 'linearly over'], ['halfLife', 'half-life']].map(([value, text]) =>
      h('option', { value, selected: value === kind }, text)));
    if (kind === 'none') return h('span', { class: 'field' }, select, this.slot(`${p}.decay`));
    const key = kind === 'linear' ? 'over' : 'halfLife';
    return h('span', { class: 'field' }, select,
      this.text(`Rule ${i + 1} fades ${kind === 'linear' ? 'over' : 'with a half-life of'}`, `${p}.decay.${key}`, d, key,
        { size: 6, placeholder: kind === 'linear' ? 'P30D' : 'P7D' }), this.slot(`${p}.decay`));
  }

  /** field, op and value(s): a `where` condition, or a field criterion's own. */
  predicate(path, target, inline, label) {
    const values = h('span', {});
    const renderValue = () => {
      if (target.op === 'exists') {
        delete target.value;
        delete target.values;
        values.replaceChildren();
      } else if (target.op === 'in') {
        delete target.value;
        target.values ??= [];
        values.replaceChildren(this.list(`${label} values`, `${path}.values`, target, 'values'));
      } else {
        delete target.values;
        target.value ??= '';
        values.replaceChildren(this.input(`${label} value`, `${path}.value`, String(target.value),
          (v) => { target.value = typed(v, target.op); }));
      }
    };
    const op = h('select', { 'data-path': `${path}.op`, 'aria-label': `${label} operator`,
      onchange: (e) => {
        target.op = e.target.value;
        if (target.value !== undefined) target.value = typed(String(target.value), target.op);
        renderValue();
      } },
    OPS.map((o) => h('option', { value: o, selected: o === target.op }, o)));
    renderValue();
    return h('span', { class: inline ? 'inline' : 'predicate' },
      this.text(`${label} field`, `${path}.field`, target, 'field', { size: 10, placeholder: 'field' }), op, values,
      this.slot(`${path}.op`));
  }

  // ---- inputs bound to the draft: each carries the API path its value goes to

  input(label, path, value, set, attrs = {}) {
    const el = h('input', { 'data-path': path, 'aria-label': label, value, ...attrs,
      oninput: (e) => set(e.target.value) });
    return h('span', { class: 'field' }, el, this.slot(path));
  }

  /** A text input; `visible` shows its label above it (otherwise the table's header says it). */
  text(label, path, target, key, attrs = {}, visible = false) {
    const el = this.input(label, path, target[key] ?? '', (v) => {
      if (v === '' && !['id', 'name', 'activity', 'field', 'for'].includes(key)) delete target[key];
      else target[key] = v;
    }, attrs);
    return visible ? h('label', { class: 'stacked' }, h('span', {}, label), el) : el;
  }

  number(label, path, target, key, attrs = {}, visible = true) {
    const el = this.input(label, path, target[key] ?? '', (v) => {
      if (v === '') delete target[key];
      else target[key] = Number(v);
    }, { type: 'number', inputmode: 'numeric', step: 1, ...attrs });
    return visible ? h('label', { class: 'stacked' }, h('span', {}, label), el) : el;
  }

  checkbox(label, path, target, key) {
    return h('label', { class: 'stacked' }, h('span', {}, label), h('input', { type: 'checkbox', 'data-path': path,
      checked: target[key] !== false, onchange: (e) => { target[key] = e.target.checked; } }), this.slot(path));
  }

  color(label, path, target) {
    return h('span', { class: 'field' }, h('input', { type: 'color', 'data-path': path, 'aria-label': label,
      // The picker only knows #rrggbb: a colour written as #888 or navy shows as its six digits
      // and is kept as written until someone picks another.
      value: hexOf(target.color) ?? '#868e96', oninput: (e) => { target.color = e.target.value; } }), this.slot(path));
  }

  select(label, path, target, key, options) {
    return h('span', { class: 'field' }, h('select', { 'data-path': path, 'aria-label': label,
      onchange: (e) => { target[key] = e.target.value; } },
    options.map((o) => h('option', { value: o, selected: (target[key] ?? options[0]) === o }, o))), this.slot(path));
  }

  /** Comma-separated values (tags, `in` values). */
  list(label, path, target, key) {
    return this.input(label, path, (target[key] ?? []).join(', '), (v) => {
      target[key] = v.split(',').map((s) => s.trim()).filter(Boolean).map((s) => (key === 'values' ? typed(s, 'in') : s));
    }, { placeholder: label });
  }

  remove(what, action) {
    return h('button', { type: 'button', class: 'small danger', 'aria-label': `Remove ${what}`,
      onclick: () => this.change(action) }, '✕');
  }

  /** Where the problems of `path` (and of paths under it that name no field) are shown. */
  slot(path) {
    return h('span', { class: 'field-error', 'data-error-for': path, role: 'alert' });
  }

  change(mutate) {
    const focused = document.activeElement;
    const path = focused?.dataset?.path;
    const button = focused?.id || null;
    mutate();
    this.errors = [];
    this.render();
    // Keyboard users stay where they were: the same field, the same add button, else the form.
    const again = (path && document.querySelector(`[data-path="${CSS.escape(path)}"]`))
      || (button && document.getElementById(button)) || document.querySelector('#model input, #model select');
    again?.focus();
  }

  // ---- the API

  body() {
    const body = structuredClone(this.draft);
    for (const kind of LIMITS) {
      if (body.limits[kind] && Object.keys(body.limits[kind]).length === 0) delete body.limits[kind];
    }
    return body;
  }

  showErrors() {
    const slots = new Map([...document.querySelectorAll('[data-error-for]')].map((s) => [s.dataset.errorFor, s]));
    slots.forEach((s) => { s.textContent = ''; });
    document.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
    for (const detail of this.errors) {
      // The field the path names, or the nearest enclosing part that has a place for it.
      let path = detail.path;
      while (path !== '' && !slots.has(path)) path = enclosing(path);
      const slot = slots.get(path);
      slot.textContent = slot.textContent ? `${slot.textContent}; ${detail.message}` : detail.message;
      // The input the path names, or the one the message is shown with.
      let named = detail.path;
      let input = null;
      while (!input && named !== '') {
        input = document.querySelector(`[data-path="${CSS.escape(named)}"]`);
        named = enclosing(named);
      }
      input?.setAttribute('aria-invalid', 'true');
    }
  }

  refused(e) {
    if (e instanceof ApiError && e.details.length > 0) {
      this.errors = e.details;
      this.showErrors();
      this.outcome.replaceChildren(h('p', { class: 'error' },
        `${e.message} — each problem is shown next to its field.`));
      document.querySelector('[aria-invalid]')?.focus();
    } else {
      this.outcome.replaceChildren(errorBox(e));
    }
  }

  /** Preview and Publish wait for each other: a second click must not send a second request. */
  async busy(work) {
    const buttons = document.querySelectorAll('#preview-button, #publish-button');
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await work();
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  runPreview() {
    return this.busy(() => this.previewNow());
  }

  async previewNow() {
    this.outcome.replaceChildren(h('p', { class: 'muted' }, 'Computing the preview…'));
    let result;
    try {
      result = (await call(this.tenant, `${this.base}/model/preview${query({ movers: 10 })}`,
        { method: 'POST', body: this.body() })).json;
    } catch (e) {
      this.preview.replaceChildren();
      this.refused(e);
      return;
    }
    this.errors = [];
    this.showErrors();
    this.outcome.replaceChildren();
    const { current, preview, movers } = result;
    const colorOf = Object.fromEntries(this.draft.ranges.map((r) => [r.name, r]));
    this.preview.replaceChildren(h('section', { class: 'card' },
      h('h2', {}, 'Preview'),
      h('p', { class: 'muted' }, `${current.contacts} contacts; nothing has changed yet.`),
      barChart('Contacts by flames: now and with this model', [0, 1, 2, 3, 4, 5].map((n) => ({
        label: String(n), values: [current.byFlames[n] ?? 0, preview.byFlames[n] ?? 0], colors: ['#adb5bd', FLAME_COLOR],
      })), ['now', 'with this model']),
      h('h3', {}, 'Contacts that would move most'),
      movers.length === 0 ? h('p', { class: 'muted' }, 'No contact would change.')
        : h('div', { class: 'scroll' }, h('table', { class: 'movers' },
          h('thead', {}, h('tr', {}, ['Contact', 'Score', 'Flames', 'Range'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, movers.map((m) => h('tr', { dataset: { contact: m.contactId } },
            h('td', {}, h('a', { href: `/t/${this.tenant}/contacts/${encodeURIComponent(m.contactId)}${scoreQuery(this.score)}` },
              m.contactId)),
            h('td', { class: 'num' }, `${m.score} → ${m.previewScore}`),
            h('td', {}, flames(m.flames, 12), ' → ', flames(m.previewFlames, 12)),
            h('td', {}, rangeChip(colorOf[m.range] ?? (m.range && { name: m.range, color: '#868e96' })), ' → ',
              rangeChip(colorOf[m.previewRange] ?? (m.previewRange && { name: m.previewRange, color: '#868e96' }))))))))));
  }

  publish() {
    return this.busy(() => this.publishNow());
  }

  async publishNow() {
    let published;
    try {
      published = (await call(this.tenant, `${this.base}/model`, { method: 'PUT', body: this.body(),
        headers: { 'If-Match': `"${this.version}"` } })).json;
    } catch (e) {
      if (e instanceof ApiError && e.status === 412) {
        this.outcome.replaceChildren(h('div', { class: 'error conflict', role: 'alert' },
          h('strong', {}, 'Not published: someone else published the model since you opened it. '),
          e.message, ' ', h('button', { type: 'button', onclick: () => location.reload() }, 'Reload their version')));
        return;
      }
      this.refused(e);
      return;
    }
    this.version = published.version;
    this.preview.replaceChildren(); // it compared with the model just replaced
    this.errors = [];
    this.showErrors();
    document.getElementById('version').textContent = `version ${this.version}`;
    this.outcome.replaceChildren(h('p', { class: 'ok' }, `Published version ${this.version}. Every contact is being rescored.`));
    this.followRescoring(this.version);
  }

  async followRescoring(version) {
    const bar = h('progress', { max: 1, value: 0, 'aria-label': 'Rescoring' });
    const text = h('span', {});
    this.progress.replaceChildren(h('div', { class: 'progress' }, bar, text));
    delete this.progress.dataset.done;
    for (let failures = 0; ;) {
      let status;
      try {
        status = await get(this.tenant, `${this.base}/model/rescoring`);
        failures = 0;
      } catch (e) {
        // A node restarting or busy: say so and ask again, a little later each time.
        failures += 1;
        text.textContent = `Rescoring progress unavailable (${e.message}); retrying…`;
        await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** failures, 10_000)));
        continue;
      }
      if (status.version > version) {
        text.textContent = `A newer version (${status.version}) was published meanwhile.`;
        return;
      }
      if (status.version === version) {
        bar.max = Math.max(1, status.contacts);
        bar.value = status.rescored;
        text.textContent = status.done ? `Rescored ${status.contacts} contacts with version ${status.version}.`
          : `Rescoring: ${status.rescored} of ${status.contacts} contacts…`;
        if (status.done) {
          bar.value = bar.max;
          this.progress.dataset.done = 'true';
          return;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** `rules[2].criterion` of `rules[2].criterion.anyOf`, `rules` of `rules[2]`, '' at the top. */
function enclosing(path) {
  const shorter = path.replace(/(\.[^.[\]]+|\[\d+\])$/, '');
  return shorter === path ? '' : shorter;
}

/**
 * A predicate's value as the operator needs it: text for contains/startsWith/endsWith, a
 * number for gt/gte/lt/lte; for eq, neq and in, a number or boolean when it reads as one
 * (without a leading zero: a zip code "01234" stays text), text otherwise, and text in quotes
 * ("2024") stays text.
 */
function typed(text, op) {
  const t = text.trim();
  if (['contains', 'startsWith', 'endsWith'].includes(op)) return text;
  if (['gt', 'gte', 'lt', 'lte'].includes(op)) return t === '' || Number.isNaN(Number(t)) ? text : Number(t);
  if (/^".*"$/.test(t)) return t.slice(1, -1);
  if (/^-?(0|[1-9]\d*)(\.\d+)?$/.test(t)) return Number(t);
  if (t === 'true' || t === 'false') return t === 'true';
  return text;
}
