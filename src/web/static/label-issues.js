// Opened without an index, the page shows the first undecided issue: name it in the address, so a
// reload or a Back after decisions move the panel on comes back to this one. (Decisions push the
// address of the issue they show next; this entry is the one they would otherwise lose.) A block,
// as this script runs again on a restored page and a second top-level const would not compile.
{
  const shownIndex = document.getElementById('review')?.dataset.index;
  if (shownIndex !== undefined && new URLSearchParams(location.search).get('index') !== shownIndex) {
    const url = new URL(location.href);
    url.searchParams.set('index', shownIndex);
    history.replaceState(history.state, '', url);
  }
}

// A Back that htmx fetches afresh (the review panel keeps no snapshots) swaps the whole body in
// again, this script with it: listen once, or every key would click its control twice.
if (!window.labelIssuesKeysBound) {
  window.labelIssuesKeysBound = true;

  // The review page's keyboard: each key clicks the control marked with it (data-key), so a key does
  // exactly what its button does. Keys typed into a field, or with a modifier, are left alone.
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if (event.target instanceof HTMLElement && event.target.closest('input, select, textarea')) return;
    const review = document.getElementById('review');
    const control = review && review.querySelector(`[data-key="${CSS.escape(event.key)}"]`);
    // One decision at a time: a key pressed while the last one is still posting waits for its answer.
    if (!control || review.querySelector('.htmx-request')) return;
    event.preventDefault();
    control.click();
  });

  // Choosing another split or slice shows it at once; the Show button does the same without JS.
  document.addEventListener('change', (event) => {
    if (event.target instanceof HTMLSelectElement && event.target.closest('form.review-filters')) event.target.form.submit();
  });
}
