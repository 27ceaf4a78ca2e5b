/**
 * Draws each `.umap-scatter` map on a canvas (10,000 SVG nodes would make hovering sluggish):
 * points coloured by true label or by seven slice, mistakes ringed; hovering shows the nearest
 * point's thumbnail, clicking opens its image view. Runs again after every htmx swap, skipping
 * maps already drawn (a map restored from htmx's history cache is a new element, drawn again).
 * The colouring lives in the page's URL (`colour=slice`), so a reload, a shared link and Back
 * show the same one. `box.umapPixel(i)` gives a point's position, for the browser test.
 */
export const LABEL_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export const SLICE_COLOURS = { crossed: '#d62728', plain: '#1f77b4', other: '#d9d9d9' };

export const SCATTER_SCRIPT = `
(() => {
  const LABEL_COLOURS = ${JSON.stringify(LABEL_COLOURS)};
  const SLICE_COLOURS = ${JSON.stringify(SLICE_COLOURS)};
  const colourInUrl = () => (new URLSearchParams(location.search).get('colour') === 'slice' ? 'slice' : 'label');
  for (const box of document.querySelectorAll('.umap-scatter')) {
    if (box.umapStarted) continue;
    box.umapStarted = true;
    box.dataset.ready = 'loading';
    const canvas = box.querySelector('canvas');
    const pen = canvas.getContext('2d');
    const tip = box.querySelector('.umap-tip');
    const select = box.querySelector('select');
    fetch(box.dataset.src).then((r) => r.json()).then((map) => {
      const n = map.labels.length;
      const crossed = new Set(map.crossedSevens);
      const pad = 6;
      let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
      for (let i = 0; i < n; i++) {
        minX = Math.min(minX, map.points[2 * i]); maxX = Math.max(maxX, map.points[2 * i]);
        minY = Math.min(minY, map.points[2 * i + 1]); maxY = Math.max(maxY, map.points[2 * i + 1]);
      }
      const px = new Float32Array(n), py = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        px[i] = pad + (canvas.width - 2 * pad) * (map.points[2 * i] - minX) / (maxX - minX || 1);
        py[i] = pad + (canvas.height - 2 * pad) * (map.points[2 * i + 1] - minY) / (maxY - minY || 1);
      }
      const wrong = (i) => map.predicted && map.predicted[i] !== map.labels[i];
      const colour = (i) => select.value === 'slice'
        ? SLICE_COLOURS[crossed.has(i) ? 'crossed' : map.labels[i] === 7 ? 'plain' : 'other']
        : LABEL_COLOURS[map.labels[i] % LABEL_COLOURS.length];
      const draw = () => {
        for (const legend of box.querySelectorAll('.umap-legend')) legend.hidden = legend.dataset.colour !== select.value;
        pen.clearRect(0, 0, canvas.width, canvas.height);
        const order = [...Array(n).keys()];
        if (select.value === 'slice') order.sort((a, b) => (map.labels[a] === 7) - (map.labels[b] === 7));
        for (const i of order) { pen.fillStyle = colour(i); pen.fillRect(px[i] - 1.5, py[i] - 1.5, 3, 3); }
        pen.strokeStyle = '#000'; pen.lineWidth = 1;
        for (let i = 0; i < n; i++) if (wrong(i)) { pen.beginPath(); pen.arc(px[i], py[i], 3.5, 0, 2 * Math.PI); pen.stroke(); }
      };
      const CELL = 8;
      const grid = new Map();
      for (let i = 0; i < n; i++) {
        const key = Math.floor(px[i] / CELL) + ',' + Math.floor(py[i] / CELL);
        if (!grid.has(key)) grid.set(key, []);
        grid.get(key).push(i);
      }
      const nearest = (x, y) => {
        let best = -1, bestDistance = CELL * CELL;
        const cx = Math.floor(x / CELL), cy = Math.floor(y / CELL);
        for (let gx = cx - 1; gx <= cx + 1; gx++) for (let gy = cy - 1; gy <= cy + 1; gy++) {
          for (const i of grid.get(gx + ',' + gy) || []) {
            const d = (px[i] - x) ** 2 + (py[i] - y) ** 2;
            if (d < bestDistance) { best = i; bestDistance = d; }
          }
        }
        return best;
      };
      // Below and right of the point, or across it where that would leave the map: on a phone the
      // map is as wide as the screen, and a tip past its edge is cut off. Measured at the left edge,
      // where it has the map's whole width to lay out in.
      const placeTip = (x, y) => {
        const stage = tip.offsetParent;
        tip.style.left = '0px';
        const [w, h] = [tip.offsetWidth, tip.offsetHeight];
        const [left, top] = [x + 12 + w <= stage.clientWidth ? x + 12 : x - 12 - w, y + 12 + h <= stage.clientHeight ? y + 12 : y - 12 - h];
        tip.style.left = Math.max(0, Math.min(left, stage.clientWidth - w)) + 'px';
        tip.style.top = Math.max(0, Math.min(top, stage.clientHeight - h)) + 'px';
      };
      const at = (e) => { const r = canvas.getBoundingClientRect(); return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height]; };
      canvas.addEventListener('mousemove', (e) => {
        const i = nearest(...at(e));
        canvas.style.cursor = i < 0 ? 'default' : 'pointer';
        if (i < 0) { tip.hidden = true; return; }
        tip.hidden = false;
        tip.querySelector('img').src = '/images/test/' + i + '.png' + (map.dataset && map.dataset !== 'mnist' ? '?dataset=' + encodeURIComponent(map.dataset) : '');
        const named = (c) => (map.classNames && map.classNames[c] !== undefined ? map.classNames[c] : c);
        tip.querySelector('span').textContent = 'image ' + i + ' · label ' + named(map.labels[i]) + (map.predicted ? ' · predicted ' + named(map.predicted[i]) : '') + (crossed.has(i) ? ' · crossed seven' : '');
        const r = canvas.getBoundingClientRect();
        placeTip(px[i] * r.width / canvas.width, py[i] * r.height / canvas.height);
      });
      canvas.addEventListener('mouseleave', () => { tip.hidden = true; });
      canvas.addEventListener('click', (e) => {
        const i = nearest(...at(e));
        if (i >= 0) location.href = box.dataset.href.replace('{index}', String(i));
      });
      select.value = colourInUrl();
      select.addEventListener('change', () => {
        const url = new URL(location.href);
        if (select.value === 'label') url.searchParams.delete('colour');
        else url.searchParams.set('colour', select.value);
        history.pushState(null, '', url);
        draw();
      });
      window.addEventListener('popstate', () => {
        if (!box.isConnected || select.value === colourInUrl()) return;
        select.value = colourInUrl();
        draw();
      });
      box.umapPixel = (i) => { const r = canvas.getBoundingClientRect(); return [r.left + px[i] * r.width / canvas.width, r.top + py[i] * r.height / canvas.height]; };
      draw();
      box.dataset.ready = 'drawn';
    });
  }
})();
`;
