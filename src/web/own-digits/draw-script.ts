/**
 * The canvas pen, inline in the page; a 24 px pen on 280 px comes out near MNIST's 2-3 px strokes.
 * Each finished stroke refreshes the hidden `drawing` field with the canvas as a PNG, so the form
 * needs no submit hook and also works without htmx. The server reads a chosen file before a
 * drawing, so whichever the person gave last clears the other: a stroke empties the file input,
 * a chosen file wipes the canvas.
 */
export const DRAW_SCRIPT = `
(() => {
  const canvas = document.getElementById('digit-canvas');
  const field = document.getElementById('digit-drawing');
  const file = document.querySelector('#digit-form input[type=file]');
  const pen = canvas.getContext('2d');
  const clear = () => { pen.fillStyle = '#fff'; pen.fillRect(0, 0, canvas.width, canvas.height); field.value = ''; };
  const at = (e) => { const r = canvas.getBoundingClientRect(); return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height]; };
  let last = null;
  clear();
  pen.lineWidth = 24; pen.lineCap = 'round'; pen.lineJoin = 'round'; pen.strokeStyle = '#000';
  canvas.addEventListener('pointerdown', (e) => { canvas.setPointerCapture(e.pointerId); last = at(e); });
  canvas.addEventListener('pointermove', (e) => {
    if (!last) return;
    const next = at(e);
    pen.beginPath(); pen.moveTo(...last); pen.lineTo(...next); pen.stroke();
    last = next;
  });
  const end = () => { if (last) { field.value = canvas.toDataURL('image/png'); file.value = ''; } last = null; };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  document.getElementById('digit-clear').addEventListener('click', clear);
  file.addEventListener('change', () => { if (file.files.length > 0) clear(); });
})();
`;
