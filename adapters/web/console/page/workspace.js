/*
 * The console as a full workspace (#25): the registration form for a claim received by phone,
 * e-mail, letter or in person (#/register), and on a claim's page its links, the notices staff
 * must tell the customer themselves (ticked and recorded as told: how, with a note) and those told
 * already (who, when, how), and the Move and Duplicate-of forms. Built with app.js's
 * helpers: every text from the catalogues, everything people typed shown as text.
 */
(function () {
  'use strict';
  const desk = window.claimdesk;
  if (!desk) return;
  const { t, el, said, api, dateTime, show, frame, errorBox, setError } = desk.helpers;

  const select = (id, options, selected) => el('select', { id }, options.map((option) => el('option', { value: option.id, selected: option.id === selected }, option.label)));
  const labelled = (id, label, field) => el('div', { className: 'action' }, el('label', { for: id }, label), field);

  function showRegister() {
    const vocabulary = desk.helpers.me().desk;
    const error = errorBox('register-error');
    const input = (id, type) => el('input', { id, type: type || 'text' });
    const fields = {
      channel: select('register-channel', vocabulary.intakeChannels, 'phone'),
      kind: select('register-kind', vocabulary.kinds, 'claim'),
      category: select('register-category', vocabulary.categories),
      product: input('register-product'),
      orderOrBatch: input('register-order'),
      amount: input('register-amount'),
      purchaseDate: input('register-purchase-date'),
      description: el('textarea', { id: 'register-description', rows: 4, maxLength: 4000 }),
      desiredRemedy: select('register-remedy', vocabulary.remedies),
      name: input('register-name'),
      phone: input('register-phone', 'tel'),
      email: input('register-email', 'email'),
      locale: select('register-locale', [{ id: 'ru', label: 'русский' }, { id: 'en', label: 'English' }], desk.helpers.me().staff.locale),
    };
    const consent = el('input', { type: 'checkbox', id: 'register-consent' });
    // one request id per form: a double click registers one claim
    const requestId = crypto.randomUUID();
    const button = el('button', { id: 'register-submit', type: 'button', className: 'primary' }, t('console.register.submit'));
    button.onclick = async () => {
      setError(error, '');
      button.disabled = true;
      const body = { requestId };
      for (const [name, field] of Object.entries(fields)) body[name] = field.value;
      body.consent = consent.checked;
      try {
        const data = await api('POST', '/console/api/claims', body);
        location.hash = `#/claim/${data.claim.number}`;
      } catch (failure) {
        button.disabled = false;
        if (failure.status !== 401) setError(error, failure.message);
      }
    };
    show(
      ...frame(
        'register',
        el('h1', {}, t('console.register.title')),
        el(
          'section',
          { className: 'card', id: 'register-form' },
          labelled('register-channel', t('console.register.channel'), fields.channel),
          labelled('register-kind', t('console.register.kind'), fields.kind),
          labelled('register-category', t('console.register.category'), fields.category),
          labelled('register-product', t('console.register.product'), fields.product),
          labelled('register-order', t('console.register.order'), fields.orderOrBatch),
          labelled('register-amount', t('console.register.amount'), fields.amount),
          labelled('register-purchase-date', t('console.register.purchase_date'), fields.purchaseDate),
          labelled('register-description', t('console.register.description'), fields.description),
          labelled('register-remedy', t('console.register.remedy'), fields.desiredRemedy),
          labelled('register-name', t('console.register.name'), fields.name),
          labelled('register-phone', t('console.register.phone'), fields.phone),
          labelled('register-email', t('console.register.email'), fields.email),
          labelled('register-locale', t('console.register.locale'), fields.locale),
          el('label', { className: 'check' }, consent, t('console.register.consent')),
          button,
          error,
        ),
      ),
    );
  }

  /** The claim's links, what to tell the customer, and the Move and Duplicate-of forms. */
  function panel(claim) {
    const vocabulary = desk.helpers.me().desk;
    const error = errorBox('workspace-error');
    const reload = () => window.dispatchEvent(new HashChangeEvent('hashchange'));
    const send = async (request, button) => {
      setError(error, '');
      button.disabled = true;
      try {
        await api('POST', `/console/api/claims/${claim.number}/actions`, request);
        reload();
      } catch (failure) {
        button.disabled = false;
        if (failure.status !== 401) setError(error, failure.message);
      }
    };
    const link = (number) => el('a', { href: `#/claim/${number}` }, number);
    const parts = [];
    if (claim.links && claim.links.duplicateOf) parts.push(el('p', { id: 'claim-duplicate-of' }, t('console.claim.duplicate_of', { number: '' }), link(claim.links.duplicateOf)));
    if (claim.links && claim.links.duplicates.length > 0) parts.push(el('p', { id: 'claim-duplicates' }, t('console.claim.duplicates', { numbers: '' }), claim.links.duplicates.map((number, index) => [index > 0 ? ', ' : '', link(number)])));
    if (claim.tellCustomer && claim.tellCustomer.length > 0) {
      // each notice ticked to record as told (all by default: usually everything is read out at once)
      const picks = claim.tellCustomer.map((notice) => el('input', { type: 'checkbox', id: `tell-${notice.eventId}`, className: 'tell-pick', value: notice.eventId, checked: true }));
      parts.push(
        el('h2', {}, t('console.claim.tell_title')),
        el('p', { className: 'hint' }, t('console.claim.tell_hint')),
        el(
          'ol',
          { id: 'claim-tell' },
          claim.tellCustomer.map((notice, index) => el('li', {}, el('label', { className: 'check' }, picks[index], t('console.claim.tell_select')), ' ', el('time', {}, dateTime(notice.at)), el('pre', { className: 'notice' }, notice.text))),
        ),
      );
      const means = select('tell-means', vocabulary.tellMeans, 'phone');
      const note = el('input', { id: 'tell-note', type: 'text', maxLength: 500 });
      const allowed = !claim.tell || claim.tell.allowed;
      const button = el('button', { id: 'action-tell_customer', type: 'button', disabled: !allowed }, t('console.claim.tell_submit'));
      button.onclick = () => {
        const eventIds = picks.filter((pick) => pick.checked).map((pick) => pick.value);
        if (eventIds.length === 0) return setError(error, t('console.claim.tell_none_selected'));
        return send({ action: 'tell_customer', eventIds, means: means.value, note: note.value }, button);
      };
      parts.push(labelled('tell-means', t('console.claim.tell_means'), means), labelled('tell-note', t('console.claim.tell_note'), note), button, allowed ? null : el('p', { className: 'refusal' }, claim.tell.reason));
    }
    if (claim.toldCustomer && claim.toldCustomer.length > 0) {
      parts.push(
        el('h2', {}, t('console.claim.told_title')),
        el(
          'ol',
          { id: 'claim-told' },
          claim.toldCustomer.map((told) =>
            el('li', {}, el('time', {}, dateTime(told.at)), told.text === null ? null : el('pre', { className: 'notice' }, told.text), el('p', { className: 'told-by' }, told.line), told.note === null ? null : el('p', { className: 'told-note' }, said(told.note))),
          ),
        ),
      );
    }
    const action = (name) => claim.actions.find((candidate) => candidate.action === name);
    const move = action('move');
    if (move) {
      const keep = { id: '', label: t('console.action.move.keep') };
      const category = select('move-category', [keep, ...vocabulary.categories.filter((candidate) => candidate.id !== claim.category)], '');
      const department = select('move-department', [keep, ...vocabulary.departments.filter((candidate) => candidate.id !== claim.department)], '');
      const reason = el('textarea', { id: 'move-reason', rows: 2, maxLength: 500 });
      const button = el('button', { id: 'action-move', type: 'button', disabled: !move.allowed }, t('staff.button.move'));
      button.onclick = () => send({ action: 'move', category: category.value, department: department.value, reason: reason.value }, button);
      parts.push(labelled('move-category', t('console.action.move.category'), category), labelled('move-department', t('console.action.move.department'), department), labelled('move-reason', t('console.action.move.reason'), reason), button, move.allowed ? null : el('p', { className: 'refusal' }, move.reason));
    }
    const duplicate = action('link_duplicate');
    if (duplicate) {
      const original = el('input', { id: 'duplicate-original', type: 'text', maxLength: 40 });
      const note = el('input', { id: 'duplicate-note', type: 'text', maxLength: 500 });
      const button = el('button', { id: 'action-link_duplicate', type: 'button', disabled: !duplicate.allowed }, t('staff.button.link_duplicate'));
      button.onclick = () => send({ action: 'link_duplicate', original: original.value, ...(note.value.trim() ? { note: note.value } : {}) }, button);
      parts.push(labelled('duplicate-original', t('console.action.link_duplicate.original'), original), labelled('duplicate-note', t('console.action.link_duplicate.note'), note), button, duplicate.allowed ? null : el('p', { className: 'refusal' }, duplicate.reason));
    }
    return el('section', { className: 'card', id: 'workspace' }, parts, error);
  }

  desk.addRoute(/^\/register$/, showRegister);
  desk.addClaimPanel(panel);
})();
