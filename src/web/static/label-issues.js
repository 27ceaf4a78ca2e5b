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
