// A gallery's "show why" box lays each tile's attribution map over it. Maps are fetched only when
// the box is first ticked (each costs the server a model pass), then shown and hidden by a class.
function showOverlays(box) {
  const area = document.querySelector(box.dataset.target);
  if (!area) return;
  area.classList.toggle('attr-toggle-on', box.checked);
  if (!box.checked) return;
  for (const tile of area.querySelectorAll('[data-overlay]')) {
    if (tile.querySelector('img.overlay')) continue;
    const img = document.createElement('img');
    img.className = 'overlay';
    img.alt = '';
    img.src = tile.dataset.overlay;
    tile.querySelector('a')?.appendChild(img);
  }
}

document.addEventListener('change', (event) => {
  if (event.target instanceof HTMLInputElement && event.target.classList.contains('attribution-toggle')) showOverlays(event.target);
});
