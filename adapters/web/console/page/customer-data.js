'use strict';
/*
 * The customer's rights in the console (#26), for quality and heads (`customer_data`): find one
 * customer (#/customer-data), download everything the desk holds about them as JSON, erase their
 * personal data with a reason; the customers' open /mydata requests. The customer is sent in the
 * request body, never in the page's address. Built with app.js's helpers (window.claimdesk).
 */
(function () {
  const { addRoute, helpers } = window.claimdesk;
  const { t, el, said, api, dateTime, show, frame, errorBox, setError } = helpers;

  const KINDS = ['number', 'phone', 'email', 'telegram', 'slack', 'web'];

  function lookupForm(onFind) {
    const by = el('select', { name: 'by', id: 'customer-by' }, KINDS.map((kind) => el('option', { value: kind }, t(`console.customer.by.${kind}`))));
    const value = el('input', { name: 'value', id: 'customer-value', required: true, maxLength: 254, autocomplete: 'off' });
    const form = el(
      'form',
      { className: 'filters', id: 'customer-find' },
      el('label', { className: 'field' }, t('console.customer.by'), by),
      el('label', { className: 'field' }, value),
      el('button', { type: 'submit' }, t('console.customer.find')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void onFind({ by: by.value, value: value.value });
    });
    return form;
  }

  async function download(lookup, error) {
    try {
      const data = await api('POST', '/console/api/customer-data/export', lookup);
      const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
      const link = el('a', { href: url, download: `customer-data-${new Date().toISOString().slice(0, 10)}.json` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (failure) {
      setError(error, failure.message);
    }
  }

  function eraseForm(lookup, error, done) {
    const me = helpers.me();
    const reason = el('input', { name: 'reason', id: 'customer-reason', required: true, maxLength: 500 });
    const force = el('input', { type: 'checkbox', name: 'force', id: 'customer-force' });
    const form = el(
      'form',
      { id: 'customer-erase', className: 'filters' },
      el('label', { className: 'field' }, t('console.customer.reason'), reason),
      me.staff.roles.includes('head') ? el('label', {}, force, ' ', t('console.customer.force')) : null,
      el('button', { type: 'submit', className: 'danger' }, t('console.customer.erase')),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!window.confirm(t('console.customer.erase_confirm'))) return;
      try {
        const result = await api('POST', '/console/api/customer-data/erase', { ...lookup, reason: reason.value, force: force.checked });
        done(t('console.customer.erased', { count: result.erased }));
      } catch (failure) {
        setError(error, failure.message);
      }
    });
    return form;
  }

  async function showCustomerData() {
    const error = errorBox('customer-error');
    const result = el('div', { id: 'customer-result' });
    const requests = el('div', { id: 'customer-requests' });
    const find = async (lookup) => {
      setError(error, '');
      result.replaceChildren();
      try {
        const found = await api('POST', '/console/api/customer-data/find', lookup);
        if (found.claims.length === 0 && found.chats === 0) {
          result.replaceChildren(el('p', { className: 'empty' }, t('console.customer.none')));
          return;
        }
        result.replaceChildren(
          el('p', {}, t('console.customer.found', { count: found.claims.length })),
          el(
            'ul',
            { id: 'customer-claims' },
            found.claims.map((claim) => el('li', {}, el('a', { href: `#/claim/${claim.number}` }, claim.number), ' — ', claim.statusLabel, ' · ', claim.channel, ' · ', dateTime(claim.createdAt))),
          ),
          el('button', { type: 'button', id: 'customer-export', onclick: () => download(lookup, error) }, t('console.customer.export')),
          eraseForm(lookup, error, (message) => result.replaceChildren(el('p', { id: 'customer-erased' }, message))),
        );
      } catch (failure) {
        setError(error, failure.message);
      }
    };
    show(...frame('customer-data', el('h1', {}, t('console.customer.title')), el('p', { className: 'note' }, t('console.customer.hint')), lookupForm(find), error, result, el('h2', {}, t('console.customer.requests')), requests));
    try {
      const open = await api('GET', '/console/api/customer-data/requests');
      requests.replaceChildren(
        open.requests.length === 0
          ? el('p', { className: 'empty' }, t('console.customer.requests_empty'))
          : el(
              'ul',
              {},
              open.requests.map((request) => el('li', {}, el('a', { href: '#/customer-data', onclick: () => find(request.customer) }, request.id), ' — ', request.channel, ' · ', dateTime(request.at), ' · ', said(request.customer.value))),
            ),
      );
    } catch (failure) {
      setError(error, failure.message);
    }
  }

  addRoute(/^\/customer-data$/, () => showCustomerData());
})();
