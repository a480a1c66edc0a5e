'use strict';
/*
 * The analysis in the console (#24): the similar earlier claims on a claim's page (and beside its
 * investigation form), with one click to link the claim to a similar claim's action; and the CAPA
 * effectiveness under the reports (quality and heads). Built with app.js's helpers
 * (window.claimdesk): texts from the catalogues, typed text as text.
 */
(function () {
  const { addClaimPanel, addReportPanel, helpers } = window.claimdesk;
  const { t, el, said, api, dateTime, errorBox, setError } = helpers;

  const percent = (score) => `${Math.round(score * 100)}%`;
  const rate = (value) => (value === null || value === undefined ? '—' : String(Math.round(value * 10) / 10));

  function table(id, headers, rows, empty) {
    const body = rows.length > 0 ? rows : [el('tr', {}, el('td', { colSpan: headers.length, className: 'empty' }, empty))];
    return el('table', { id, className: 'compact' }, el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))), el('tbody', {}, body));
  }

  // ---- similar claims on a claim's page ----

  function similarRows(claim, similar, error, reload) {
    return similar.map((item) => {
      const cause = [item.causeCategory, item.rootCause].filter(Boolean).join(': ');
      const links = item.actions
        .filter((action) => action.status !== 'cancelled')
        .map((action) =>
          el(
            'div',
            { className: 'similar-action' },
            el('a', { href: `#/capa/${action.number}` }, action.number),
            ' ',
            el(
              'button',
              {
                type: 'button',
                className: 'link-capa',
                'data-action': action.number,
                onclick: async (event) => {
                  setError(error, '');
                  event.target.disabled = true;
                  try {
                    await api('POST', `/console/api/capa/${encodeURIComponent(action.number)}/actions`, { type: 'link', claimNumber: claim.number });
                    setError(error, t('console.analysis.linked', { number: action.number }));
                    await reload();
                  } catch (failure) {
                    event.target.disabled = false;
                    if (failure.status !== 401) setError(error, failure.message);
                  }
                },
              },
              t('console.analysis.link', { number: action.number }),
            ),
          ),
        );
      return el(
        'tr',
        { 'data-number': item.number },
        el('td', {}, el('a', { href: `#/claim/${item.number}` }, item.number), el('br'), el('small', {}, dateTime(item.createdAt))),
        el('td', {}, item.statusText),
        el('td', {}, percent(item.score), item.sameProduct ? [el('br'), el('small', {}, t('console.analysis.same_product'))] : null),
        el('td', {}, item.description ? el('span', { dir: 'auto' }, item.description) : '—'),
        el('td', {}, cause ? said(cause) : '—'),
        el('td', {}, links.length > 0 ? links : '—'),
      );
    });
  }

  function similarPanel(claim) {
    const holder = el('div', {});
    const error = errorBox('similar-error');
    const headers = ['claim', 'status', 'score', 'description', 'cause', 'actions'].map((column) => t(column === 'description' ? 'console.capa.description' : `console.analysis.col.${column}`));
    const load = async () => {
      try {
        const { similar } = await api('GET', `/console/api/claims/${encodeURIComponent(claim.number)}/similar`);
        holder.replaceChildren(table('similar-claims', headers, similarRows(claim, similar, error, load), t('console.analysis.similar_none')));
        // beside the investigation form too: "were there similar problems before?" while the cause is sought
        const form = document.querySelector('.action.investigation');
        if (form) {
          const brief = el(
            'div',
            { id: 'investigation-similar', className: 'hint' },
            el('h4', {}, t('console.analysis.similar')),
            similar.length === 0
              ? el('p', {}, t('console.analysis.similar_none'))
              : el('ul', {}, similar.map((item) => el('li', {}, el('a', { href: `#/claim/${item.number}` }, item.number), ` · ${item.statusText} · ${percent(item.score)}`, item.rootCause || item.causeCategory ? [' · ', said([item.causeCategory, item.rootCause].filter(Boolean).join(': '))] : null))),
          );
          const old = document.getElementById('investigation-similar');
          if (old) old.replaceWith(brief);
          else form.append(brief);
        }
      } catch (failure) {
        if (failure.status !== 401) setError(error, failure.message);
      }
    };
    void load();
    return el('section', { className: 'card', id: 'claim-similar-panel' }, el('h2', {}, t('console.analysis.similar')), el('p', { className: 'hint' }, t('console.analysis.similar_hint')), holder, error);
  }

  // ---- the CAPA effectiveness under the reports ----

  function effectivenessPanel(params) {
    const section = el('section', { id: 'report-effectiveness' });
    const query = new URLSearchParams();
    for (const name of ['department', 'category', 'from', 'to']) if (params.get(name)) query.set(name, params.get(name));
    void (async () => {
      try {
        const report = await api('GET', `/console/api/reports/effectiveness?${query}`);
        const count = (outcome) => report.actions.filter((row) => row.outcome === outcome).length;
        const headers = ['number', 'description', 'scope', 'verified', 'before_rate', 'after_rate', 'before_claims', 'after_claims'].map((column) => t(`console.analysis.col.${column}`));
        const rows = report.notFallen.map((row) =>
          el(
            'tr',
            { 'data-number': row.number },
            el('td', {}, el('a', { href: `#/capa/${row.number}` }, row.number)),
            el('td', {}, said(row.description)),
            el('td', {}, said(row.scopeText)),
            el('td', {}, dateTime(row.verifiedAt)),
            el('td', {}, rate(row.before.rate)),
            el('td', {}, rate(row.after.rate)),
            el('td', {}, `${row.before.claims} / ${row.before.days}`),
            el('td', {}, `${row.after.claims} / ${row.after.days}`),
          ),
        );
        section.replaceChildren(
          el('h2', {}, t('console.analysis.effectiveness')),
          el('p', { className: 'hint' }, t('console.analysis.effectiveness_hint', { days: String(report.days), rateDays: String(report.rateDays) })),
          el('p', { id: 'effectiveness-summary' }, t('console.analysis.effectiveness_summary', { measured: String(report.actions.length), fell: String(count('fell')), notFallen: String(count('not_fallen')), early: String(count('too_early')) })),
          table('effectiveness', headers, rows, t('console.analysis.effectiveness_none')),
          el('a', { href: `/console/api/reports/effectiveness.csv?${query}`, id: 'effectiveness-csv', className: 'button', download: '' }, t('console.analysis.effectiveness_csv')),
        );
      } catch (failure) {
        // without the reports right (quality, heads) the section stays away
        if (failure.status !== 403 && failure.status !== 401) section.replaceChildren(el('p', { className: 'error' }, failure.message));
      }
    })();
    return section;
  }

  addClaimPanel(similarPanel);
  addReportPanel(effectivenessPanel);
})();
