// The scoring model: ideal score, ranges (with colours), limits and rules as an editable table.
// Preview shows what the draft would do to the tenant's contacts; Publish makes it current
// (If-Match: a model changed by someone else meanwhile is never overwritten) and follows the
// rescoring. The API's validation details are shown next to the field each one names.
import { ApiError, call, get, query } from '../api.js';
import { barChart } from '../charts.js';
import { errorBox, flames, h, rangeChip, show } from '../ui.js';
import { FLAME_COLOR } from './distribution.js';

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
  try {
    model = await get(tenant, '/model');
  } catch (e) {
    show(errorBox(e));
    return;
  }
  new ModelEditor(tenant, model).render();
}

class ModelEditor {
  constructor(tenant, model) {
    this.tenant = tenant;
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
              h('td', {}, this.text(null, `ranges[${i}].name`, r, 'name')),
              h('td', {}, this.number(null, `ranges[${i}].min`, r, 'min')),
              h('td', {}, this.color(`ranges[${i}].color`, r)),
              h('td', {}, this.remove(`range ${r.name}`, () => d.ranges.splice(i, 1)))))))),
          h('button', { type: 'button', onclick: () => this.change(() => d.ranges.push({ name: '', min: 0, color: '#868e96' })) },
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
              'Criterion', ''].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', {}, d.rules.map((rule, i) => this.ruleRow(rule, i))))),
          h('button', { type: 'button', id: 'add-rule', onclick: () => this.change(() => d.rules.push({
            id: '', name: '', points: 1, criterion: CRITERIA.tag() })) }, '+ Rule'),
          this.slot('rules')),
        h('div', { class: 'general-errors' }, this.slot('')),
        h('div', { class: 'actions' },
          h('button', { type: 'button', id: 'preview-button', onclick: () => this.runPreview() }, 'Preview'),
          h('button', { type: 'button', id: 'publish-button', class: 'primary', onclick: () => this.publish() }, 'Publish'))),
      this.outcome,
      this.preview);
    this.showErrors();
  }

  ruleRow(rule, i) {
    const p = `rules[${i}]`;
    const c = rule.criterion ?? (rule.criterion = CRITERIA.tag());
    const type = h('select', { 'data-path': `${p}.criterion.type`, 'aria-label': 'criterion type',
      onchange: (e) => this.change(() => { rule.criterion = CRITERIA[e.target.value](); }) },
    Object.keys(CRITERIA).map((t) => h('option', { value: t, selected: t === c.type }, t)));
    const cp = `${p}.criterion`;
    let details;
    if (c.type === 'tag') {
      details = this.list('any of tags', `${cp}.anyOf`, c, 'anyOf');
    } else if (c.type === 'field') {
      details = this.predicate(cp, c, false);
    } else {
      details = h('div', {},
        this.text('activity', `${cp}.activity`, c, 'activity'),
        c.type === 'inactivity' ? this.text('for (e.g. P30D)', `${cp}.for`, c, 'for') : null,
        h('div', { class: 'where' }, (c.where ??= []).map((w, j) => h('div', { class: 'predicate' },
          this.predicate(`${cp}.where[${j}]`, w, true),
          this.remove('condition', () => c.where.splice(j, 1))))),
        h('button', { type: 'button', class: 'small',
          onclick: () => this.change(() => c.where.push({ field: '', op: 'eq', value: '' })) }, '+ where'));
    }
    return h('tr', { dataset: { rule: i } },
      h('td', {}, this.text(null, `${p}.id`, rule, 'id', { size: 10 })),
      h('td', {}, this.text(null, `${p}.name`, rule, 'name')),
      h('td', {}, this.select(`${p}.category`, rule, 'category', ['engagement', 'fit'])),
      h('td', {}, this.number(null, `${p}.points`, rule, 'points')),
      h('td', {}, this.select(`${p}.count`, rule, 'count', ['once', 'each'])),
      h('td', {}, this.number(null, `${p}.maxPoints`, rule, 'maxPoints', { min: 1 })),
      h('td', {}, this.text(null, `${p}.expiresAfter`, rule, 'expiresAfter', { size: 7, placeholder: 'P28D' })),
      h('td', { class: 'criterion' }, type, details, this.slot(cp)),
      h('td', {}, this.remove(`rule ${rule.id}`, () => this.draft.rules.splice(i, 1))));
  }

  /** field, op and value(s): a `where` condition, or a field criterion's own. */
  predicate(path, target, inline) {
    const values = h('span', {});
    const renderValue = () => {
      if (target.op === 'exists') {
        delete target.value;
        delete target.values;
        values.replaceChildren();
      } else if (target.op === 'in') {
        delete target.value;
        target.values ??= [];
        values.replaceChildren(this.list('values', `${path}.values`, target, 'values'));
      } else {
        delete target.values;
        target.value ??= '';
        values.replaceChildren(this.input('value', `${path}.value`, String(target.value), (v) => { target.value = typed(v); }));
      }
    };
    const op = h('select', { 'data-path': `${path}.op`, 'aria-label': 'operator',
      onchange: (e) => { target.op = e.target.value; renderValue(); } },
    OPS.map((o) => h('option', { value: o, selected: o === target.op }, o)));
    renderValue();
    return h('span', { class: inline ? 'inline' : 'predicate' },
      this.text('field', `${path}.field`, target, 'field', { size: 10 }), op, values);
  }

  // ---- inputs bound to the draft: each carries the API path its value goes to

  input(label, path, value, set, attrs = {}) {
    const el = h('input', { 'data-path': path, 'aria-label': label ?? path, value, ...attrs,
      oninput: (e) => set(e.target.value) });
    return h('span', { class: 'field' }, el, this.slot(path));
  }

  text(label, path, target, key, attrs = {}) {
    const el = this.input(label, path, target[key] ?? '', (v) => {
      if (v === '' && !['id', 'name', 'activity', 'field', 'for'].includes(key)) delete target[key];
      else target[key] = v;
    }, { placeholder: label ?? '', ...attrs });
    return label && !attrs.size ? h('label', { class: 'stacked' }, h('span', {}, label), el) : el;
  }

  number(label, path, target, key, attrs = {}) {
    const el = this.input(label, path, target[key] ?? '', (v) => {
      if (v === '') delete target[key];
      else target[key] = Number(v);
    }, { type: 'number', inputmode: 'numeric', step: 1, ...attrs });
    return label ? h('label', { class: 'stacked' }, h('span', {}, label), el) : el;
  }

  checkbox(label, path, target, key) {
    return h('label', { class: 'stacked' }, h('span', {}, label), h('input', { type: 'checkbox', 'data-path': path,
      checked: target[key] !== false, onchange: (e) => { target[key] = e.target.checked; } }));
  }

  color(path, target) {
    return h('input', { type: 'color', 'data-path': path, 'aria-label': 'colour', value: target.color ?? '#868e96',
      oninput: (e) => { target.color = e.target.value; } });
  }

  select(path, target, key, options) {
    return h('select', { 'data-path': path, 'aria-label': key, onchange: (e) => { target[key] = e.target.value; } },
      options.map((o) => h('option', { value: o, selected: (target[key] ?? options[0]) === o }, o)));
  }

  /** Comma-separated values (tags, `in` values). */
  list(label, path, target, key) {
    return this.input(label, path, (target[key] ?? []).join(', '), (v) => {
      target[key] = v.split(',').map((s) => s.trim()).filter(Boolean).map(key === 'values' ? typed : String);
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
    mutate();
    this.errors = [];
    this.render();
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
      document.querySelector(`[data-path="${CSS.escape(detail.path)}"]`)?.setAttribute('aria-invalid', 'true');
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

  async runPreview() {
    this.outcome.replaceChildren(h('p', { class: 'muted' }, 'Computing the preview…'));
    let result;
    try {
      result = (await call(this.tenant, `/model/preview${query({ movers: 10 })}`, { method: 'POST', body: this.body() })).json;
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
            h('td', {}, h('a', { href: `/t/${this.tenant}/contacts/${encodeURIComponent(m.contactId)}` }, m.contactId)),
            h('td', { class: 'num' }, `${m.score} → ${m.previewScore}`),
            h('td', {}, flames(m.flames, 12), ' → ', flames(m.previewFlames, 12)),
            h('td', {}, rangeChip(colorOf[m.range] ?? (m.range && { name: m.range, color: '#868e96' })), ' → ',
              rangeChip(colorOf[m.previewRange] ?? (m.previewRange && { name: m.previewRange, color: '#868e96' }))))))))));
  }

  async publish() {
    let published;
    try {
      published = (await call(this.tenant, '/model', { method: 'PUT', body: this.body(),
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
    await this.followRescoring(this.version);
  }

  async followRescoring(version) {
    const bar = h('progress', { max: 1, value: 0, 'aria-label': 'Rescoring' });
    const text = h('span', {});
    this.progress.replaceChildren(h('div', { class: 'progress' }, bar, text));
    for (;;) {
      const status = await get(this.tenant, '/model/rescoring');
      if (status.version >= version) {
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

/** A predicate's value as typed: numbers and booleans as such, everything else text. */
function typed(text) {
  const t = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t === 'true' || t === 'false') return t === 'true';
  return text;
}
