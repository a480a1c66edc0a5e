'use strict';
/*
 * Files attached to a claim's investigation (#24): a panel on the claim's page listing them (who,
 * when, a download) and, while the claim is under investigation, a form to attach one. Built with
 * app.js's helpers (window.claimdesk): texts from the catalogues, file names as text.
 */
(function () {
  const { addClaimPanel, helpers } = window.claimdesk;
  const { t, el, said, dateTime, errorBox, setError } = helpers;

  function list(files) {
    if (files.length === 0) return el('p', { id: 'investigation-files-empty' }, t('console.investigation.no_files'));
    return el(
      'ul',
      { id: 'investigation-files-list' },
      files.map((file) =>
        el('li', {}, el('a', { href: file.url, download: file.fileName || '' }, said(file.fileName) || t('console.claim.download')), ' — ', file.by ? file.by.name : '', ', ', dateTime(file.at)),
      ),
    );
  }

  addClaimPanel((claim) => {
    const files = claim.investigationFiles || [];
    const shown = el('div', {}, list(files));
    const error = errorBox('investigation-file-error');
    const allowed = claim.status === 'investigating' && claim.actions.some((action) => action.action === 'record_investigation' && action.allowed);
    const input = el('input', { type: 'file', id: 'investigation-file', accept: 'image/*,application/pdf,text/plain,video/mp4' });
    const button = el(
      'button',
      {
        type: 'button',
        id: 'investigation-file-submit',
        onclick: async () => {
          setError(error, '');
          const file = input.files && input.files[0];
          if (!file) return;
          button.disabled = true;
          try {
            const res = await fetch(`/console/api/claims/${encodeURIComponent(claim.number)}/investigation/files?${new URLSearchParams({ name: file.name })}`, {
              method: 'POST',
              credentials: 'same-origin',
              headers: { 'content-type': file.type || 'application/octet-stream' },
              body: file,
            });
            const data = await res.json().catch(() => null);
            if (!res.ok) throw new Error((data && data.message) || t('console.error.generic'));
            shown.replaceChildren(list(data.files));
            input.value = '';
          } catch (failure) {
            setError(error, failure.message);
          } finally {
            button.disabled = false;
          }
        },
      },
      t('console.investigation.attach'),
    );
    if (files.length === 0 && !allowed) return el('div', { id: 'investigation-files' });
    return el('section', { id: 'investigation-files', className: 'card' }, el('h2', {}, t('console.investigation.files')), shown, allowed ? el('div', { className: 'bar' }, input, button) : null, error);
  });
})();
