// The compare view takes ?runs=1,2: keep its link in step with the rows checked on the runs page.
function updateCompareLink() {
  const link = document.getElementById('compare-link');
  if (!link) return;
  const ids = [...document.querySelectorAll('.select-run:checked')].map((box) => box.value);
  link.href = `/compare?runs=${ids.join(',')}`;
  link.textContent = `Compare selected (${ids.length})`;
  link.classList.toggle('disabled', ids.length < 2);
  link.setAttribute('aria-disabled', String(ids.length < 2));
}

document.addEventListener('change', (event) => {
  if (event.target instanceof HTMLInputElement && event.target.classList.contains('select-run')) updateCompareLink();
});
// Filtering swaps the table: rows that stay keep their (preserved) boxes, the others drop out.
document.addEventListener('htmx:afterSettle', updateCompareLink);
document.addEventListener('DOMContentLoaded', updateCompareLink);
