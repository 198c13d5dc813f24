// Atelier studio page: plain JS, no build step. The panels and their forms are drawn from /api/panels
// (each method describes its inputs), jobs run on the server and report over server-sent events.
'use strict';

const state = { models: [], samples: [], latents: [] };

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c);
  return e;
}

async function api(path, options) {
  const r = await fetch(path, options);
  let body = null;
  try { body = await r.json(); } catch { /* not JSON */ }
  if (!r.ok) throw new Error(body && body.error ? body.error : `request failed (HTTP ${r.status})`);
  return body;
}

function canvasBlob(canvas) {
  return new Promise((resolve, reject) => canvas.toBlob(b => b ? resolve(b) : reject(new Error('could not encode the canvas')), 'image/png'));
}

// Mouse/touch painting on a canvas; `paint(ctx, x, y, first)` in canvas pixels.
function paintable(canvas, paint) {
  let down = false, last = null;
  const pos = e => {
    const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) / r.width * canvas.width, (e.clientY - r.top) / r.height * canvas.height];
  };
  canvas.addEventListener('pointerdown', e => { down = true; last = pos(e); paint(last, last); canvas.setPointerCapture(e.pointerId); });
  canvas.addEventListener('pointermove', e => { if (!down) return; const p = pos(e); paint(last, p); last = p; });
  const up = () => { down = false; last = null; };
  canvas.addEventListener('pointerup', up);
  canvas.addEventListener('pointercancel', up);
}

function stroke(ctx, a, b, width, color) {
  ctx.strokeStyle = color; ctx.lineWidth = width; ctx.lineCap = 'round'; ctx.lineJoin = 'round';
  ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0] + 0.01, b[1]); ctx.stroke();
}

// ---- widgets: one per method input; each appends itself to the request's FormData ----

function numberField(p, onLive) {
  // An optional number starts empty (the method chooses); it is typed rather than slid, so it can stay empty.
  // Reals are slid, and so are live whole numbers (a crossover layer): each move re-runs the method.
  const isFloat = (p.kind === 'float' || (p.kind === 'int' && p.live)) && !p.optional;
  const input = el('input', { type: isFloat ? 'range' : 'number', name: p.name, min: p.min, max: p.max, step: p.step, value: p.default ?? '', placeholder: p.optional ? 'auto' : null, 'data-param': p.name });
  const out = el('output', { text: String(p.default ?? '') });
  input.addEventListener('input', () => { out.textContent = input.value; });
  if (p.live) input.addEventListener('change', onLive);
  return { node: el('div', { class: 'field' }, el('label', { text: p.label }), isFloat ? el('div', {}, input, ' ', out) : input, p.help ? el('span', { class: 'help', text: p.help }) : null),
           append: fd => fd.append(p.name, input.value),
           // Bounds the slider by the chosen generator's w+ length (p.latentsMax: offset from it).
           bound: latents => {
             if (p.latentsMax === undefined || p.latentsMax === null) return;
             const max = latents ? latents + p.latentsMax : p.max;
             input.max = max;
             if (+input.value > max) { input.value = max; out.textContent = input.value; }
           } };
}

function choiceField(p, onLive) {
  const select = el('select', { name: p.name, 'data-param': p.name }, (p.choices || []).map(c => el('option', { value: c, text: c, selected: c === p.default })));
  if (p.live) select.addEventListener('change', onLive);
  return { node: el('div', { class: 'field' }, el('label', { text: p.label }), select, p.help ? el('span', { class: 'help', text: p.help }) : null),
           append: fd => fd.append(p.name, select.value), select };
}

function textField(p) {
  const input = el('input', { type: 'text', name: p.name, value: p.default ?? '', placeholder: p.optional ? 'empty = default' : '', 'data-param': p.name });
  return { node: el('div', { class: 'field' }, el('label', { text: p.label }), input, p.help ? el('span', { class: 'help', text: p.help }) : null),
           append: fd => { if (input.value.trim() !== '') fd.append(p.name, input.value.trim()); } };
}

