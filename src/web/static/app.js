// The compare view takes ?runs=1,2 and makes the first A: keep its link in step with the rows checked
// on the runs page. The oldest (lowest id) goes first whatever order the table is sorted in, so B is
// the newer run, and the page says which is A.
function updateCompareLink() {
  const link = document.getElementById('compare-link');
  if (!link) return;
  const ids = [...document.querySelectorAll('.select-run:checked')].map((box) => Number(box.value)).sort((a, b) => a - b);
  const order = document.getElementById('compare-order');
  if (order) order.textContent = ids.length < 2 ? '' : `A is the oldest ticked, run ${ids[0]}`;
  // A disabled link has no href, so neither a click nor Enter can follow it to a 400.
  if (ids.length < 2) link.removeAttribute('href');
  else link.href = `/compare?runs=${ids.join(',')}`;
  link.textContent = `Compare selected (${ids.length})`;
  link.classList.toggle('disabled', ids.length < 2);
  link.setAttribute('aria-disabled', String(ids.length < 2));
}

// htmx restores a snapshot of the page on Back, and a snapshot keeps the controls' values as first
// rendered, not as typed: set them from the URL, which is what the restored table shows.
function syncFiltersWithUrl() {
  const form = document.querySelector('form.filters');
  if (!form) return;
  const query = new URLSearchParams(location.search);
  for (const control of form.querySelectorAll('input[name], select[name]')) {
    if (control.type === 'hidden') continue;
    if (control.type !== 'checkbox') control.value = query.get(control.name) ?? '';
    // No col in the URL means the default columns, which the page marks data-default.
    else if (control.name === 'col' && !query.has('col')) control.checked = control.dataset.default === '1';
    else control.checked = query.getAll(control.name).includes(control.value);
  }
}

// A blank momentum box says what the chosen optimizer would use (the launch form sends the choices).
function updateMomentumPlaceholder(select) {
  const momentum = select.form?.querySelector('input[name=momentum][data-placeholders]');
  if (!momentum) return;
  const placeholders = JSON.parse(momentum.dataset.placeholders);
  momentum.placeholder = placeholders[select.value] ?? placeholders[''];
}

document.addEventListener('change', (event) => {
  if (event.target instanceof HTMLInputElement && event.target.classList.contains('select-run')) updateCompareLink();
  if (event.target instanceof HTMLSelectElement && event.target.name === 'optimizer') updateMomentumPlaceholder(event.target);
});
// Filtering swaps the table: rows that stay keep their (preserved) boxes, the others drop out.
document.addEventListener('htmx:afterSettle', updateCompareLink);
document.addEventListener('DOMContentLoaded', updateCompareLink);
document.addEventListener('htmx:historyRestore', () => {
  syncFiltersWithUrl();
  updateCompareLink();
});
window.addEventListener('pageshow', syncFiltersWithUrl);

// A Back to a page htmx has no snapshot of fetches it; a second Back that restores a snapshot before
// the fetch answers would otherwise be overwritten by the older page when it does. Each restore
// announces a cache hit or miss before it starts its own fetch, so it cancels the earlier one.
let pendingHistoryFetch;
function cancelPendingHistoryFetch() {
  pendingHistoryFetch?.abort();
  pendingHistoryFetch = undefined;
}
document.addEventListener('htmx:historyCacheHit', cancelPendingHistoryFetch);
document.addEventListener('htmx:historyCacheMiss', (event) => {
  cancelPendingHistoryFetch();
  pendingHistoryFetch = event.detail.xhr;
});
document.addEventListener('htmx:historyCacheMissLoad', () => { pendingHistoryFetch = undefined; });

// An error banner belongs to the request that failed: the next one that succeeds takes it away.
document.addEventListener('htmx:afterRequest', (event) => {
  const flash = document.getElementById('flash');
  if (flash && event.detail.successful) flash.replaceChildren();
});

// Archiving (and anything else marked data-confirm) asks first; the CSP allows no inline handlers.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
