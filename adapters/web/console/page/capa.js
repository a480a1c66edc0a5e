'use strict';
/*
 * Corrective and preventive actions in the console: the register (#/capa?…), one action
 * (#/capa/A-2026-0001) and a panel on each claim's page (its actions, and a form to open one).
 * Built with app.js's helpers (window.claimdesk): texts from the catalogues, typed text as text.
 */
(function () {
  const { addRoute, addClaimPanel, helpers } = window.claimdesk;
  const { t, el, said, api, dateTime, labelOf, show, frame, errorBox, setError, fields } = helpers;
  const desk = () => helpers.me().desk;

  const KINDS = ['correction', 'corrective', 'preventive'];
  const STATUSES = ['open', 'done', 'verified', 'cancelled'];
  const FILTERS = ['status', 'owner', 'kind', 'category', 'product', 'overdue', 'from', 'to'];

  const select = (name, label, options, value, id) =>
    el(
      'label',
      { className: 'field' },
      label,
      el('select', { name, id: id || `capa-${name}` }, options.map(([optionValue, text]) => el('option', { value: optionValue, selected: value === optionValue }, text))),
    );
  const text = (name, label, attrs) => el('label', { className: 'field' }, label, el('input', { name, id: `capa-${name}`, ...attrs }));
  const area = (name, label, attrs) => el('label', { className: 'field' }, label, el('textarea', { name, id: `capa-${name}`, rows: 3, ...attrs }));
  const any = [['', t('console.filter.any')]];
  const owners = () => desk().staff.map((member) => [member.id, member.name]);
  /** A due date typed as a day: the end of that day in the browser's time (a deadline is met during the day). */
  const dueOf = (day) => (day ? new Date(`${day}T23:59:00`).toISOString() : '');

  function row(action) {
    return el(
      'tr',
      { 'data-number': action.number, className: action.overdue ? 'overdue' : '' },
      el('td', {}, el('a', { href: `#/capa/${action.number}` }, action.number)),
      el('td', {}, t(`capa.kind.${action.kind}`)),
      el('td', {}, said(action.description)),
      el('td', {}, action.owner.name),
      el('td', {}, dateTime(action.dueAt), action.overdue ? el('span', { className: 'badge' }, t('console.list.overdue')) : null),
      el('td', {}, el('span', { className: `status capa-${action.status}` }, t(`capa.status.${action.status}`))),
      el('td', {}, action.claims.map((number, i) => [i > 0 ? ', ' : '', el('a', { href: `#/claim/${number}` }, number)])),
    );
  }

  function table(id, actions) {
    const headers = ['number', 'kind', 'description', 'owner', 'due', 'status', 'claims'].map((column) => el('th', { scope: 'col' }, t(`capa.csv.${column}`)));
    const body = el('tbody', {}, actions.length === 0 ? el('tr', {}, el('td', { colSpan: 7, className: 'empty' }, t('console.capa.empty'))) : actions.map(row));
    return el('table', { id }, el('thead', {}, el('tr', {}, headers)), body);
  }

  // ---- the register ----

  async function showRegister(_match, params) {
    const query = new URLSearchParams();
    for (const name of FILTERS) if (params.get(name)) query.set(name, params.get(name));
    const form = el(
      'form',
      { className: 'filters', id: 'capa-filters' },
      select('status', t('console.filter.status'), [...any, ...STATUSES.map((status) => [status, t(`capa.status.${status}`)])], params.get('status') || ''),
      select('owner', t('console.capa.owner'), [...any, ...owners()], params.get('owner') || ''),
      select('kind', t('console.capa.kind'), [...any, ...KINDS.map((kind) => [kind, t(`capa.kind.${kind}`)])], params.get('kind') || ''),
      select('category', t('console.filter.category'), [...any, ...desk().categories.map((category) => [category.id, category.label])], params.get('category') || ''),
      text('product', t('console.capa.product'), { value: params.get('product') || '', maxLength: 200 }),
      el('label', { className: 'field' }, t('console.filter.from'), el('input', { type: 'date', name: 'from', id: 'capa-from', value: params.get('from') || '' })),
      el('label', { className: 'field' }, t('console.filter.to'), el('input', { type: 'date', name: 'to', id: 'capa-to', value: params.get('to') || '' })),
      el('label', { className: 'check' }, el('input', { type: 'checkbox', name: 'overdue', id: 'capa-overdue', checked: params.get('overdue') === 'true' }), t('console.filter.overdue')),
      el('button', { type: 'submit', className: 'primary', id: 'capa-apply' }, t('console.filter.apply')),
      el('a', { href: '#/capa', className: 'button' }, t('console.filter.reset')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const next = new URLSearchParams();
      for (const name of FILTERS) {
        const field = form.elements.namedItem(name);
        if (field.type === 'checkbox') {
          if (field.checked) next.set(name, 'true');
        } else if (field.value.trim() !== '') next.set(name, field.value.trim());
      }
      location.hash = `#/capa?${next}`;
    });
    const error = errorBox('capa-error');
    const summary = el('p', { className: 'summary', id: 'capa-count' });
    const holder = el('div', {});
    show(...frame('capa', el('h1', {}, t('console.capa.title')), form, el('div', { className: 'bar' }, summary, el('a', { href: `/console/api/capa.csv?${query}`, id: 'capa-csv', className: 'button', download: '' }, t('console.list.export'))), error, holder));
    try {
      const data = await api('GET', `/console/api/capa?${query}`);
      summary.textContent = t('console.capa.count', { count: data.total });
      holder.replaceChildren(table('capa-table', data.actions));
    } catch (failure) {
      if (failure.status !== 401) setError(error, failure.message);
    }
  }

  // ---- one action ----

  /** A form that posts one change of the action and shows the action again (or the refusal). */
  function changeForm(id, number, title, inputs, body, render) {
    const error = errorBox(`${id}-error`);
    const form = el('form', { id, className: 'card' }, el('h2', {}, title), inputs, el('button', { type: 'submit', className: 'primary', id: `${id}-submit` }, t('staff.modal.save')), error);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      setError(error, '');
      try {
        const data = await api('POST', `/console/api/capa/${encodeURIComponent(number)}/actions`, body(form));
        render(data.action);
      } catch (failure) {
        if (failure.status !== 401) setError(error, failure.message);
      }
    });
    return form;
  }

  function actionPage(action, render) {
    const value = (form, name) => form.elements.namedItem(name).value.trim();
    const forms = [];
    if (action.status === 'open') {
      forms.push(changeForm('capa-complete', action.number, t('console.capa.complete'), [area('complete-note', t('console.capa.note'), { required: true, maxLength: 2000 })], (form) => ({ type: 'complete', note: value(form, 'complete-note') }), render));
      forms.push(
        changeForm(
          'capa-edit',
          action.number,
          t('console.capa.edit'),
          [select('edit-owner', t('console.capa.owner'), owners(), action.owner.id), el('label', { className: 'field' }, t('console.capa.due'), el('input', { type: 'date', name: 'edit-due', id: 'capa-edit-due' }))],
          (form) => ({ type: 'edit', ownerId: value(form, 'edit-owner'), ...(value(form, 'edit-due') ? { dueAt: dueOf(value(form, 'edit-due')) } : {}) }),
          render,
        ),
      );
    }
    if (action.status === 'done') {
      forms.push(
        changeForm(
          'capa-verify',
          action.number,
          t('console.capa.verify'),
          [select('verify-effective', t('console.capa.effective'), [['true', t('console.capa.effective_yes')], ['false', t('console.capa.effective_no')]], 'true'), area('verify-note', t('console.capa.note'), { required: true, maxLength: 2000 })],
          (form) => ({ type: 'verify', effective: value(form, 'verify-effective') === 'true', note: value(form, 'verify-note') }),
          render,
        ),
      );
    }
    if (action.status !== 'cancelled') {
      forms.push(changeForm('capa-link', action.number, t('console.capa.link'), [text('link-claim', t('console.capa.claim_number'), { required: true, maxLength: 20, placeholder: '2026-000123' })], (form) => ({ type: 'link', claimNumber: value(form, 'link-claim') }), render));
    }
    if (action.status === 'open' || action.status === 'done') {
      forms.push(changeForm('capa-cancel', action.number, t('console.capa.cancel'), [area('cancel-reason', t('console.capa.reason'), { required: true, maxLength: 2000 })], (form) => ({ type: 'cancel', reason: value(form, 'cancel-reason') }), render));
    }
    return [
      el('p', {}, el('a', { href: '#/capa', id: 'capa-back' }, t('console.capa.back'))),
      el('h1', { id: 'capa-title' }, `${action.number} · ${t(`capa.kind.${action.kind}`)} `, el('span', { className: `status capa-${action.status}`, id: 'capa-status' }, t(`capa.status.${action.status}`))),
      el(
        'div',
        { className: 'columns' },
        el(
          'div',
          {},
          el(
            'section',
            { className: 'card' },
            el('p', { className: 'description', id: 'capa-description', dir: 'auto' }, action.description),
            fields([
              [t('console.capa.owner'), action.owner.name],
              [t('console.capa.due'), [dateTime(action.dueAt), action.overdue ? el('span', { className: 'badge' }, t('console.list.overdue')) : null]],
              [t('console.filter.department'), labelOf(desk().departments, action.department)],
              [t('console.filter.category'), action.category ? labelOf(desk().categories, action.category) : ''],
              [t('capa.csv.claims'), action.claims.map((number, i) => [i > 0 ? ', ' : '', el('a', { href: `#/claim/${number}` }, number)])],
            ]),
          ),
          el('section', { className: 'card' }, el('h2', {}, t('console.claim.history')), el('ol', { className: 'history', id: 'capa-history' }, action.history.map((event) => el('li', { 'data-type': event.type }, el('time', {}, dateTime(event.at)), ' ', el('span', { className: 'text' }, event.text))))),
        ),
        el('div', { id: 'capa-forms' }, forms),
      ),
    ];
  }

  async function showAction(match) {
    const error = errorBox('capa-error');
    const container = el('div', { id: 'capa-action' });
    show(...frame('capa', error, container));
    const render = (action) => container.replaceChildren(...actionPage(action, render));
    try {
      render((await api('GET', `/console/api/capa/${encodeURIComponent(match[1])}`)).action);
    } catch (failure) {
      if (failure.status !== 401) setError(error, failure.message);
    }
  }

  // ---- on a claim's page ----

  function claimPanel(claim) {
    const holder = el('div', {});
    const error = errorBox('capa-open-error');
    const load = async () => {
      try {
        holder.replaceChildren(table('claim-capa', (await api('GET', `/console/api/claims/${encodeURIComponent(claim.number)}/capa`)).actions));
      } catch (failure) {
        if (failure.status !== 401) setError(error, failure.message);
      }
    };
    const form = el(
      'form',
      { id: 'capa-open' },
      el('h3', {}, t('console.capa.open')),
      select('open-kind', t('console.capa.kind'), KINDS.map((kind) => [kind, t(`capa.kind.${kind}`)]), 'corrective'),
      area('open-description', t('console.capa.description'), { required: true, maxLength: 2000 }),
      select('open-owner', t('console.capa.owner'), owners(), claim.assignee ? claim.assignee.id : ''),
      el('label', { className: 'field' }, t('console.capa.due'), el('input', { type: 'date', name: 'open-due', id: 'capa-open-due', required: true })),
      el('button', { type: 'submit', className: 'primary', id: 'capa-open-submit' }, t('console.capa.open_submit')),
      error,
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      setError(error, '');
      const value = (name) => form.elements.namedItem(name).value.trim();
      try {
        await api('POST', '/console/api/capa', { claimNumber: claim.number, kind: value('open-kind'), description: value('open-description'), ownerId: value('open-owner'), dueAt: dueOf(value('open-due')) });
        form.reset();
        await load();
      } catch (failure) {
        if (failure.status !== 401) setError(error, failure.message);
      }
    });
    void load();
    return el('section', { className: 'card', id: 'claim-capa-panel' }, el('h2', {}, t('console.capa.title')), holder, form);
  }

  addRoute(/^\/capa\/([A-Za-z0-9-]+)$/, showAction);
  addRoute(/^\/capa$/, showRegister);
  addClaimPanel(claimPanel);
})();