function boolField(p) {
  const box = el('input', { type: 'checkbox', name: p.name, checked: !!p.default, 'data-param': p.name });
  return { node: el('div', { class: 'field' }, el('label', {}, box, ' ', p.label)), append: fd => fd.append(p.name, box.checked ? 'true' : 'false') };
}

function seedField(p, onLive) {
  const input = el('input', { type: 'number', name: p.name, min: 0, max: 2147483647, value: p.default ?? 1, 'data-param': p.name });
  const bump = d => { input.value = Math.max(0, (parseInt(input.value, 10) || 0) + d); if (p.live) onLive(); };
  return { node: el('div', { class: 'field' }, el('label', { text: p.label }),
                    el('div', {}, el('button', { type: 'button', text: '◀', title: 'previous seed', onclick: () => bump(-1) }), ' ', input, ' ',
                       el('button', { type: 'button', text: '▶', title: 'next seed', class: 'next-seed', onclick: () => bump(1) }))),
           append: fd => fd.append(p.name, input.value) };
}

// The w+ length of a StyleGAN2 generator of this size (2 log2 size - 2); 0 when the model does not say.
function latentsOf(model) {
  const size = model && model.parameters && model.parameters.size;
  return size >= 8 ? 2 * Math.round(Math.log2(size)) - 2 : 0;
}

function modelField(p) {
  const kinds = p.kinds || [];
  const matching = state.models.filter(m => kinds.includes(m.kind));
  // A network built into Atelier (p.builtIn) comes after the files: a file, when there is one, is the better default.
  // The method's default (a shipped model) is preselected; other files follow in the catalogue's order.
  const options = matching.map(m => el('option', { value: m.id, text: `${m.name} (${m.architecture || m.kind})`, selected: p.default != null && m.name === p.default }));
  if (p.builtIn) options.push(el('option', { value: 'builtin', text: p.builtIn }));
  const select = el('select', { name: p.name, 'data-param': p.name },
    options.length ? options : [el('option', { value: '', text: `no ${kinds.join(' or ')} model found` })]);
  return { node: el('div', { class: 'field' }, el('label', { text: p.label }), select, p.help ? el('span', { class: 'help', text: p.help }) : null),
           append: fd => fd.append(p.name, select.value), select };
}

// A latent code for the StyleGAN edits: a seed, or an inversion this page ran (its job id).
function codeField(p) {
  const select = el('select', { 'data-code': p.name });
  const seed = el('input', { type: 'number', min: 0, max: 2147483647, value: p.default ?? 1, 'data-param': p.name });
  const fill = () => {
    const keep = select.value;
    select.replaceChildren(el('option', { value: 'seed', text: 'a seed' }),
      ...state.latents.map(l => el('option', { value: l.id, text: l.label })));
    select.value = [...select.options].some(o => o.value === keep) ? keep : 'seed';
  };
  fill();
  // A new inversion becomes the first code's choice at once.
  document.addEventListener('latents', () => { fill(); if (p.name === 'from' || p.name === 'shallow') select.value = state.latents[state.latents.length - 1].id; seed.style.display = select.value === 'seed' ? '' : 'none'; });
  select.addEventListener('change', () => { seed.style.display = select.value === 'seed' ? '' : 'none'; });
  return { node: el('div', { class: 'field' }, el('label', { text: p.label }), el('div', {}, select, ' ', seed)),
           append: fd => fd.append(p.name, select.value === 'seed' ? `seed:${seed.value}` : `job:${select.value}`) };
}

