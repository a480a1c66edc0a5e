'use strict';
/* global Chart -- Chart.js, loaded before this script from /console/chart.js */
/*
 * The staff console: one page, five views (sign-in, claims, a claim, reports, the audit trail for
 * heads), a hash router (#/claims?…, #/claim/<number>, #/reports?…, #/audit?…) and the JSON API under /console/api/. Every text
 * comes from the catalogues the server put in #texts; everything people typed is shown with
 * textContent, never as HTML.
 */
(function () {
  const TEXTS = JSON.parse(document.getElementById('texts').textContent);
  const root = document.getElementById('app');
  let lang = document.documentElement.lang === 'en' ? 'en' : 'ru';
  /** { staff, desk } once signed in. */
  let me = null;
  const charts = [];

  function t(key, params) {
    const text = (TEXTS[lang] && TEXTS[lang][key]) || key;
    return text.replace(/\{(\w+)\}/g, (match, name) => (params && name in params ? String(params[name]) : match));
  }

  /** Builds an element: attributes as properties (or data-/aria- attributes), children as nodes or text. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith('data-') || name.startsWith('aria-') || name === 'for' || name === 'role') node.setAttribute(name, String(value));
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node[name] = value;
    }
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /**
   * Text a customer typed (a name, a product, a file name, a comment), isolated from the text
   * around it: a right-to-left override in it cannot run past its end.
   */
  function said(text) {
    return text === undefined || text === null || text === '' ? text : el('bdi', {}, text);
  }

  /** Values joined by a separator, as nodes (each value isolated). */
  function joined(values, separator) {
    return values.filter(Boolean).flatMap((value, i) => (i === 0 ? [value] : [separator, value]));
  }

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(method, path, body) {
    // a form with files (a reply's, #25) goes as multipart, its type and boundary set by the browser
    const form = typeof FormData !== 'undefined' && body instanceof FormData;
    const res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined || form ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : form ? body : JSON.stringify(body),
    });
    const isJson = (res.headers.get('content-type') || '').includes('application/json');
    const data = isJson ? await res.json() : null;
    if (res.status === 401 && path !== '/console/api/login') {
      me = null;
      showLogin(t('console.login.expired'));
      throw new ApiError(401, t('console.login.expired'));
    }
    if (!res.ok) {
      // the desk's refusals come in the member's language; input errors name fields in English, so say them in words
      const code = data && data.error;
      const known = code && TEXTS[lang] && TEXTS[lang][`console.error.${code}`];
      throw new ApiError(res.status, known ? t(`console.error.${code}`) : (data && data.message) || t('console.error.generic'));
    }
    return data;
  }

  const dateTime = (iso) =>
    iso ? new Intl.DateTimeFormat(lang === 'ru' ? 'ru-RU' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: me ? me.desk.timezone : undefined }).format(new Date(iso)) : t('console.claim.pending');
  /** The name of an id in one of the desk's lists (categories have labels, departments names). */
  const labelOf = (list, id) => {
    const item = list.find((candidate) => candidate.id === id);
    return item ? item.label || item.name : id;
  };

  function clearCharts() {
    while (charts.length > 0) charts.pop().destroy();
  }

  function show(...nodes) {
    clearCharts();
    root.replaceChildren(...nodes);
  }

  function errorBox(id) {
    return el('p', { className: 'error', id, role: 'alert', hidden: true });
  }

  function setError(box, message) {
    box.textContent = message || '';
    box.hidden = !message;
  }

  // ---- sign-in ----

  function showLogin(notice) {
    const error = errorBox('login-error');
    const login = el('input', { id: 'login-id', name: 'login', autocomplete: 'username', required: true, maxLength: 64 });
    const password = el('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true, maxLength: 256 });
    const form = el(
      'form',
      { id: 'login-form', className: 'card login' },
      el('h1', {}, t('console.login.title')),
      notice ? el('p', { className: 'notice' }, notice) : null,
      el('label', { for: 'login-id' }, t('console.login.id')),
      login,
      el('label', { for: 'login-password' }, t('console.login.password')),
      password,
      el('button', { id: 'login-submit', type: 'submit', className: 'primary' }, t('console.login.submit')),
      error,
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      setError(error, '');
      try {
        await api('POST', '/console/api/login', { login: login.value, password: password.value });
        password.value = '';
        await start();
      } catch (failure) {
        setError(error, failure.message);
      }
    });
    show(form);
    login.focus();
  }

  // ---- frame ----

  function frame(active, ...content) {
    const nav = el(
      'nav',
      { className: 'top' },
      el('strong', { className: 'desk' }, me.desk.name),
      el('a', { href: '#/claims', id: 'nav-claims', className: active === 'claims' ? 'active' : '' }, t('console.nav.claims')),
      el('a', { href: '#/reports', id: 'nav-reports', className: active === 'reports' ? 'active' : '' }, t('console.nav.reports')),
      el('a', { href: '#/capa', id: 'nav-capa', className: active === 'capa' ? 'active' : '' }, t('console.nav.capa')),
      el('a', { href: '#/register', id: 'nav-register', className: active === 'register' ? 'active' : '' }, t('console.register.open')),
      // the audit trail is for heads (view_audit); the API refuses everybody else anyway
      me.staff.roles.includes('head') ? el('a', { href: '#/audit', id: 'nav-audit', className: active === 'audit' ? 'active' : '' }, t('console.nav.audit')) : null,
      // the customer's data (#26) is for quality and heads (customer_data); the API refuses everybody else anyway
      me.staff.roles.includes('head') || me.staff.roles.includes('quality') ? el('a', { href: '#/customer-data', id: 'nav-customer-data', className: active === 'customer-data' ? 'active' : '' }, t('console.nav.customer_data')) : null,
      // what other scripts put in the header (notices.js: the search box and the notifications)
      extensions.nav.map((item) => item(active)),
      el('span', { className: 'who' }, t('console.nav.signed_in', { name: me.staff.name })),
      el(
        'button',
        {
          id: 'logout',
          type: 'button',
          onclick: async () => {
            await api('POST', '/console/api/logout', {});
            me = null;
            showLogin();
          },
        },
        t('console.nav.logout'),
      ),
    );
    return [nav, el('main', { id: 'main' }, ...content)];
  }

  // ---- filters (shared by the list and the reports) ----

  const FILTERS = ['status', 'category', 'department', 'assignee', 'channel', 'overdue', 'from', 'to', 'q'];

  function filterForm(params, target, withSearch) {
    const desk = me.desk;
    const select = (name, label, options) =>
      el(
        'label',
        { className: 'field' },
        label,
        el(
          'select',
          { name, id: `filter-${name}` },
          el('option', { value: '' }, t('console.filter.any')),
          options.map(([value, text]) => el('option', { value, selected: params.get(name) === value }, text)),
        ),
      );
    const form = el(
      'form',
      { className: 'filters', id: 'filters' },
      select('status', t('console.filter.status'), [['open', t('console.filter.open')], ...desk.statuses.map((s) => [s.id, s.label])]),
      select('category', t('console.filter.category'), desk.categories.map((c) => [c.id, c.label])),
      select('department', t('console.filter.department'), desk.departments.map((d) => [d.id, d.name])),
      select('assignee', t('console.filter.assignee'), [['none', t('console.filter.unassigned')], ...desk.staff.map((s) => [s.id, s.name])]),
      select('channel', t('console.filter.channel'), desk.channels.map((c) => [c.id, c.label])),
      el('label', { className: 'field' }, t('console.filter.from'), el('input', { type: 'date', name: 'from', id: 'filter-from', value: params.get('from') || '' })),
      el('label', { className: 'field' }, t('console.filter.to'), el('input', { type: 'date', name: 'to', id: 'filter-to', value: params.get('to') || '' })),
      el('label', { className: 'check' }, el('input', { type: 'checkbox', name: 'overdue', id: 'filter-overdue', checked: params.get('overdue') === 'true' }), t('console.filter.overdue')),
      withSearch ? el('label', { className: 'field' }, t('console.filter.search'), el('input', { type: 'search', name: 'q', id: 'filter-q', value: params.get('q') || '', maxLength: 20, inputMode: 'numeric' })) : null,
      el('button', { type: 'submit', className: 'primary', id: 'filter-apply' }, t('console.filter.apply')),
      el('a', { href: `#/${target}`, className: 'button', id: 'filter-reset' }, t('console.filter.reset')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const next = new URLSearchParams();
      for (const name of FILTERS) {
        const field = form.elements.namedItem(name);
        if (!field) continue;
        if (field.type === 'checkbox') {
          if (field.checked) next.set(name, 'true');
        } else if (field.value.trim() !== '') {
          next.set(name, field.value.trim());
        }
      }
      location.hash = `#/${target}?${next}`;
    });
    return form;
  }

  function filtersOf(params) {
    const out = new URLSearchParams();
    for (const name of FILTERS) if (params.get(name)) out.set(name, params.get(name));
    return out;
  }

  // ---- the claims list ----

  async function showClaims(params) {
    const page = Math.max(1, Number(params.get('page')) || 1);
    const query = filtersOf(params);
    const error = errorBox('list-error');
    const body = el('tbody', {});
    const summary = el('p', { className: 'summary', id: 'list-count' });
    const pager = el('div', { className: 'pager' });
    const exportLink = el('a', { href: `/console/api/export.csv?${query}`, id: 'export-csv', className: 'button', download: '' }, t('console.list.export'));
    show(
      ...frame(
        'claims',
        filterForm(params, 'claims', true),
        el('div', { className: 'bar' }, summary, exportLink),
        error,
        el(
          'table',
          { id: 'claims-table' },
          el(
            'thead',
            {},
            el('tr', {}, ['number', 'registered', 'category', 'status', 'assignee', 'due'].map((column) => el('th', { scope: 'col' }, t(`console.list.${column}`)))),
          ),
          body,
        ),
        pager,
      ),
    );
    try {
      const listQuery = new URLSearchParams(query);
      listQuery.set('page', String(page));
      const data = await api('GET', `/console/api/claims?${listQuery}`);
      summary.textContent = t('console.list.count', { count: data.total });
      if (data.claims.length === 0) body.append(el('tr', {}, el('td', { colSpan: 6, className: 'empty' }, t('console.list.empty'))));
      for (const claim of data.claims) {
        body.append(
          el(
            'tr',
            { 'data-number': claim.number, className: claim.overdue ? 'overdue' : '' },
            el('td', {}, el('a', { href: `#/claim/${claim.number}` }, claim.number)),
            el('td', {}, dateTime(claim.createdAt)),
            el('td', {}, labelOf(me.desk.categories, claim.category)),
            el('td', {}, el('span', { className: `status status-${claim.status}` }, labelOf(me.desk.statuses, claim.status))),
            el('td', {}, claim.assignee ? claim.assignee.name : '—'),
            el('td', {}, dateTime(claim.resolutionDueAt), claim.overdue ? el('span', { className: 'badge' }, t('console.list.overdue')) : null),
          ),
        );
      }
      const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
      const link = (to, label, id) => {
        const next = new URLSearchParams(query);
        next.set('page', String(to));
        return el('a', { href: `#/claims?${next}`, className: 'button', id }, label);
      };
      pager.append(
        page > 1 ? link(page - 1, t('console.list.prev'), 'page-prev') : '',
        el('span', {}, t('console.list.page', { page, pages })),
        page < pages ? link(page + 1, t('console.list.next'), 'page-next') : '',
      );
    } catch (failure) {
      if (failure.status !== 401) setError(error, failure.message);
    }
  }

  // ---- a claim ----

  function fields(rows) {
    return el(
      'dl',
      { className: 'fields' },
      rows.filter(([, value]) => value !== undefined && value !== null && value !== '').map(([label, value]) => [el('dt', {}, label), el('dd', {}, value)]),
    );
  }

  // ---- #24: the assessment and the investigation ----

  /** The claim's severity, assessment ("not recorded" without one), root cause and next step, as field rows. */
  function claimsWorkFields(claim) {
    const a = claim.assessment;
    const assessment = a
      ? t('staff.assessment.summary', {
          customer: t(`staff.answer.${a.customer}`),
          warranty: a.warrantyReason !== null ? t('staff.assessment.warranty_set', { value: t(`staff.answer.${a.warranty}`) }) : t(`staff.answer.${a.warranty}`),
          justified: t(`staff.justified.${a.justified}`),
        })
      : t('staff.not_recorded');
    const inv = claim.investigation;
    const cause = inv ? joined([inv.causeCategory ? labelOf(me.desk.causes, inv.causeCategory) : '', said(inv.rootCause)], ': ') : [];
    return [
      [t('staff.modal.assess.severity'), el('span', { id: 'claim-severity' }, t(`staff.severity.${claim.severity}`))],
      [t('console.claim.assessment'), el('span', { id: 'claim-assessment' }, assessment)],
      [t('console.claim.root_cause'), el('span', { id: 'claim-root-cause' }, cause.length > 0 ? cause : t('staff.not_recorded'))],
      [t('console.claim.next_step'), claim.nextStep ? el('span', { id: 'claim-next-step' }, t(`staff.next.${claim.nextStep}`)) : ''],
    ];
  }

  /** The investigation record: facts and the 5 Whys in order (what people typed, isolated). */
  function investigationDetails(claim) {
    const inv = claim.investigation;
    if (!inv || (!inv.facts && inv.whys.length === 0)) return null;
    return el(
      'div',
      { id: 'claim-investigation' },
      el('h2', {}, t('console.claim.investigation')),
      inv.facts ? el('p', { className: 'description', dir: 'auto' }, inv.facts) : null,
      inv.whys.length > 0
        ? el('ol', { id: 'claim-whys' }, inv.whys.map((pair) => el('li', {}, said(pair.why), ' → ', said(pair.because))))
        : null,
    );
  }

  const choice = (id, options, selected, disabled) => el('select', { id, disabled }, options.map(([value, label]) => el('option', { value, selected: value === selected }, label)));

  function assessForm(claim, action, disabled, send, refusal) {
    const a = claim.assessment;
    const answers = ['yes', 'no', 'unknown'].map((v) => [v, t(`staff.answer.${v}`)]);
    const customer = choice('assess-customer', answers, a ? a.customer : 'unknown', disabled);
    const warranty = choice('assess-warranty', [['derived', t('staff.modal.assess.warranty_derived', { value: t(`staff.answer.${claim.warrantyDerived}`) })], ['yes', t('staff.answer.yes')], ['no', t('staff.answer.no')]], a && a.warrantyReason !== null ? a.warranty : 'derived', disabled);
    const reason = el('input', { id: 'assess-warranty-reason', maxLength: 500, disabled, value: a && a.warrantyReason ? a.warrantyReason : '' });
    const justified = choice('assess-justified', ['yes', 'no', 'needs_investigation'].map((v) => [v, t(`staff.justified.${v}`)]), a ? a.justified : 'needs_investigation', disabled);
    const severity = choice('assess-severity', me.desk.severities.map((v) => [v.id, t(`staff.severity.${v.id}`)]), claim.severity, disabled);
    const extend = el('input', { id: 'assess-extend', maxLength: 500, disabled });
    const button = el(
      'button',
      {
        id: 'action-assess',
        type: 'button',
        className: claim.nextStep === 'assess' ? 'primary' : '',
        disabled,
        onclick: () => {
          const request = { action: 'assess', customer: customer.value, justified: justified.value, severity: severity.value };
          if (warranty.value !== 'derived') request.warrantyOverride = { within: warranty.value, reason: reason.value };
          if (extend.value.trim() !== '') request.extendReason = extend.value;
          send(request, button);
        },
      },
      t('console.claim.save'),
    );
    return el(
      'div',
      { className: 'action assess' },
      el('h3', {}, t('staff.modal.assess.title')),
      el('label', { for: 'assess-customer' }, t('staff.modal.assess.customer')),
      customer,
      el('label', { for: 'assess-warranty' }, t('staff.modal.assess.warranty')),
      warranty,
      el('label', { for: 'assess-warranty-reason' }, t('staff.modal.assess.warranty_reason')),
      reason,
      el('label', { for: 'assess-justified' }, t('staff.modal.assess.justified')),
      justified,
      el('label', { for: 'assess-severity' }, t('staff.modal.assess.severity')),
      severity,
      el('label', { for: 'assess-extend' }, t('staff.modal.assess.extend_reason')),
      extend,
      el('p', { className: 'hint' }, t('staff.modal.assess.extend_hint')),
      button,
      refusal(action),
    );
  }

  function investigationForm(claim, action, disabled, send, refusal) {
    const inv = claim.investigation || { facts: '', whys: [], causeCategory: null, rootCause: '' };
    const facts = el('textarea', { id: 'investigation-facts', rows: 4, maxLength: 3000, disabled, value: inv.facts || '' });
    const pairs = [0, 1, 2, 3, 4].map((i) => {
      const pair = inv.whys[i] || { why: '', because: '' };
      return {
        why: el('input', { id: `investigation-why-${i}`, maxLength: 500, disabled, value: pair.why }),
        because: el('input', { id: `investigation-because-${i}`, maxLength: 500, disabled, value: pair.because }),
      };
    });
    const cause = choice('investigation-cause', [['', '—'], ...me.desk.causes.map((c) => [c.id, c.label])], inv.causeCategory || '', disabled);
    const summary = el('input', { id: 'investigation-root-cause', maxLength: 200, disabled, value: inv.rootCause || '' });
    const button = el(
      'button',
      {
        id: 'action-record_investigation',
        type: 'button',
        disabled,
        onclick: () => {
          // a pair empty on both sides is no pair; a half-filled one is refused by the desk
          const whys = pairs.map((p) => ({ why: p.why.value.trim(), because: p.because.value.trim() })).filter((p) => p.why !== '' || p.because !== '');
          const request = { action: 'record_investigation', facts: facts.value, whys, rootCause: summary.value };
          if (cause.value !== '') request.causeCategory = cause.value;
          send(request, button);
        },
      },
      t('console.claim.save'),
    );
    return el(
      'div',
      { className: 'action investigation' },
      el('h3', {}, t('staff.modal.investigation.title')),
      el('label', { for: 'investigation-facts' }, t('staff.modal.investigation.facts')),
      facts,
      el('p', { className: 'hint' }, t('staff.modal.investigation.hint')),
      pairs.map((p, i) => [
        el('label', { for: `investigation-why-${i}` }, t('staff.modal.investigation.why', { n: i + 1 })),
        p.why,
        el('label', { for: `investigation-because-${i}` }, t('staff.modal.investigation.because', { n: i + 1 })),
        p.because,
      ]),
      el('label', { for: 'investigation-cause' }, t('staff.modal.investigation.cause')),
      cause,
      el('label', { for: 'investigation-root-cause' }, t('staff.modal.investigation.root_cause')),
      summary,
      button,
      refusal(action),
    );
  }

  function actionForms(claim, refresh) {
    const error = errorBox('action-error');
    const done = el('p', { className: 'done', id: 'action-done', role: 'status', hidden: true }, t('console.action.sent'));
    const send = async (request, button, path = `/console/api/claims/${claim.number}/actions`) => {
      setError(error, '');
      done.hidden = true;
      button.disabled = true;
      try {
        const data = await api('POST', path, request);
        refresh(data.claim);
        const shown = document.getElementById('action-done');
        if (shown) shown.hidden = false;
      } catch (failure) {
        button.disabled = false;
        if (failure.status !== 401) setError(error, failure.message);
      }
    };
    const refusal = (action) => (action.allowed ? null : el('p', { className: 'refusal' }, action.reason));
    const parts = claim.actions.map((action) => {
      const disabled = !action.allowed;
      switch (action.action) {
        case 'take': {
          const button = el('button', { id: 'action-take', type: 'button', className: 'primary', disabled, onclick: () => send({ action: 'take' }, button) }, t('staff.button.take'));
          return el('div', { className: 'action' }, button, refusal(action));
        }
        case 'assign': {
          const picker = el('select', { id: 'assign-select', disabled }, claim.assignable.map((member) => el('option', { value: member.id, selected: claim.assignee && claim.assignee.id === member.id }, member.name)));
          const button = el('button', { id: 'action-assign', type: 'button', disabled, onclick: () => send({ action: 'assign', assigneeId: picker.value }, button) }, t('console.action.assign_to'));
          return el('div', { className: 'action' }, el('label', { for: 'assign-select' }, t('staff.modal.assign.label')), picker, button, refusal(action));
        }
        case 'request_info': {
          const question = el('textarea', { id: 'request-question', rows: 3, maxLength: 2000, disabled });
          const button = el('button', { id: 'action-request_info', type: 'button', disabled, onclick: () => send({ action: 'request_info', question: question.value }, button) }, t('staff.button.request_info'));
          return el('div', { className: 'action' }, el('label', { for: 'request-question' }, t('staff.modal.request_info.label')), question, el('p', { className: 'hint' }, t('staff.modal.request_info.hint')), button, refusal(action));
        }
        case 'resolve': {
          const text = el('textarea', { id: 'resolve-text', rows: 5, maxLength: 4000, disabled });
          // an assessment "not justified" points to a rejection (#24)
          const notJustified = claim.nextStep === 'reject';
          const outcomeLabels = { accepted: 'staff.modal.resolve.accept', partially_accepted: 'staff.modal.resolve.partial', rejected: 'staff.modal.resolve.reject' };
          const outcomes = Object.keys(outcomeLabels).map((outcome, i) => el('input', { type: 'radio', name: 'outcome', id: `resolve-${outcome}`, value: outcome, checked: notJustified ? outcome === 'rejected' : i === 0, disabled }));
          const chosenOutcome = () => (outcomes.find((radio) => radio.checked) || outcomes[0]).value;
          const remedy = el('select', { id: 'resolve-remedy', disabled }, me.desk.remedies.map((r) => el('option', { value: r.id, selected: r.id === claim.desiredRemedy }, r.label)));
          const amount = el('input', { type: 'text', id: 'resolve-amount', maxLength: 40, inputMode: 'decimal', disabled });
          const days = el('input', { type: 'text', id: 'resolve-days', maxLength: 3, inputMode: 'numeric', disabled });
          const reason = el('select', { id: 'resolve-reason', disabled }, me.desk.reasons.map((r) => el('option', { value: r.id }, r.label)));
          const template = el(
            'select',
            {
              id: 'resolve-template',
              disabled,
              onchange: () => {
                const chosen = claim.templates.find((candidate) => candidate.id === template.value);
                if (!chosen) return;
                text.value = chosen.text;
                const radio = outcomes.find((candidate) => candidate.value === chosen.outcome);
                if (radio) radio.checked = true;
              },
            },
            el('option', { value: '' }, t('console.action.no_template')),
            claim.templates.map((candidate) => el('option', { value: candidate.id }, candidate.title)),
          );
          const decision = () => {
            const outcome = chosenOutcome();
            if (outcome === 'rejected') return { outcome, reason: reason.value, responseText: text.value };
            return { outcome, remedy: remedy.value, responseText: text.value, ...(amount.value.trim() !== '' ? { amount: amount.value } : {}), ...(days.value.trim() !== '' ? { fulfilmentDays: days.value } : {}) };
          };
          const button = el(
            'button',
            { id: 'action-resolve', type: 'button', className: 'primary', disabled, onclick: () => send({ action: 'resolve', decision: decision() }, button) },
            t('staff.button.resolve'),
          );
          return el(
            'div',
            { className: 'action resolve' },
            el('label', { for: 'resolve-template' }, t('console.action.template')),
            template,
            el('fieldset', {}, el('legend', {}, t('staff.modal.resolve.outcome')), outcomes.map((radio) => el('label', {}, radio, t(outcomeLabels[radio.value])))),
            el('label', { for: 'resolve-remedy' }, t('staff.modal.resolve.remedy')),
            remedy,
            el('label', { for: 'resolve-amount' }, t('staff.modal.resolve.amount', { currency: me.desk.currency })),
            amount,
            el('p', { className: 'hint' }, t('staff.modal.resolve.amount_hint')),
            el('label', { for: 'resolve-days' }, t('staff.modal.resolve.days')),
            days,
            el('p', { className: 'hint' }, t('console.action.days_hint')),
            el('label', { for: 'resolve-reason' }, t('staff.modal.resolve.reason')),
            reason,
            el('label', { for: 'resolve-text' }, t('staff.modal.resolve.text')),
            text,
            el('p', { className: 'hint' }, t('staff.modal.resolve.placeholders')),
            button,
            refusal(action),
          );
        }
        case 'assess':
          return assessForm(claim, action, disabled, send, refusal);
        case 'investigate': {
          const button = el('button', { id: 'action-investigate', type: 'button', className: claim.nextStep === 'investigate' ? 'primary' : '', disabled, onclick: () => send({ action: 'investigate' }, button) }, t('staff.button.investigate'));
          return el('div', { className: 'action' }, button, refusal(action));
        }
        case 'record_investigation':
          return investigationForm(claim, action, disabled, send, refusal);
        case 'reply': {
          const message = el('textarea', { id: 'reply-text', rows: 3, maxLength: 4000, disabled });
          // #25: files go with the reply (the desk checks their number, size and type)
          const files = el('input', { type: 'file', id: 'reply-files', multiple: true, accept: 'image/jpeg,image/png,image/webp,image/gif,image/heic,application/pdf,text/plain,video/mp4', disabled });
          const reply = () => {
            if (files.files.length === 0) return send({ action: 'reply', text: message.value }, button);
            const form = new FormData();
            form.append('text', message.value);
            for (const file of files.files) form.append('file', file, file.name);
            return send(form, button, `/console/api/claims/${claim.number}/reply`);
          };
          const button = el('button', { id: 'action-reply', type: 'button', disabled, onclick: reply }, t('staff.button.reply'));
          return el(
            'div',
            { className: 'action' },
            el('label', { for: 'reply-text' }, t('staff.modal.reply.label')),
            message,
            el('label', { for: 'reply-files' }, t('console.reply.files', me.desk.replyFiles)),
            files,
            button,
            refusal(action),
          );
        }
        case 'note': {
          const note = el('textarea', { id: 'note-text', rows: 3, maxLength: 4000, disabled });
          const button = el('button', { id: 'action-note', type: 'button', disabled, onclick: () => send({ action: 'note', text: note.value }, button) }, t('staff.button.note'));
          return el('div', { className: 'action' }, el('label', { for: 'note-text' }, t('staff.modal.note.label')), note, button, refusal(action));
        }
        // #25: a head's review of a draft decision, the remedy carried out, staff closing a resolved claim
        case 'approve_decision': {
          const draft = claim.pendingDecision;
          if (!draft) return null;
          const note = el('textarea', { id: 'review-note', rows: 3, maxLength: 2000, disabled });
          const approve = el('button', { id: 'action-approve_decision', type: 'button', className: 'primary', disabled, onclick: () => send({ action: 'approve_decision', draftId: draft.id }, approve) }, t('console.action.approve'));
          const back = el('button', { id: 'action-return_decision', type: 'button', disabled, onclick: () => send({ action: 'return_decision', draftId: draft.id, note: note.value }, back) }, t('console.action.return'));
          return el(
            'div',
            { className: 'action review', id: 'pending-decision' },
            el('h3', {}, t('console.action.draft')),
            el('p', {}, `${draft.summary} (${draft.reasons.join(', ')})`),
            el('p', { className: 'description', dir: 'auto' }, draft.text),
            el('label', { for: 'review-note' }, t('staff.modal.review.note')),
            note,
            approve,
            back,
            refusal(action),
          );
        }
        case 'fulfil': {
          const note = el('textarea', { id: 'fulfil-note', rows: 2, maxLength: 2000, disabled });
          const button = el('button', { id: 'action-fulfil', type: 'button', disabled, onclick: () => send({ action: 'fulfil', note: note.value }, button) }, t('staff.button.fulfil'));
          return el('div', { className: 'action' }, el('label', { for: 'fulfil-note' }, t('staff.modal.fulfil.label')), note, el('p', { className: 'hint' }, t('staff.modal.fulfil.hint')), button, refusal(action));
        }
        case 'close': {
          const note = el('textarea', { id: 'close-note', rows: 2, maxLength: 2000, disabled });
          const button = el('button', { id: 'action-close', type: 'button', disabled, onclick: () => send({ action: 'close', note: note.value }, button) }, t('staff.button.close'));
          return el('div', { className: 'action' }, el('label', { for: 'close-note' }, t('staff.modal.close.label')), note, button, refusal(action));
        }
        case 'reopen': {
          const why = el('textarea', { id: 'reopen-reason', rows: 3, maxLength: 2000, disabled });
          const button = el('button', { id: 'action-reopen', type: 'button', disabled, onclick: () => send({ action: 'reopen', reason: why.value }, button) }, t('staff.button.reopen'));
          return el('div', { className: 'action' }, el('label', { for: 'reopen-reason' }, t('staff.modal.reopen.label')), why, button, refusal(action));
        }
        default:
          return null;
      }
    });
    return el(
      'section',
      { className: 'card actions', id: 'actions' },
      el('h2', {}, t('console.claim.actions')),
      parts.length === 0 ? el('p', {}, t('console.claim.no_actions')) : parts,
      error,
      done,
    );
  }

  function claimPage(claim) {
    const desk = me.desk;
    const concerns = claim.concerns || {};
    const recorded = claim.fieldTexts || {};
    const amount = recorded.amount ? t('console.claim.amount', { value: recorded.amount }) : '';
    const purchased = recorded.purchaseDate ? t('console.claim.purchased', { value: recorded.purchaseDate }) : '';
    const concernsText = joined([said(concerns.product), said(concerns.orderOrBatch), amount, purchased], ' · ');
    const decision = claim.decisionSummary || '';
    const files = claim.attachments.length === 0
      ? el('p', {}, t('console.claim.no_files'))
      : el(
          'ul',
          { id: 'claim-files' },
          claim.attachments.map((file) =>
            el(
              'li',
              {},
              said(file.fileName) || t(`staff.file.${file.kind}`),
              ' ',
              file.url ? el('a', { href: file.url, download: file.fileName || '' }, t('console.claim.download')) : el('span', { className: 'muted' }, t('console.claim.in_channel', { channel: labelOf(desk.channels, file.channel) })),
            ),
          ),
        );
    return [
      el('p', {}, el('a', { href: '#/claims', id: 'back' }, t('console.claim.back'))),
      el(
        'h1',
        { id: 'claim-title' },
        t('staff.card.title', { kind: t(`detail.kind.${claim.kind}`), number: claim.number }),
        ' ',
        el('span', { className: `status status-${claim.status}`, id: 'claim-status' }, labelOf(desk.statuses, claim.status)),
      ),
      el(
        'div',
        { className: 'columns' },
        el(
          'div',
          {},
          el(
            'section',
            { className: 'card' },
            fields([
              [t('console.list.category'), labelOf(desk.categories, claim.category)],
              [t('console.filter.department'), labelOf(desk.departments, claim.department)],
              [t('console.list.assignee'), claim.assignee ? claim.assignee.name : t('staff.card.unassigned')],
              [t('console.filter.channel'), labelOf(desk.channels, claim.channel)],
              [t('console.list.registered'), dateTime(claim.createdAt)],
              [t('console.claim.first_response'), dateTime(claim.firstResponseAt)],
              [t('console.list.due'), dateTime(claim.sla.resolutionDueAt)],
              [t('console.claim.concerns'), concernsText],
              [t('staff.modal.resolve.remedy'), labelOf(desk.remedies, claim.desiredRemedy)],
              [t('console.claim.decision'), decision],
              [t('console.action.draft'), claim.pendingDecision ? claim.pendingDecision.summary : ''],
              [claim.fulfilment && claim.fulfilment.doneAt ? t('console.claim.fulfilment_done') : t('console.claim.fulfilment_due'), claim.fulfilment ? dateTime(claim.fulfilment.doneAt || claim.fulfilment.dueAt) : ''],
              [t('console.claim.survey'), claim.survey && claim.survey.score ? [`${claim.survey.score}/5`, claim.survey.comment ? [' — ', said(claim.survey.comment)] : ''] : ''],
              ...claimsWorkFields(claim),
            ]),
            investigationDetails(claim),
            el('h2', {}, t('console.claim.description')),
            el('p', { className: 'description', id: 'claim-description', dir: 'auto' }, claim.description),
            el('h2', {}, t('console.claim.customer')),
            fields([
              [t('console.claim.contact_name'), said(claim.contact.name)],
              [t('console.claim.phone'), said(claim.contact.phone)],
              [t('console.claim.email'), said(claim.contact.email)],
              [t('console.claim.language'), claim.locale],
            ]),
            claim.personalData && claim.personalData.masked ? el('p', { className: 'note', id: 'claim-masked' }, t('console.claim.masked')) : null,
            el('h2', {}, t('console.claim.files')),
            claim.personalData && claim.personalData.hiddenFiles > 0 ? el('p', { className: 'note' }, t('console.claim.files_hidden', { count: claim.personalData.hiddenFiles })) : files,
          ),
          el(
            'section',
            { className: 'card' },
            el('h2', {}, t('console.claim.history')),
            el(
              'ol',
              { className: 'history', id: 'claim-history' },
              el('li', {}, el('time', {}, dateTime(claim.createdAt)), ' ', t('console.claim.registered_event')),
              claim.history.map((event) =>
                el(
                  'li',
                  { 'data-type': event.type },
                  el('time', {}, dateTime(event.at)),
                  ' ',
                  el('span', { className: 'text' }, event.text),
                  // a reply's files (#25)
                  event.files ? el('ul', { className: 'files' }, event.files.map((file) => el('li', {}, el('a', { href: file.url, download: file.fileName || '' }, file.fileName || file.url)))) : null,
                ),
              ),
            ),
          ),
        ),
        el('div', { id: 'claim-actions' }),
      ),
    ];
  }

  async function showClaim(number) {
    const error = errorBox('claim-error');
    const container = el('div', { id: 'claim' });
    show(...frame('claims', error, container));
    const render = (claim) => {
      container.replaceChildren(...claimPage(claim));
      document.getElementById('claim-actions').replaceChildren(actionForms(claim, render));
      // panels other scripts add to a claim's page (capa.js: its corrective actions)
      for (const panel of extensions.claimPanels) container.append(panel(claim));
    };
    try {
      const data = await api('GET', `/console/api/claims/${encodeURIComponent(number)}`);
      render(data.claim);
    } catch (failure) {
      if (failure.status !== 401) setError(error, failure.message);
    }
  }

  // ---- reports ----

  const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#9333ea', '#475569'];
  const hours = (value) => (value === null || value === undefined ? t('console.report.none') : t('console.report.hours', { value: Number(value).toFixed(1) }));
  const percent = (share) => (share === null || share === undefined ? t('console.report.none') : `${Math.round(share * 100)}%`);

  function chart(id, config) {
    const canvas = el('canvas', { id, role: 'img', 'aria-label': config.label });
    const box = el('figure', { className: 'chart' }, el('figcaption', {}, config.label), el('div', { className: 'canvas' }, canvas));
    requestAnimationFrame(() => {
      if (!canvas.isConnected || typeof Chart === 'undefined') return;
      charts.push(new Chart(canvas, { type: config.type, data: config.data, options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options } }));
    });
    return box;
  }

  const shorten = (text, max) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

  function paretoChart(id, label, items) {
    return chart(id, {
      label,
      type: 'bar',
      data: {
        labels: items.map((item) => item.label),
        datasets: [
          { type: 'bar', label: t('console.report.count'), data: items.map((item) => item.count), backgroundColor: PALETTE[0], yAxisID: 'y', order: 2 },
          { type: 'line', label: t('console.report.cumulative'), data: items.map((item) => Math.round(item.cumulativeShare * 1000) / 10), borderColor: PALETTE[1], backgroundColor: PALETTE[1], yAxisID: 'share', order: 1 },
        ],
      },
      options: {
        scales: {
          // long names are cut on the axis (the tooltip shows them whole)
          x: { ticks: { callback: (_value, index) => shorten(items[index] ? items[index].label : '', 24) } },
          y: { beginAtZero: true, ticks: { precision: 0 } },
          share: { position: 'right', min: 0, max: 100, grid: { drawOnChartArea: false } },
        },
      },
    });
  }

  function table(id, headers, rows) {
    const body = rows.length > 0 ? rows.map((row) => el('tr', {}, row.map((cell) => el('td', {}, cell)))) : [el('tr', {}, el('td', { colSpan: headers.length, className: 'empty' }, t('console.report.none')))];
    return el('table', { id, className: 'compact' }, el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))), el('tbody', {}, body));
  }

  function tile(id, label, value, note) {
    return el('div', { className: 'tile', id }, el('span', { className: 'label' }, label), el('strong', {}, value), note ? el('span', { className: 'label' }, note) : null);
  }

  async function showReports(params) {
    const error = errorBox('report-error');
    const body = el('div', { id: 'report' });
    show(...frame('reports', el('h1', {}, t('console.report.title')), filterForm(params, 'reports', false), error, body));
    try {
      const report = await api('GET', `/console/api/reports?${filtersOf(params)}`);
      renderReport(body, report);
      // sections other scripts add to the reports (analysis.js: the CAPA effectiveness)
      for (const panel of extensions.reportPanels) body.append(panel(params));
    } catch (failure) {
      if (failure.status !== 401) setError(error, failure.message);
    }
  }

  function renderReport(body, report) {
    const desk = me.desk;
    /** A category, product or channel key as people read it; the folded tail and "no product" have names of their own. */
    const keyLabel = (dimension, item) => {
      if (item.kind === 'other') return t('console.report.other');
      if (item.kind === 'none') return t('console.report.none');
      if (dimension === 'category') return labelOf(desk.categories, item.key);
      if (dimension === 'channel') return labelOf(desk.channels, item.key);
      return item.key;
    };
    if (report.total === 0) {
      body.replaceChildren(el('p', { className: 'empty', id: 'report-empty' }, t('console.report.no_data')));
      return;
    }
    const stacked = (id, label, dimension, series) =>
      chart(id, {
        label,
        type: 'bar',
        data: { labels: series.buckets, datasets: series.series.map((item, index) => ({ label: keyLabel(dimension, item), data: item.counts, backgroundColor: PALETTE[index % PALETTE.length] })) },
        options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
      });
    const csat = report.csat;
    body.replaceChildren(
      el(
        'div',
        { className: 'tiles' },
        tile('kpi-total', t('console.report.total'), String(report.total)),
        tile('kpi-first-response', t('console.report.first_response'), hours(report.firstResponse.medianHours), t('console.report.p90', { value: hours(report.firstResponse.p90Hours) })),
        tile('kpi-resolution', t('console.report.resolution'), hours(report.resolution.medianHours), t('console.report.p90', { value: hours(report.resolution.p90Hours) })),
        tile('kpi-first-response-sla', t('console.report.first_response_in_time'), percent(report.withinSla.firstResponse.share)),
        tile('kpi-sla', t('console.report.within_sla'), percent(report.withinSla.resolution.share)),
        tile('kpi-overdue', t('console.report.overdue_open'), String(report.withinSla.overdueOpen)),
        tile('kpi-accepted', t('console.report.accepted'), String(report.decisions.accepted)),
        tile('kpi-rejected', t('console.report.rejected'), String(report.decisions.rejected)),
        tile('kpi-open', t('console.report.open'), String(report.decisions.open)),
        tile('kpi-csat', t('console.report.csat'), csat.average === null ? t('console.report.none') : `${csat.average.toFixed(2)}/5 (${csat.count})`),
        tile('kpi-investigated', t('console.report.investigated'), percent(report.rootCause.investigated.share), String(report.rootCause.investigated.count)),
        tile('kpi-verified-action', t('console.report.verified_action'), percent(report.rootCause.verifiedAction.share), String(report.rootCause.verifiedAction.count)),
      ),
      el(
        'div',
        { className: 'grid' },
        stacked('chart-volume', t('console.report.volume'), 'category', report.volume.byCategory),
        stacked('chart-channels', t('console.report.by_channel'), 'channel', report.volume.byChannel),
        stacked('chart-products', t('console.report.by_product'), 'product', report.volume.byProduct),
        paretoChart('chart-pareto-categories', t('console.report.pareto_categories'), report.pareto.categories.map((item) => ({ ...item, label: keyLabel('category', item) }))),
        paretoChart('chart-pareto-products', t('console.report.pareto_products'), report.pareto.products.map((item) => ({ ...item, label: keyLabel('product', item) }))),
        // root causes (#24): the cause categories of the investigations, and the causes found
        paretoChart('chart-pareto-causes', t('console.report.pareto_causes'), report.rootCause.categories.map((item) => ({ ...item, label: item.kind === 'value' ? labelOf(desk.causes, item.key) : keyLabel('cause', item) }))),
        paretoChart('chart-pareto-root-causes', t('console.report.pareto_root_causes'), report.rootCause.summaries.map((item) => ({ ...item, label: keyLabel('root_cause', item) }))),
        chart('chart-csat', {
          label: t('console.report.csat_distribution'),
          type: 'bar',
          data: { labels: csat.distribution.map((row) => String(row.score)), datasets: [{ label: t('console.report.count'), data: csat.distribution.map((row) => row.count), backgroundColor: PALETTE[2] }] },
          options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }, plugins: { legend: { display: false } } },
        }),
      ),
      el('h2', {}, t('console.report.repeat_customers')),
      table(
        'repeat-customers',
        [t('console.claim.contact_name'), t('console.filter.channel'), t('console.report.claims')],
        report.repeatCustomers.map((customer) => [said(customer.name) || '—', labelOf(desk.channels, customer.channel), el('span', {}, customer.numbers.map((number, i) => [i > 0 ? ', ' : '', el('a', { href: `#/claim/${number}` }, number)]))]),
      ),
      el('h2', {}, t('console.report.repeat_products')),
      table('repeat-products', [t('console.report.product'), t('console.report.claims'), t('console.report.customers')], report.repeatProducts.map((product) => [said(product.product), String(product.count), String(product.customers)])),
      el('h2', {}, t('console.report.comments')),
      table(
        'csat-comments',
        [t('console.list.number'), t('console.claim.survey'), ''],
        csat.comments.map((comment) => [el('a', { href: `#/claim/${comment.number}` }, comment.number), comment.score ? `${comment.score}/5` : '—', said(comment.comment)]),
      ),
    );
  }

  // ---- the audit trail (heads) ----

  async function showAudit(params) {
    const error = errorBox('audit-error');
    const body = el('div', { id: 'audit' });
    const kinds = ['personal_data_viewed', 'file_downloaded', 'register_exported', 'sign_in', 'sign_in_failed', 'customer_data_exported', 'customer_erased', 'retention_erased', 'data_requested'];
    const select = (name, options) =>
      el('label', {}, t(`console.audit.col.${name === 'staff' ? 'staff' : 'kind'}`), ' ', el('select', { name }, el('option', { value: '' }, t('console.audit.any')), options.map(([value, label]) => el('option', { value, selected: params.get(name) === value }, label))));
    const date = (name, label) => el('label', {}, label, ' ', el('input', { type: 'date', name, value: params.get(name) || '' }));
    const form = el(
      'form',
      {
        className: 'filters',
        id: 'audit-filters',
        onsubmit: (event) => {
          event.preventDefault();
          const wanted = new URLSearchParams();
          for (const [name, value] of new FormData(form)) if (value) wanted.set(name, String(value));
          location.hash = `#/audit?${wanted}`;
        },
      },
      select('kind', kinds.map((kind) => [kind, t(`console.audit.kind.${kind}`)])),
      select('staff', me.desk.staff.map((member) => [member.id, member.name])),
      date('from', t('console.audit.from')),
      date('to', t('console.audit.to')),
      el('button', { type: 'submit' }, t('console.audit.show')),
      el('a', { href: `/console/api/audit.csv?${params}`, id: 'audit-csv', download: '' }, t('console.audit.csv')),
    );
    show(...frame('audit', el('h1', {}, t('console.audit.title')), el('p', { className: 'note' }, t('console.audit.hint')), form, error, body));
    try {
      const page = await api('GET', `/console/api/audit?${params}`);
      body.append(
        el('p', {}, t('console.audit.total', { count: page.total })),
        page.entries.length === 0
          ? el('p', { className: 'empty' }, t('console.audit.empty'))
          : table(
              'audit-table',
              ['at', 'kind', 'staff', 'claim', 'channel', 'detail', 'address'].map((key) => t(`console.audit.col.${key}`)),
              page.entries.map((entry) => [
                dateTime(entry.at),
                entry.kindLabel,
                entry.staff ? entry.staff.name : '—',
                entry.claimNumber ? el('a', { href: `#/claim/${entry.claimNumber}` }, entry.claimNumber) : '',
                entry.channel,
                entry.detail,
                entry.address || '',
              ]),
            ),
      );
    } catch (failure) {
      if (failure.status !== 401) setError(error, failure.message);
    }
  }

  // ---- routing ----

  async function route() {
    if (!me) return;
    const hash = location.hash.replace(/^#/, '') || '/claims';
    const [path, query] = hash.split('?');
    const params = new URLSearchParams(query || '');
    const claim = /^\/claim\/([0-9-]+)$/.exec(path);
    const extra = extensions.routes.find((candidate) => candidate.pattern.test(path));
    if (extra) await extra.show(path.match(extra.pattern), params);
    else if (claim) await showClaim(claim[1]);
    else if (path === '/reports') await showReports(params);
    else if (path === '/audit') await showAudit(params);
    else await showClaims(params);
  }

  async function start() {
    try {
      me = await api('GET', '/console/api/me');
    } catch (failure) {
      if (failure.status !== 401) showLogin(failure.message);
      return;
    }
    lang = me.staff.locale === 'en' ? 'en' : 'ru';
    document.documentElement.lang = lang;
    await route();
  }

  /**
   * What other console scripts (capa.js) add: views under their own hash paths, and panels on a
   * claim's page. They build with the same helpers, so every text comes from the catalogues and
   * everything people typed is shown as text.
   */
  const extensions = { routes: [], claimPanels: [], reportPanels: [], nav: [] };
  window.claimdesk = {
    addRoute: (pattern, showView) => extensions.routes.push({ pattern, show: showView }),
    addClaimPanel: (panel) => extensions.claimPanels.push(panel),
    addReportPanel: (panel) => extensions.reportPanels.push(panel),
    addNav: (item) => extensions.nav.push(item),
    helpers: { t, el, said, api, dateTime, labelOf, show, frame, errorBox, setError, fields, me: () => me },
  };

  window.addEventListener('hashchange', () => {
    void route();
  });
  // the first request: signed in already (the cookie) or the sign-in form
  fetch('/console/api/me', { credentials: 'same-origin' }).then((res) => {
    if (res.status === 401) showLogin();
    else void start();
  }, () => showLogin(t('console.error.generic')));
})();
