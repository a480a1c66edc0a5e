'use strict';
/*
 * The console's header tools (#25): the search box (#/search?q=…) and the notifications with
 * their unread count (#/notices), refreshed every minute. Built with app.js's helpers
 * (window.claimdesk): texts from the catalogues, typed text as text.
 */
(function () {
  const { addRoute, addNav, helpers } = window.claimdesk;
  const { t, el, api, dateTime, labelOf, show, frame, errorBox, setError } = helpers;
  const desk = () => helpers.me().desk;

  /** The header's count, updated wherever it is shown. */
  let unread = null;
  const counters = new Set();
  function setUnread(count) {
    unread = count;
    for (const node of counters) {
      if (!node.isConnected) counters.delete(node);
      else node.textContent = t('console.notices.button', { count });
    }
  }
  async function refreshCount() {
    if (!helpers.me()) return;
    try {
      setUnread((await api('GET', '/console/api/notices/count')).unread);
    } catch {
      // signed out or the desk busy: the next refresh tries again
    }
  }
  setInterval(() => void refreshCount(), 60_000);

  addNav((active) => {
    const input = el('input', { type: 'search', id: 'search-q', name: 'q', maxLength: 200, placeholder: t('console.search.placeholder'), 'aria-label': t('console.search.placeholder') });
    const form = el('form', { id: 'search-form', className: 'search', role: 'search' }, input, el('button', { type: 'submit', id: 'search-submit' }, t('console.search.button')));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (input.value.trim() !== '') location.hash = `#/search?${new URLSearchParams({ q: input.value.trim() })}`;
    });
    const link = el('a', { href: '#/notices', id: 'nav-notices', className: active === 'notices' ? 'active' : '' }, t('console.notices.button', { count: unread === null ? '…' : unread }));
    counters.add(link);
    if (unread === null) void refreshCount();
    return [form, link];
  });

  // ---- search ----

  addRoute(/^\/search$/, async (_match, params) => {
    const q = params.get('q') || '';
    const error = errorBox('search-error');
    const body = el('tbody', {});
    const more = el('p', { className: 'note', id: 'search-more', hidden: true });
    show(
      ...frame(
        'search',
        el('h1', { id: 'search-title' }, t('console.search.title', { query: q })),
        error,
        el(
          'table',
          { id: 'search-table' },
          el('thead', {}, el('tr', {}, ['number', 'registered', 'category', 'status', 'assignee'].map((column) => el('th', { scope: 'col' }, t(`console.list.${column}`))))),
          body,
        ),
        more,
      ),
    );
    const input = document.getElementById('search-q');
    if (input) input.value = q;
    try {
      const data = await api('GET', `/console/api/search?${new URLSearchParams({ q })}`);
      if (data.claims.length === 0) body.append(el('tr', {}, el('td', { colSpan: 5, className: 'empty' }, t('console.search.empty'))));
      for (const claim of data.claims) {
        body.append(
          el(
            'tr',
            { 'data-number': claim.number },
            el('td', {}, el('a', { href: `#/claim/${claim.number}` }, claim.number)),
            el('td', {}, dateTime(claim.createdAt)),
            el('td', {}, labelOf(desk().categories, claim.category)),
            el('td', {}, el('span', { className: `status status-${claim.status}` }, labelOf(desk().statuses, claim.status))),
            el('td', {}, claim.assignee ? claim.assignee.name : '—'),
          ),
        );
      }
      if (data.more) {
        more.textContent = t('console.search.more', { count: data.claims.length });
        more.hidden = false;
      }
    } catch (failure) {
      if (failure.status !== 401) setError(error, failure.message);
    }
  });

  // ---- notifications ----

  addRoute(/^\/notices$/, async (_match, params) => {
    const before = params.get('before');
    const error = errorBox('notices-error');
    const list = el('ul', { id: 'notices-list', className: 'notices' });
    const older = el('p', {});
    const readAll = el(
      'button',
      {
        type: 'button',
        id: 'notices-read-all',
        onclick: async () => {
          try {
            setUnread((await api('POST', '/console/api/notices/read', { all: true })).unread);
            for (const item of list.querySelectorAll('li.unread')) item.classList.remove('unread');
          } catch (failure) {
            if (failure.status !== 401) setError(error, failure.message);
          }
        },
      },
      t('console.notices.read_all'),
    );
    show(...frame('notices', el('div', { className: 'bar' }, el('h1', {}, t('console.notices.title')), readAll), error, list, older));
    try {
      const data = await api('GET', `/console/api/notices?${new URLSearchParams(before ? { before } : {})}`);
      setUnread(data.unread);
      if (data.notices.length === 0) list.append(el('li', { className: 'empty' }, t('console.notices.empty')));
      for (const notice of data.notices) {
        const target = notice.source === 'action' ? `#/capa/${notice.number}` : `#/claim/${notice.number}`;
        const item = el(
          'li',
          { 'data-id': notice.id, className: notice.read ? '' : 'unread' },
          el('span', { className: 'muted' }, dateTime(notice.at)),
          ' ',
          // opening a notice marks it read
          el('a', { href: target, onclick: () => void api('POST', '/console/api/notices/read', { ids: [notice.id] }).then((answer) => setUnread(answer.unread), () => undefined) }, notice.text),
        );
        list.append(item);
      }
      const last = data.notices.at(-1);
      if (last && data.notices.length >= 30) older.append(el('a', { href: `#/notices?${new URLSearchParams({ before: last.id })}`, className: 'button', id: 'notices-older' }, t('console.notices.more')));
    } catch (failure) {
      if (failure.status !== 401) setError(error, failure.message);
    }
  });
})();