// An image input: a built-in sample or an uploaded file, shown on a canvas (which a mask may paint over).
function imageField(p) {
  const canvas = el('canvas', { width: p.sampleSize || 64, height: p.sampleSize || 64, 'data-param': p.name });
  const wrap = el('div', { class: 'canvas-wrap' }, canvas);
  const file = el('input', { type: 'file', accept: 'image/*', 'data-upload': p.name, style: 'display:none' });
  // An optional input starts as "none" and then sends nothing.
  const source = el('select', { 'data-source': p.name },
    p.optional ? el('option', { value: '__none', text: 'none', selected: true }) : null,
    state.samples.map(s => el('option', { value: s, text: `built-in: ${s}`, selected: !p.optional && s === p.sample })),
    el('option', { value: '__upload', text: 'upload a file...' }));
  const field = { node: null, canvas, wrap, overlays: [], upload: null };
  const none = () => source.value === '__none';
  wrap.style.display = p.optional ? 'none' : '';
  const display = () => {
    const scale = Math.max(1, Math.floor(256 / Math.max(canvas.width, canvas.height)));
    for (const c of [canvas, ...field.overlays]) { c.style.width = canvas.width * scale + 'px'; c.style.height = canvas.height * scale + 'px'; }
  };
  const resize = (w, h) => {
    canvas.width = w; canvas.height = h;
    for (const o of field.overlays) { o.width = w; o.height = h; if (o.reset) o.reset(); }
    display();
  };
  const loadSample = async name => {
    field.upload = null;
    const img = new Image();
    img.src = `/api/samples/${encodeURIComponent(name)}.png?size=${p.sampleSize || 64}`;
    await img.decode();
    resize(img.naturalWidth, img.naturalHeight);
    canvas.getContext('2d').drawImage(img, 0, 0);
  };
  source.addEventListener('change', () => {
    wrap.style.display = none() ? 'none' : '';
    if (none()) { file.style.display = 'none'; field.upload = null; }
    else if (source.value === '__upload') { file.style.display = ''; file.click(); }
    else { file.style.display = 'none'; loadSample(source.value); }
  });
  file.addEventListener('change', async () => {
    const f = file.files[0];
    if (!f) return;
    field.upload = f; // sent as-is: the server checks the content, and says so if it is not an image
    try {
      const bmp = await createImageBitmap(f);
      resize(bmp.width, bmp.height);
      canvas.getContext('2d').drawImage(bmp, 0, 0);
    } catch {
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#eee'; ctx.fillRect(0, 0, canvas.width, canvas.height);
    }
  });
  field.node = el('div', { class: 'field' }, el('label', { text: p.label }), source, file, wrap);
  field.append = async fd => { if (!none()) fd.append(p.name, field.upload ? field.upload : await canvasBlob(canvas), field.upload ? field.upload.name : `${p.name}.png`); };
  field.ready = p.sample && !p.optional ? loadSample(p.sample).catch(() => {}) : Promise.resolve();
  field.display = display;
  return field;
}

// A mask painted over an image field: red on screen, white-on-transparent in the request.
function maskField(p, imageField) {
  const overlay = el('canvas', { class: 'overlay', 'data-mask': p.name, width: imageField.canvas.width, height: imageField.canvas.height });
  overlay.reset = () => overlay.getContext('2d').clearRect(0, 0, overlay.width, overlay.height);
  // Several masks over one picture (the hole, and where to copy from): the strokes go to the one chosen with its
  // "paint" button (the first at the start), each in its own colour.
  const first = imageField.overlays.length === 0;
  const colour = first ? 'rgba(255,0,0,0.55)' : 'rgba(0,160,255,0.45)';
  overlay.style.pointerEvents = first ? 'auto' : 'none';
  imageField.overlays.push(overlay);
  imageField.wrap.append(overlay);
  imageField.display();
  const brush = el('input', { type: 'range', min: 1, max: 32, value: 6, 'data-brush': p.name });
  paintable(overlay, (a, b) => stroke(overlay.getContext('2d'), a, b, +brush.value, colour));
  const choose = el('button', { type: 'button', text: 'paint this', 'data-paint': p.name, 'aria-pressed': String(first), onclick: () => {
    for (const o of imageField.overlays) o.style.pointerEvents = o === overlay ? 'auto' : 'none';
    for (const b of document.querySelectorAll(`[data-paint]`)) if (b.closest('[data-method]') === choose.closest('[data-method]')) b.setAttribute('aria-pressed', String(b === choose));
  } });
  return {
    node: el('div', { class: 'field' }, el('label', { text: p.label }),
             el('span', { class: 'help', text: (p.help ? p.help + '; ' : '') + (first ? 'painted in red' : 'painted in blue') + ' on the picture' }),
             el('div', {}, 'brush ', brush, ' ', choose), el('button', { type: 'button', text: 'clear mask', onclick: overlay.reset })),
    append: async fd => {
      // Painted pixels (any alpha) become opaque white; the rest stays transparent.
      const out = el('canvas', { width: overlay.width, height: overlay.height });
      const src = overlay.getContext('2d').getImageData(0, 0, overlay.width, overlay.height);
      const octx = out.getContext('2d');
      const dst = octx.createImageData(overlay.width, overlay.height);
      for (let i = 0; i < src.data.length; i += 4) {
        const on = src.data[i + 3] > 0;
        dst.data[i] = dst.data[i + 1] = dst.data[i + 2] = on ? 255 : 0;
        dst.data[i + 3] = on ? 255 : 0;
      }
      octx.putImageData(dst, 0, 0);
      fd.append(p.name, await canvasBlob(out), `${p.name}.png`);
    },
  };
}

