// The map page's script: reads the map from the page's JSON data block, draws it with
// cytoscape (fcose force layout) and wires the controls around it. Bundled by build.sh into
// ../assets/map.js, which `map` inlines into map.html (allowed by the page's CSP by hash).
//
// Everything shown was written by a submitter: it reaches the page only as text (textContent,
// cytoscape's canvas labels), never as markup.

import cytoscape from 'cytoscape';
import fcose from 'cytoscape-fcose';

cytoscape.use(fcose);

// Okabe–Ito colours (distinguishable with the common colour-vision deficiencies), and a shape
// per type so that colour is never the only cue. Keep in step with the legend in output.rs.
const KINDS = {
  person: { colour: '#D55E00', shape: 'ellipse' },
  vehicle: { colour: '#0072B2', shape: 'round-rectangle' },
  phone: { colour: '#009E73', shape: 'diamond' },
  online: { colour: '#56B4E9', shape: 'hexagon' },
  place: { colour: '#E69F00', shape: 'triangle' },
};
const FONT = 11;
// The link type that only says two things were named in one report.
const WEAK = 'named together';

const $ = (id) => document.getElementById(id);

function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

// Letters and digits only, lower case: "yx21 kcd", "YX21KCD" and "YX 21 KCD" are one plate.
function squash(s) {
  return String(s).toLowerCase().normalize('NFKC').replace(/[^\p{L}\p{N}?]/gu, '');
}

// A UK number as typed (07700 900461, 0044 7700…) in the form the map keys it (+44…).
function phoneForms(q) {
  const d = q.replace(/\D/g, '');
  const out = [d];
  if (d.startsWith('00')) out.push(d.slice(2));
  else if (d.startsWith('0')) out.push(`44${d.slice(1)}`);
  return out.filter((x) => x.length >= 4);
}

