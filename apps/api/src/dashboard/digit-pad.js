// @ts-check
// A canvas to draw a digit on (mouse, pen or finger: pointer events) and the run's answer for it: the
// predicted class and the ten class probabilities as bars, asked again shortly after each stroke changes
// (debounced) through POST /v1/runs/:id/predict with the drawing as a PNG, which the API converts as
// MNIST was made (the digit can be drawn anywhere on the pad, at any size). tfjs-examples' MNIST demo is
// what people expect of it.
import { predictImage } from './api.js';
import { el } from './dom.js';

/** @typedef {import('./api.js').Prediction} Prediction */

const SIDE = 280;
const STROKE = 22;
const DEBOUNCE_MS = 250;

/**
 * The pad for one run; `enable(true)` once the run has kept weights (until then it explains why not).
 * @param {string} runId
 * @returns {{ element: HTMLElement, enable: (on: boolean) => void }}
 */
export function digitPad(runId) {
  const canvas = el('canvas', {
    id: 'digit-canvas',
    class: 'digit-canvas',
    width: String(SIDE),
    height: String(SIDE),
    role: 'img',
    'aria-label': 'Drawing pad: draw one digit with the mouse, a pen or a finger',
  });
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  const clear = el('button', { type: 'button', class: 'button', id: 'digit-clear' }, 'Clear');
  const predicted = el('output', { id: 'digit-class', class: 'digit-class', 'aria-live': 'polite' }, '–');
  const note = el('p', { id: 'digit-note', class: 'summary' }, 'Draw a digit on the pad.');
  const bars = Array.from({ length: 10 }, (_, c) => {
    const fill = el('span', { class: 'digit-bar-fill' });
    const value = el('span', { class: 'digit-bar-value' }, '–');
    const row = el(
      'li',
      { class: 'digit-bar', 'data-class': String(c) },
      el('span', { class: 'digit-bar-label' }, String(c)),
      el('span', { class: 'digit-bar-track' }, fill),
      value,
    );
    return { row, fill, value };
  });
  const body = el(
    'div',
    { class: 'digit-pad', hidden: true },
    el('div', {}, canvas, el('div', { class: 'actions' }, clear)),
    el(
      'div',
      { class: 'digit-answer' },
      el('p', {}, 'Predicted: ', predicted),
      el(
        'ol',
        { class: 'digit-bars', start: '0', 'aria-label': 'Probability of each class' },
        bars.map((b) => b.row),
      ),
      note,
    ),
  );
  const waiting = el('p', {}, 'The pad opens once this run has kept weights (after its first epoch).');
  const element = el(
    'section',
    { 'aria-labelledby': 'digit-h', id: 'digit-section' },
    el('h2', { id: 'digit-h' }, 'Draw a digit'),
    waiting,
    body,
  );

  let drawing = false;
  let inked = false;
  let asked = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;

  const blank = () => {
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, SIDE, SIDE);
    inked = false;
    asked++; // an answer still on its way is for the old drawing
    predicted.textContent = '–';
    for (const b of bars) {
      b.fill.style.width = '0';
      b.value.textContent = '–';
      b.row.classList.remove('top');
    }
    note.textContent = 'Draw a digit on the pad.';
  };
  blank();
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.lineWidth = STROKE;
  ctx.strokeStyle = '#000000';

  /** @param {PointerEvent} e */
  const at = (e) => {
    const box = canvas.getBoundingClientRect();
    return [((e.clientX - box.left) * SIDE) / box.width, ((e.clientY - box.top) * SIDE) / box.height];
  };
  canvas.addEventListener('pointerdown', (e) => {
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    const [x, y] = at(e);
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x, y);
    ctx.stroke();
    inked = true;
    schedule();
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    const [x, y] = at(e);
    ctx.lineTo(x, y);
    ctx.stroke();
    schedule();
  });
  const end = () => {
    drawing = false;
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  clear.addEventListener('click', blank);

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(ask, DEBOUNCE_MS);
  }

  async function ask() {
    if (!inked) return;
    const id = ++asked;
    const png = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!png) return;
    try {
      const answer = await predictImage(runId, png);
      if (id === asked) show(answer);
    } catch (err) {
      if (id === asked) note.textContent = `No prediction: ${/** @type {Error} */ (err).message}`;
    }
  }

  /** @param {Prediction} p */
  function show(p) {
    predicted.textContent = String(p.class);
    p.probabilities.forEach((v, c) => {
      const b = bars[c];
      if (!b) return;
      b.fill.style.width = `${(100 * v).toFixed(1)}%`;
      b.value.textContent = `${(100 * v).toFixed(1)}%`;
      b.row.classList.toggle('top', c === p.class);
    });
    const c = p.conversion;
    note.textContent = c
      ? `Read as MNIST: the ${c.box.width}×${c.box.height} ink box scaled by ${c.scale} to fit 20×20, its centre of mass centred (shifted ${c.shift.x}, ${c.shift.y}).`
      : '';
  }

  return {
    element,
    enable(on) {
      body.hidden = !on;
      waiting.hidden = on;
    },
  };
}