// A sketch: black strokes on white paper (or an uploaded drawing).
function sketchField(p) {
  const size = p.sampleSize || 256;
  const canvas = el('canvas', { class: 'sketch', width: size, height: size, 'data-sketch': p.name, style: 'border:1px solid #bbb;background:#fff' });
  const ctx = canvas.getContext('2d');
  const clear = () => { ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, canvas.width, canvas.height); };
  clear();
  // A sample to start from (e.g. a photo's sketch for pix2pix): the canvas takes its shape, and strokes go over it.
  if (p.sample) (async () => {
    const img = new Image();
    img.src = `/api/samples/${encodeURIComponent(p.sample)}.png?size=${size}`;
    await img.decode();
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    ctx.drawImage(img, 0, 0);
  })().catch(() => {});
  const pen = el('input', { type: 'range', min: 1, max: 16, value: 3 });
  paintable(canvas, (a, b) => stroke(ctx, a, b, +pen.value, '#000'));
  const file = el('input', { type: 'file', accept: 'image/*' });
  file.addEventListener('change', async () => {
    const f = file.files[0]; if (!f) return;
    try { const bmp = await createImageBitmap(f); clear(); ctx.drawImage(bmp, 0, 0, canvas.width, canvas.height); } catch { /* the server explains */ }
  });
  return {
    node: el('div', { class: 'field' }, el('label', { text: p.label }), canvas,
             el('div', {}, 'pen ', pen, ' ', el('button', { type: 'button', text: 'clear', onclick: clear })), el('span', { class: 'help', text: 'or load a drawing:' }), file),
    append: async fd => fd.append(p.name, await canvasBlob(canvas), `${p.name}.png`),
  };
}

// ---- panels ----