function main() {
  const data = JSON.parse($('map-data').textContent);
  // [reference, day received, form, priority, [localities], evidence files, day it happened]
  const subs = data.submissions;
  // The timeline is by the day it happened (the day received where a report gives none).
  const EVENT = 6;
  const days = [...new Set(subs.map((s) => s[EVENT]))].sort();
  const nodes = data.nodes;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const neighbours = new Map(nodes.map((n) => [n.id, []]));
  for (const [a, b, seen, type, notes] of data.links) {
    neighbours.get(a)?.push({ id: b, seen, type, notes: notes ?? [] });
    neighbours.get(b)?.push({ id: a, seen, type, notes: notes ?? [] });
  }
  // The parts of each place: a building's flats, a street's buildings.
  const flatsOf = new Map();
  for (const n of nodes) {
    if (n.within !== null && n.within !== undefined) {
      if (!flatsOf.has(n.within)) flatsOf.set(n.within, []);
      flatsOf.get(n.within).push(n.id);
    }
  }
  const possibleOf = new Map(nodes.map((n) => [n.id, []]));
  for (const [a, b, why] of data.possible) {
    possibleOf.get(a)?.push({ id: b, why });
    possibleOf.get(b)?.push({ id: a, why });
  }
  for (const n of nodes) {
    n.search = [squash(n.label), squash(n.key), ...n.aliases.map(squash)];
    n.digits = n.kind === 'phone' ? n.key.replace(/\D/g, '') : '';
  }

  // The first drawing holds the entities marked drawn; the page also carries the listed
  // clusters' entities, found by the search and drawn one cluster at a time on request.
  const initial = nodes.filter((n) => n.drawn).map((n) => n.id);
  const drawnClusters = new Set(nodes.filter((n) => n.drawn && n.cluster !== null).map((n) => n.cluster));
  let onCanvas = new Set(initial);
  // Each entity's locality: the one its reports give most often (the first by name on a tie).
  const localityOf = new Map();
  for (const n of nodes) {
    const count = new Map();
    for (const i of n.subs) for (const l of subs[i][4]) count.set(l, (count.get(l) ?? 0) + 1);
    let best = null;
    for (const [l, c] of [...count].sort()) if (best === null || c > count.get(best)) best = l;
    localityOf.set(n.id, best);
  }
  const localityNames = [...new Set(localityOf.values())].filter((l) => l !== null).sort();
  // Entities drawn inside a box per locality (compound nodes), with the locality's name on it.
  let grouped = localityNames.length > 1;
  function elementsFor(ids) {
    const inside = new Set(ids);
    const out = [];
    if (grouped) {
      const used = new Set(ids.map((id) => localityOf.get(id)).filter((l) => l !== null));
      localityNames.forEach((l, i) => {
        if (used.has(l)) out.push({ group: 'nodes', data: { id: `g${i}`, label: l.toLowerCase().replace(/_/g, ' '), size: 0, fs: FONT + 2, gap: 0 }, classes: 'group' });
      });
    }
    for (const id of ids) {
      const n = byId.get(id);
      const l = localityOf.get(id);
      out.push({
        group: 'nodes',
        data: {
          id: `n${n.id}`,
          label: n.label,
          kind: n.kind,
          size: 14 + 5 * Math.sqrt(n.subs.length),
          fs: FONT,
          gap: 3,
          ...(grouped && l !== null ? { parent: `g${localityNames.indexOf(l)}` } : {}),
        },
      });
    }
    data.links.forEach(([a, b, seen, type], i) => {
      if (inside.has(a) && inside.has(b)) {
        // Width by weight: the number of reports that give the link.
        const width = Math.min(1 + 1.5 * Math.sqrt(seen.length), 9);
        out.push({
          group: 'edges',
          data: { id: `l${i}`, source: `n${a}`, target: `n${b}`, width, type },
          classes: type === WEAK ? 'weak' : '',
        });
      }
    });
    data.possible.forEach(([a, b], i) => {
      if (inside.has(a) && inside.has(b)) {
        out.push({ group: 'edges', data: { id: `p${i}`, source: `n${a}`, target: `n${b}` }, classes: 'possible' });
      }
    });
    return out;
  }
  const elements = elementsFor(initial);

  const style = [
    {
      selector: 'node',
      style: {
        width: 'data(size)',
        height: 'data(size)',
        'border-width': 1,
        'border-color': '#0b0c0c',
        label: '',
        'font-size': FONT,
        'font-family': 'Arial, sans-serif',
        color: '#0b0c0c',
        'text-valign': 'bottom',
        'text-margin-y': 3,
        'text-background-color': '#ffffff',
        'text-background-opacity': 0.85,
        'text-background-padding': 1,
        'min-zoomed-font-size': 7,
      },
    },
    ...Object.entries(KINDS).map(([k, v]) => ({
      selector: `node[kind = "${k}"]`,
      style: { 'background-color': v.colour, shape: v.shape },
    })),
    // Labels keep one size on screen at every zoom (font size as data, set as the zoom
    // changes), so they are as legible with 1,000 reports as with 40; which ones are shown is
    // chosen so that none overlaps another.
    { selector: 'node.labelled', style: { label: 'data(label)', 'font-size': 'data(fs)', 'text-margin-y': 'data(gap)', 'min-zoomed-font-size': 0 } },
    {
      selector: 'node.hover, node:selected',
      style: { label: 'data(label)', 'font-size': 'data(fs)', 'text-margin-y': 'data(gap)', 'z-index': 10, 'min-zoomed-font-size': 0, 'text-background-opacity': 1 },
    },
    { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#0b0c0c' } },
    { selector: 'node.match', style: { 'border-width': 4, 'border-color': '#0b0c0c', 'border-style': 'double' } },
    { selector: '.faded', style: { opacity: 0.2 } },
    { selector: '.dim', style: { opacity: 0.12 } },
    { selector: 'edge', style: { width: 'data(width)', 'line-color': '#505a5f', 'curve-style': 'haystack' } },
    { selector: 'edge.weak', style: { 'line-color': '#b1b4b6' } },
    { selector: 'edge.focus[type]', style: { label: 'data(type)', 'font-size': FONT - 1, 'text-background-color': '#ffffff', 'text-background-opacity': 1, color: '#0b0c0c' } },
    {
      selector: 'edge.possible',
      style: { 'line-style': 'dashed', 'line-dash-pattern': [6, 4], 'line-color': '#0b0c0c', width: 2, 'curve-style': 'straight' },
    },
    {
      selector: 'node.group',
      style: {
        label: 'data(label)',
        'font-size': 'data(fs)',
        'font-weight': 'bold',
        'min-zoomed-font-size': 0,
        'text-valign': 'top',
        'text-halign': 'center',
        'text-margin-y': 0,
        'background-color': '#f3f2f1',
        'background-opacity': 0.6,
        'border-width': 1,
        'border-style': 'dashed',
        'border-color': '#505a5f',
        shape: 'round-rectangle',
        padding: 12,
      },
    },
    // A locality's box stays opaque when dimmed or faded (a parent's opacity would dim the
    // entities in it); only its fill and name fade.
    { selector: 'node.group.dim, node.group.faded', style: { opacity: 1, 'background-opacity': 0.15, 'text-opacity': 0.4 } },
    { selector: '.hidden', style: { display: 'none' } },
  ];

  const cy = cytoscape({
    container: $('graph'),
    elements,
    style,
    minZoom: 0.05,
    maxZoom: 6,
    boxSelectionEnabled: false,
    layout: { name: 'preset' },
  });
  window.pisMap = { cy, data };

  // ---- Filters ------------------------------------------------------------------------------
  const state = {
    kinds: new Set(Object.keys(KINDS)),
    locality: '',
    form: '',
    priority: '',
    from: 0,
    to: Math.max(days.length - 1, 0),
    cluster: null,
    possible: true,
    weak: false,
    hops: 1,
    query: '',
  };
  // Entities merged into another in this page (hidden until the map is made again).
  const mergedAway = new Set();

  function subPasses(i) {
    const s = subs[i];
    if (state.locality && !s[4].includes(state.locality)) return false;
    if (state.form && s[2] !== state.form) return false;
    if (state.priority && s[3] !== state.priority) return false;
    const d = s[EVENT];
    return !days.length || (d >= days[state.from] && d <= days[state.to]);
  }

  let visible = new Set();
  let passing = subs.map(() => true);
  function nodePasses(n) {
    return state.kinds.has(n.kind) && n.subs.some((i) => passing[i]);
  }
  function apply() {
    passing = subs.map((_, i) => subPasses(i));
    visible = new Set();
    for (const n of nodes) {
      if (!onCanvas.has(n.id) || mergedAway.has(n.id)) continue;
      if (!state.kinds.has(n.kind)) continue;
      if (state.cluster !== null && n.cluster !== state.cluster) continue;
      if (n.subs.some((i) => passing[i])) visible.add(n.id);
    }
    let links = 0;
    let possible = 0;
    cy.batch(() => {
      for (const n of nodes) cy.getElementById(`n${n.id}`).toggleClass('hidden', !visible.has(n.id));
      cy.nodes('.group').forEach((g) => g.toggleClass('hidden', g.children().not('.hidden').empty()));
      data.links.forEach(([a, b, seen, type], i) => {
        const show = visible.has(a) && visible.has(b) && (state.weak || type !== WEAK) && seen.some((s) => passing[s]);
        if (show) links += 1;
        cy.getElementById(`l${i}`).toggleClass('hidden', !show);
      });
      data.possible.forEach(([a, b], i) => {
        const show = state.possible && visible.has(a) && visible.has(b);
        if (show) possible += 1;
        cy.getElementById(`p${i}`).toggleClass('hidden', !show);
      });
    });
    const from = days[state.from] ?? '';
    const to = days[state.to] ?? '';
    $('range-label').textContent = days.length ? `${from} to ${to}` : 'no dates';
    const status = `Showing ${visible.size} of ${onCanvas.size} entities, ${links} links and ${possible} possible links.`;
    $('status').textContent = status;
    $('graph').dataset.drawn = String(visible.size);
    drawTimeline(passing);
    runSearch();
    const shown = cy.nodes().not('.hidden');
    if (shown.length) cy.fit(shown, 30);
    if (selected !== null) focus(selected);
    scheduleLabels();
  }

  // ---- Focus: the selected entity's neighbourhood (one or two steps), the rest dimmed -------
  let selected = null;
  function focus(id) {
    selected = id;
    cy.batch(() => {
      cy.elements().removeClass('dim focus');
      if (id === null) return;
      const node = cy.getElementById(`n${id}`);
      if (!node.length || node.hasClass('hidden')) return;
      let near = node.closedNeighborhood().not('.hidden');
      if (state.hops === 2) near = near.union(near.nodes().neighborhood().not('.hidden'));
      near = near.union(near.nodes().edgesWith(near.nodes()).not('.hidden'));
      cy.elements().not(near).addClass('dim');
      near.edges().addClass('focus');
    });
  }

  // ---- Timeline: submissions per day, the chosen range highlighted --------------------------
  function drawTimeline(passing) {
    const svg = $('timeline');
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const counts = days.map(() => 0);
    const shown = days.map(() => 0);
    const index = new Map(days.map((d, i) => [d, i]));
    subs.forEach((s, i) => {
      const k = index.get(s[EVENT]);
      counts[k] += 1;
      if (passing[i]) shown[k] += 1;
    });
    const max = Math.max(1, ...counts);
    const w = 600 / Math.max(days.length, 1);
    const ns = 'http://www.w3.org/2000/svg';
    days.forEach((d, i) => {
      for (const [n, fill] of [[counts[i], '#b1b4b6'], [shown[i], '#0072B2']]) {
        const r = document.createElementNS(ns, 'rect');
        const h = Math.max(n ? 2 : 0, (n / max) * 60);
        r.setAttribute('x', String(i * w));
        r.setAttribute('y', String(60 - h));
        r.setAttribute('width', String(Math.max(w - 1, 1)));
        r.setAttribute('height', String(h));
        r.setAttribute('fill', fill);
        svg.appendChild(r);
      }
    });
  }

  // ---- Labels: readable ones only, never on top of each other -------------------------------
  // Priority by how often an entity is seen; a label is shown when its box (on screen) does not
  // overlap one already placed. The hovered and the selected node always show theirs.
  let labelTimer = 0;
  function scheduleLabels() {
    clearTimeout(labelTimer);
    labelTimer = setTimeout(placeLabels, 60);
  }
  function placeLabels() {
    const zoom = cy.zoom();
    const px = FONT;
    const placed = [];
    const order = cy
      .nodes()
      .not('.hidden')
      .not('.group')
      .sort((a, b) => b.degree() - a.degree() || b.data('size') - a.data('size'));
    cy.batch(() => {
      cy.nodes().removeClass('labelled');
      cy.nodes().not('.group').data({ fs: FONT / zoom, gap: 3 / zoom });
      cy.nodes('.group').data({ fs: (FONT + 2) / zoom });
      const extent = cy.extent();
      for (const n of order) {
        const p = n.position();
        if (p.x < extent.x1 || p.x > extent.x2 || p.y < extent.y1 || p.y > extent.y2) continue;
        const rp = n.renderedPosition();
        const half = (n.data('label').length * px * 0.55) / 2 + 2;
        const top = rp.y + (n.data('size') * zoom) / 2 + 2;
        const box = [rp.x - half, top, rp.x + half, top + px * 1.3];
        // The node's own disc counts as taken, so a label never covers another node either.
        if (placed.some((b) => b[0] < box[2] && box[0] < b[2] && b[1] < box[3] && box[1] < b[3])) continue;
        placed.push(box);
        n.addClass('labelled');
        if (placed.length > 400) break;
      }
    });
  }
  cy.on('viewport', scheduleLabels);
  cy.on('mouseover', 'node', (e) => e.target.addClass('hover'));
  cy.on('mouseout', 'node', (e) => e.target.removeClass('hover'));

  // ---- Search ------------------------------------------------------------------------------
  function matches(n, q) {
    const s = squash(q);
    if (!s) return false;
    if (n.search.some((x) => x.includes(s))) return true;
    return n.kind === 'phone' && phoneForms(q).some((d) => n.digits.includes(d));
  }
  function runSearch() {
    const q = state.query.trim();
    const list = $('results');
    list.replaceChildren();
    cy.batch(() => {
      cy.elements().removeClass('match faded');
      if (!q) return;
      const found = nodes.filter((n) => visible.has(n.id) && matches(n, q));
      // Entities of the listed clusters (not drawn now) that pass the same filters.
      const elsewhere = nodes.filter((n) => !onCanvas.has(n.id) && n.cluster !== null && nodePasses(n) && matches(n, q));
      $('results-count').textContent = elsewhere.length
        ? `${found.length} found in the drawing, ${elsewhere.length} in clusters not drawn`
        : `${found.length} found`;
      for (const n of found.slice(0, 50)) {
        const li = el('li');
        const b = el('button', `${n.label} (${n.kind})`, { type: 'button', class: 'link' });
        b.addEventListener('click', () => select(n.id));
        li.appendChild(b);
        list.appendChild(li);
        cy.getElementById(`n${n.id}`).addClass('match');
      }
      for (const n of elsewhere.slice(0, 50)) {
        const li = el('li', null, { class: 'elsewhere' });
        const b = el('button', `${n.label} (${n.kind}), cluster ${n.cluster + 1}: draw it`, { type: 'button', class: 'link' });
        b.addEventListener('click', () => select(n.id));
        li.appendChild(b);
        list.appendChild(li);
      }
      if (found.length) {
        cy.elements().not('.hidden').not('.match').addClass('faded');
      }
    });
    if (!q) $('results-count').textContent = '';
  }

  // ---- The workspace: the analyst's merges and splits, exported as a file ----------------
  // Decisions read from the workspace `map` was given, and those made in this page after them.
  const workspace = data.workspace;
  const made = [];
  // An entity's identities (kind:key), one per entity joined into it.
  const identities = (n) => (n.members.length ? n.members : [n.key]).map((k) => `${n.kind}:${k}`);
  function showDecisions() {
    const list = $('decisions');
    list.replaceChildren();
    for (const d of made) {
      list.appendChild(el('li', d.text));
    }
    const before = workspace.decisions.length;
    $('workspace-status').textContent = made.length
      ? `${made.length} new decision${made.length === 1 ? '' : 's'} or notes in this page (and ${before} decisions from the workspace file). Export the workspace to keep them.`
      : `${before} decision${before === 1 ? '' : 's'} from the workspace file; none new.`;
  }
  function merge(keep, into) {
    const a = byId.get(keep);
    const b = byId.get(into);
    made.push({ decision: { action: 'merge', members: [...identities(a), ...identities(b)] }, text: `Merged ${b.label} into ${a.label}` });
    // Drawn as one from the next run; here the second is put out of the drawing.
    mergedAway.add(b.id);
    showDecisions();
    apply();
    select(a.id);
  }
  function split(id, member) {
    const n = byId.get(id);
    made.push({ decision: { action: 'split', member: `${n.kind}:${member}` }, text: `Split ${member} out of ${n.label}` });
    showDecisions();
    select(id);
  }
  $('export').addEventListener('click', () => {
    // Everything the workspace held (the packs made, too), with this page's additions.
    const out = {
      ...workspace,
      decisions: [...workspace.decisions, ...made.filter((m) => m.decision).map((m) => m.decision)],
      notes: [...workspace.notes, ...made.filter((m) => m.note).map((m) => m.note)],
    };
    // A download made in the page: nothing leaves the machine, and the CSP allows no request.
    const blob = new Blob([`${JSON.stringify(out, null, 2)}\n`], { type: 'application/json' });
    const a = el('a', null, { href: URL.createObjectURL(blob), download: 'workspace.json' });
    document.body.appendChild(a);
    a.click();
    a.remove();
    $('workspace-status').textContent = `Workspace exported with ${out.decisions.length} decisions and ${out.notes.length} notes: run map again with --workspace and that file.`;
  });
  showDecisions();
  let marked = null;

  // ---- The panel: one entity, its references, dates, roles and links ------------------------
  function entityButton(m, text) {
    const b = el('button', text ?? `${m.label} (${m.kind})`, { type: 'button', class: 'link' });
    b.addEventListener('click', () => select(m.id));
    return b;
  }
  function panelList(panel, title, items, render, empty = 'none') {
    panel.appendChild(el('h3', `${title} (${items.length})`));
    const ul = el('ul');
    for (const item of items.slice(0, 100)) {
      const li = el('li');
      render(li, item);
      ul.appendChild(li);
    }
    if (!items.length) ul.appendChild(el('li', empty));
    panel.appendChild(ul);
  }
  function select(id) {
    const n = byId.get(id);
    if (!n) return;
    // An entity of a listed cluster: that cluster is drawn first.
    if (!onCanvas.has(id) && n.cluster !== null) focusCluster(n.cluster);
    const node = cy.getElementById(`n${id}`);
    cy.nodes().unselect();
    if (!node.hasClass('hidden')) {
      node.select();
      cy.animate({ center: { eles: node }, duration: 200 });
    }
    focus(id);
    const panel = $('panel');
    panel.replaceChildren();
    $('panel-fold').open = true;
    const h = el('h2', n.label, { tabindex: '-1', id: 'panel-heading' });
    panel.appendChild(h);
    const dl = el('dl');
    const files = (k) => `${k} evidence file${k === 1 ? '' : 's'}`;
    const evidence = n.subs.reduce((sum, i) => sum + (subs[i][5] || 0), 0);
    const within = n.within !== null && n.within !== undefined ? byId.get(n.within) : null;
    const rows = [
      ['Type', n.kind],
      ['Known as', n.aliases.length ? n.aliases.join(', ') : null],
      [within && within.key.startsWith('street:') ? 'On street' : 'In building', within ? within.label : null],
      ['Seen in', `${n.subs.length} submission${n.subs.length === 1 ? '' : 's'}`],
      ['Evidence', `${files(evidence)} in those submissions`],
      ['First seen', n.first],
      ['Last seen', n.last],
      ['Roles', n.roles.length ? n.roles.join(', ') : 'none given'],
      ['Localities', n.localities.length ? n.localities.join(', ') : 'none'],
      ['Cluster', n.cluster === null ? 'none' : `${n.cluster + 1}`],
    ];
    for (const [k, v] of rows) {
      if (v === null) continue;
      dl.appendChild(el('dt', k));
      dl.appendChild(el('dd', v));
    }
    panel.appendChild(dl);
    // The analyst's notes: from the workspace, and added here (kept by exporting it).
    const mine = made.filter((m) => m.note && m.note.about.length === 1 && identities(n).includes(m.note.about[0])).map((m) => m.note.text);
    const notes = [...n.notes, ...mine];
    panelList(panel, 'Notes', notes, (li, t) => li.appendChild(document.createTextNode(t)));
    // Typed links first, then by weight.
    const linked = [...(neighbours.get(id) ?? [])].sort((a, b) => (a.type === WEAK) - (b.type === WEAK) || b.seen.length - a.seen.length);
    // A note is on this entity, or on one of its links (named by the identities of its ends).
    const about = el('select', null, { id: 'note-about' });
    about.appendChild(el('option', `${n.label} itself`, { value: '' }));
    linked.slice(0, 100).forEach((l, i) => about.appendChild(el('option', `the link to ${byId.get(l.id).label} (${l.type})`, { value: String(i) })));
    panel.appendChild(el('label', 'Note on', { for: 'note-about' }));
    panel.appendChild(about);
    const noteBox = el('textarea', null, { id: 'note-text', rows: '2', maxlength: '5000' });
    panel.appendChild(el('label', 'Add a note (kept in the workspace, carried into the exports)', { for: 'note-text' }));
    panel.appendChild(noteBox);
    const save = el('button', 'Save note', { type: 'button' });
    save.addEventListener('click', () => {
      const text = noteBox.value.trim();
      if (!text) return;
      const l = about.value === '' ? null : linked[Number(about.value)];
      if (l) {
        const m = byId.get(l.id);
        made.push({ note: { about: [identities(n)[0], identities(m)[0]], text }, text: `Note on the link ${n.label} – ${m.label}` });
      } else {
        made.push({ note: { about: [identities(n)[0]], text }, text: `Note on ${n.label}` });
      }
      showDecisions();
      select(id);
    });
    panel.appendChild(save);
    if (n.evidence.length) {
      panel.appendChild(el('h3', 'Why these are one'));
      const ul = el('ul', null, { class: 'evidence' });
      for (const e of n.evidence) ul.appendChild(el('li', e));
      panel.appendChild(ul);
    }
    if (n.members.length > 1) {
      panelList(panel, 'Joined from', n.members, (li, m) => {
        li.appendChild(document.createTextNode(m));
        const b = el('button', 'Split out', { type: 'button', class: 'small', 'aria-label': `Split ${m} out of ${n.label}` });
        b.addEventListener('click', () => split(id, m));
        li.appendChild(b);
      });
    }
    const parts = (flatsOf.get(id) ?? []).map((f) => byId.get(f));
    if (parts.length) {
      panelList(panel, n.key.startsWith('street:') ? 'Buildings in this street' : 'Flats in this building', parts, (li, f) => {
        li.appendChild(entityButton(f, f.label));
        const inner = (flatsOf.get(f.id) ?? []).length;
        if (inner) li.appendChild(document.createTextNode(` (${inner} flat${inner === 1 ? '' : 's'})`));
      });
    }
    panel.appendChild(el('h3', 'References'));
    const refs = el('ul', null, { class: 'refs' });
    for (const i of [...n.subs].sort((a, b) => subs[a][EVENT].localeCompare(subs[b][EVENT]))) {
      const [ref, day, form, priority, , attached, happened] = subs[i];
      const rest = ` · ${happened === day ? `received ${day}` : `happened ${happened}, received ${day}`} · ${form} · ${priority} · ${files(attached || 0)}`;
      const li = el('li');
      // With `map --reports`, each reference opens its report, written beside the map.
      const safe = String(ref).replace(/[^A-Za-z0-9-]/g, '');
      li.appendChild(data.reports && safe ? el('a', ref, { href: `reports/${safe}.html`, class: 'link' }) : document.createTextNode(ref));
      li.appendChild(document.createTextNode(rest));
      refs.appendChild(li);
    }
    panel.appendChild(refs);
    // A link's notes: from the workspace, and added here (about its two ends, either way round).
    const linkNotes = (l) => {
      const mineHere = identities(n);
      const theirs = identities(byId.get(l.id));
      const added = made.filter((m) => m.note && m.note.about.length === 2 && m.note.about.some((x) => mineHere.includes(x)) && m.note.about.some((x) => theirs.includes(x)));
      return [...l.notes, ...added.map((m) => m.note.text)];
    };
    panelList(panel, 'Linked', linked, (li, l) => {
      li.appendChild(document.createTextNode(`${l.type}: `));
      li.appendChild(entityButton(byId.get(l.id)));
      li.appendChild(document.createTextNode(` in ${l.seen.length} report${l.seen.length === 1 ? '' : 's'} (${l.seen.map((s) => subs[s][0]).join(', ')})`));
      for (const t of linkNotes(l)) li.appendChild(el('p', `Note: ${t}`, { class: 'link-note' }));
    });
    const poss = (possibleOf.get(id) ?? []).filter((p) => !mergedAway.has(p.id));
    panelList(panel, 'Possible links', poss, (li, p) => {
      const m = byId.get(p.id);
      li.appendChild(entityButton(m));
      li.appendChild(document.createTextNode(`: ${p.why}`));
      const b = el('button', 'Merge', { type: 'button', class: 'small merge', 'aria-label': `Merge ${m.label} into ${n.label}` });
      b.addEventListener('click', () => merge(id, p.id));
      li.appendChild(b);
    });
    // Any two entities can be merged: mark one, then merge another into it.
    if (marked !== null && marked !== id && byId.has(marked)) {
      const b = el('button', `Merge into ${byId.get(marked).label}`, { type: 'button' });
      b.addEventListener('click', () => {
        const into = marked;
        marked = null;
        merge(into, id);
      });
      panel.appendChild(b);
    } else {
      const b = el('button', marked === id ? 'Marked: select another entity to merge it into this one' : 'Mark to merge another into this one', { type: 'button' });
      b.addEventListener('click', () => {
        marked = id;
        select(id);
      });
      panel.appendChild(b);
    }
    if (n.cluster !== null) {
      const b = el('button', `Show only cluster ${n.cluster + 1}`, { type: 'button' });
      b.addEventListener('click', () => focusCluster(n.cluster));
      panel.appendChild(b);
    }
    panel.hidden = false;
    h.focus({ preventScroll: true });
  }
  cy.on('tap', 'node', (e) => {
    if (!e.target.hasClass('group')) select(Number(e.target.id().slice(1)));
  });

  // Positions of the first drawing while a listed cluster is drawn instead, to go back to.
  let saved = null;
  function spiral(eles) {
    // A fixed start (randomize: false from a spiral) so the same map draws the same picture;
    // grouped by locality, a spiral per locality, the localities side by side on a grid, so
    // the layout starts with their boxes apart.
    const groups = new Map();
    eles.forEach((n) => {
      const g = grouped ? (n.data('parent') ?? '') : '';
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(n);
    });
    const largest = Math.max(1, ...[...groups.values()].map((g) => g.length));
    const step = 2 * 20 * Math.sqrt(largest + 0.5) + 80;
    const columns = Math.ceil(Math.sqrt(groups.size));
    [...groups.values()].forEach((members, k) => {
      const cx = (k % columns) * step;
      const cy0 = Math.floor(k / columns) * step;
      members.forEach((n, i) => {
        const a = i * 2.399963;
        const r = 20 * Math.sqrt(i + 0.5);
        n.position({ x: cx + r * Math.cos(a), y: cy0 + r * Math.sin(a) });
      });
    });
  }
  function setCanvas(ids, positions) {
    cy.batch(() => {
      cy.elements().remove();
      cy.add(elementsFor(ids));
    });
    onCanvas = new Set(ids);
    if (positions) cy.nodes().not('.group').forEach((n) => n.position(positions.get(n.id()) ?? { x: 0, y: 0 }));
    else spiral(cy.nodes().not('.group'));
  }

  function focusCluster(c) {
    if (c !== null && !drawnClusters.has(c)) {
      // A listed cluster: drawn on its own in place of the first drawing.
      if (!saved) saved = new Map(cy.nodes().not('.group').map((n) => [n.id(), { ...n.position() }]));
      setCanvas(nodes.filter((n) => n.cluster === c).map((n) => n.id), null);
    } else if (saved) {
      setCanvas(initial, saved);
      saved = null;
    }
    state.cluster = c;
    $('cluster').value = c === null ? '' : String(c);
    apply();
    if (c !== null) {
      cy.elements().not('.hidden').layout({ name: 'fcose', animate: false, randomize: false, fit: true, padding: 30, nodeRepulsion: 6000, idealEdgeLength: 70 }).run();
      scheduleLabels();
    }
  }

  // ---- Controls ----------------------------------------------------------------------------
  $('search').addEventListener('input', (e) => {
    state.query = e.target.value;
    runSearch();
  });
  for (const box of document.querySelectorAll('input[name="kind"]')) {
    box.addEventListener('change', () => {
      if (box.checked) state.kinds.add(box.value);
      else state.kinds.delete(box.value);
      apply();
    });
  }
  for (const [id, key] of [['locality', 'locality'], ['form', 'form'], ['priority', 'priority']]) {
    $(id).addEventListener('change', (e) => {
      state[key] = e.target.value;
      apply();
    });
  }
  const from = $('from');
  const to = $('to');
  for (const r of [from, to]) {
    r.max = String(state.to);
    r.setAttribute('aria-valuetext', '');
  }
  from.value = '0';
  to.value = String(state.to);
  function range() {
    let a = Number(from.value);
    let b = Number(to.value);
    if (a > b) [a, b] = [b, a];
    state.from = a;
    state.to = b;
    from.setAttribute('aria-valuetext', days[Number(from.value)] ?? '');
    to.setAttribute('aria-valuetext', days[Number(to.value)] ?? '');
    apply();
  }
  from.addEventListener('input', range);
  to.addEventListener('input', range);
  $('cluster').addEventListener('change', (e) => focusCluster(e.target.value === '' ? null : Number(e.target.value)));
  $('possible').addEventListener('change', (e) => {
    state.possible = e.target.checked;
    apply();
  });
  $('reset').addEventListener('click', () => {
    cy.nodes().unselect();
    $('panel').hidden = true;
    focus(null);
    focusCluster(null);
  });
  $('weak').addEventListener('change', (e) => {
    state.weak = e.target.checked;
    apply();
  });
  $('hops').addEventListener('change', (e) => {
    state.hops = Number(e.target.value);
    if (selected !== null) focus(selected);
  });
  cy.on('tap', (e) => {
    if (e.target === cy) focus(null);
  });
  for (const b of document.querySelectorAll('button[data-cluster]')) {
    b.addEventListener('click', () => focusCluster(Number(b.dataset.cluster)));
  }

  // Grouping by locality on or off: the same entities drawn again and laid out afresh.
  $('group').checked = grouped;
  $('group').disabled = localityNames.length < 2;
  $('group').addEventListener('change', (e) => {
    grouped = e.target.checked;
    const ids = [...onCanvas];
    setCanvas(ids, null);
    apply();
    cy.elements().not('.hidden').not('edge.weak').layout({ name: 'fcose', animate: false, randomize: false, fit: true, padding: 30, nodeRepulsion: 6000, idealEdgeLength: 60 }).run();
    scheduleLabels();
  });

  // ---- First drawing -----------------------------------------------------------------------
  spiral(cy.nodes().not('.group'));
  // Laid out by the typed links: the weak ones (hidden at first) would pull every locality's
  // box into the others.
  const layout = cy.elements().not('edge.weak').layout({
    name: 'fcose',
    quality: initial.length > 800 ? 'draft' : 'default',
    randomize: false,
    animate: false,
    nodeRepulsion: 6000,
    idealEdgeLength: 60,
    packComponents: true,
    padding: 30,
  });
  layout.one('layoutstop', () => {
    range();
    document.body.dataset.ready = 'true';
  });
  layout.run();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main);
else main();