function renderPanel(panel, active) {
  const tab = el('button', { id: `tab-${panel.id}`, class: (active ? 'active ' : '') + (panel.available ? '' : 'unavailable'), text: panel.title });
  const section = el('section', { id: `panel-${panel.id}`, class: 'panel' + (active ? ' active' : '') });
  tab.addEventListener('click', () => {
    document.querySelectorAll('nav button').forEach(b => b.classList.remove('active'));
    document.querySelectorAll('.panel').forEach(s => s.classList.remove('active'));
    tab.classList.add('active'); section.classList.add('active');
  });
  document.getElementById('tabs').append(tab);
  document.getElementById('panels').append(section);
  section.append(el('h2', { text: panel.title }));
  if (panel.needs) section.append(el('div', { class: 'notice', text: panel.needs }));
  const usable = panel.methods.filter(m => m.available);
  if (!usable.length) return;

  const view = {
    run: el('button', { class: 'run', type: 'button', text: 'Run' }),
    cancel: el('button', { class: 'cancel', type: 'button', text: 'Cancel', disabled: true }),
    progress: el('progress', { max: 1, value: 0 }),
    status: el('span', { class: 'status' }),
    error: el('div', { class: 'error', role: 'alert' }),
    preview: el('img', { class: 'preview', alt: 'intermediate result' }),
    result: el('img', { class: 'result', alt: 'result' }),
    tiled: el('img', { class: 'result tiled', alt: 'the result tiled 2x2', title: 'tiled 2x2: a seam would show as a cross' }),
    info: el('figcaption', { class: 'info' }),
  };
  // Small results are shown enlarged (pixelated) so their texture can be seen.
  for (const img of [view.preview, view.result])
    img.addEventListener('load', () => { const k = Math.max(1, Math.min(4, Math.floor(384 / Math.max(img.naturalWidth, img.naturalHeight)))); img.style.width = img.naturalWidth * k + 'px'; });
  const previewFig = el('figure', { style: 'display:none' }, view.preview, el('figcaption', { text: 'working...' }));
  // A tileable result also comes tiled 2x2, shown beside it at the same scale.
  view.tiled.addEventListener('load', () => { const w = view.tiled.naturalWidth / 2, h = view.tiled.naturalHeight / 2; const k = Math.max(1, Math.min(4, Math.floor(384 / Math.max(w, h)))); view.tiled.style.width = 2 * w * k + 'px'; });
  const resultFig = el('figure', { style: 'display:none' }, view.result, view.tiled, view.info);
  const chooser = el('div', { class: 'methods' });
  const forms = {};
  let current = usable[0].id, job = null, rerun = false;

  const run = async () => {
    if (job) { rerun = true; return; }
    view.error.textContent = '';
    const fd = new FormData();
    const form = forms[current];
    try {
      for (const w of form.widgets) await w.append(fd);
      view.run.disabled = true;
      const snap = await api(`/api/jobs/${encodeURIComponent(current)}`, { method: 'POST', body: fd });
      job = snap.id;
      section.dataset.job = job;
      section.dataset.state = snap.state; // the new job's, not the previous one's
      view.cancel.disabled = false;
      follow(snap.id);
    } catch (e) {
      view.error.textContent = e.message;
      view.run.disabled = false;
    }
  };
  const finish = () => {
    job = null; view.run.disabled = false; view.cancel.disabled = true;
    if (rerun) { rerun = false; run(); }
  };
  const follow = id => {
    const events = new EventSource(`/api/jobs/${id}/events`);
    events.addEventListener('job', ev => {
      const s = JSON.parse(ev.data);
      section.dataset.state = s.state;
      const p = s.progress;
      view.progress.value = p ? p.fraction : 0;
      const metrics = p && p.metrics ? ' ' + Object.entries(p.metrics).map(([k, v]) => `${k}=${Number(v).toPrecision(4)}`).join(' ') : '';
      view.status.textContent = `${s.state}` + (p ? `: ${p.step}/${p.total} ${p.stage || ''}${metrics}` : '');
      if (s.previewUrl && s.state === 'running') { view.preview.src = s.previewUrl; previewFig.style.display = ''; }
      if (s.state === 'succeeded') {
        view.result.src = s.resultUrl; resultFig.style.display = ''; previewFig.style.display = 'none';
        view.tiled.style.display = s.tiledUrl ? '' : 'none';
        if (s.tiledUrl) view.tiled.src = s.tiledUrl;
        view.progress.value = 1;
        // A figure may be a group (an optimisation's losses): shown as its named parts.
        const figure = v => v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v).map(([a, b]) => `${a} ${b}`).join(' ') : v;
        view.info.textContent = s.info ? Object.entries(s.info).map(([k, v]) => `${k}: ${figure(v)}`).join(', ') : '';
        if (s.info && s.info.latent === true) {
          state.latents.push({ id: s.id, label: `${s.method.replace('stylegan.', '')} ${s.id.slice(0, 6)} (PSNR ${s.info.psnr} dB)` });
          document.dispatchEvent(new Event('latents'));
        }
      }
      if (['succeeded', 'failed', 'cancelled', 'timedout'].includes(s.state)) {
        if (s.state !== 'succeeded') view.error.textContent = `${s.state}: ${s.error || ''}`;
        events.close(); finish();
      }
    });
    events.onerror = () => { events.close(); view.error.textContent = 'lost contact with the studio'; finish(); };
  };
  view.run.addEventListener('click', run);
  view.cancel.addEventListener('click', async () => {
    if (!job) return;
    try { await api(`/api/jobs/${job}/cancel`, { method: 'POST' }); } catch (e) { view.error.textContent = e.message; }
  });

  for (const m of usable) {
    const widgets = [], images = {};
    const formNode = el('div', { class: 'form', 'data-method': m.id, style: m.id === current ? '' : 'display:none' });
    const live = () => { if (current === m.id) run(); };
    for (const p of m.params) {
      if (p.hidden) continue; // left at its default (e.g. a file on the server)
      let w;
      switch (p.kind) {
        case 'int': case 'float': w = numberField(p, live); break;
        case 'choice': w = choiceField(p, live); break;
        case 'bool': w = boolField(p); break;
        case 'text': w = textField(p); break;
        case 'seed': w = seedField(p, live); break;
        case 'model': w = modelField(p); break;
        case 'code': w = codeField(p); break;
        case 'image':
          w = imageField(p); images[p.name] = w;
          // Weighted pictures: a second, optional one and its weight (a live slider) after the first.
          if (p.mix) {
            widgets.push(w); formNode.append(w.node);
            const second = imageField(p.mix.image);
            widgets.push(second); formNode.append(second.node);
            w = numberField(p.mix.weight, live);
          }
          break;
        case 'mask': w = maskField(p, images[p.over]); break;
        case 'sketch': w = sketchField(p); break;
        default: continue;
      }
      widgets.push(w); formNode.append(w.node);
    }
    // Sliders over latents follow the generator chosen in the form.
    const model = widgets.find(w => w.select);
    if (model && widgets.some(w => w.bound)) {
      const bound = () => { const n = latentsOf(state.models.find(x => x.id === model.select.value)); widgets.forEach(w => w.bound && w.bound(n)); };
      model.select.addEventListener('change', bound);
      bound();
    }
    forms[m.id] = { widgets, node: formNode };
    if (usable.length > 1)
      chooser.append(el('label', {}, el('input', { type: 'radio', name: `method-${panel.id}`, value: m.id, checked: m.id === current,
        onchange: () => { current = m.id; for (const [id, f] of Object.entries(forms)) f.node.style.display = id === current ? '' : 'none'; } }), ' ', m.title));
  }
  const abouts = usable.filter(m => m.about).map(m => el('p', { class: 'hint', text: `${m.title}: ${m.about}` }));
  section.append(...abouts, chooser, ...Object.values(forms).map(f => f.node),
    el('div', { class: 'actions' }, view.run, view.cancel, view.progress, view.status), view.error,
    el('div', { class: 'outputs' }, previewFig, resultFig));
}

function renderModels() {
  const body = document.querySelector('#models tbody');
  body.replaceChildren(...(state.models.length ? state.models.map(m => el('tr', {},
    el('td', { text: m.name }), el('td', { text: m.architecture ? `${m.kind}: ${m.architecture}` : (m.note ? `unrecognized (${m.note})` : 'unrecognized') }),
    el('td', { text: m.format }), el('td', { text: `${(m.sizeBytes / 1048576).toFixed(1)} MB` }), el('td', { text: m.source })))
    : [el('tr', {}, el('td', { colspan: 5, text: 'No checkpoints found. Start the studio with --models DIR, or run `atelier demo` to make small ones.' }))]));
}

async function pollHealth() {
  const h = document.getElementById('health');
  try {
    const s = await api('/api/health');
    h.textContent = `connected · jobs running ${s.jobs.running}, waiting ${s.jobs.queued}`;
  } catch { h.textContent = 'not connected'; }
  setTimeout(pollHealth, 5000);
}

async function init() {
  try {
    const [panels, models, samples] = await Promise.all([api('/api/panels'), api('/api/models'), api('/api/samples')]);
    state.models = models; state.samples = samples;
    renderModels();
    panels.forEach((p, i) => renderPanel(p, i === 0));
  } catch (e) {
    document.getElementById('panels').append(el('div', { class: 'error', text: 'Could not load the studio: ' + e.message }));
  }
  document.body.dataset.ready = '1';
  pollHealth();
}

init();
