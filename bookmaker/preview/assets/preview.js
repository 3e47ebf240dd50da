// bookmaker's live preview: the book's real EPUB pages in a phone and a paged 6-inch e-reader,
// and the printed pages, kept up to date by the server's events (never by asking again and
// again). A save changes a page in place: its new body is swapped in and the reader is put back
// on the paragraph they were reading.
'use strict';

const XHTML = 'http://www.w3.org/1999/xhtml';
// What a reading system's light and dark modes paint the page with (docs/screenshots/take.js
// shows the README's pages in the same colours).
const COLOURS = {
  light: { background: '#ffffff', color: '#1d1a16' },
  dark: { background: '#121212', color: '#e6e1d8' },
};
// Elements a reader's place is remembered by: the blocks of the text, in document order.
const BLOCKS = 'p, h1, h2, h3, h4, h5, h6, li, figure, hr, blockquote, aside, dt, dd, tr, .line';
const FONT = '/fonts/';

const $ = (id) => document.getElementById(id);

const preview = {
  book: null,          // the newest snapshot the server told of
  href: null,          // the page of the book on screen
  mode: localStorage.getItem('bookmaker-preview-mode') ||
        (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'),
  contents: new Map(), // digest -> the page's XHTML (a promise), fetched once for both views
  print: { key: null },
};
window.bookmakerPreview = preview;  // for the tests and the benchmark: what the page knows

class View {
  constructor(id, width, height, paged) {
    this.iframe = $(id);
    this.width = width;
    this.height = height;
    this.paged = paged;
    this.href = null;      // the page loaded
    this.digest = null;    // and which version of it
    this.files = '';       // the stylesheet's and images' digests it was shown with
    this.page = 0;         // paged: the page shown (0-based)
    this.queue = Promise.resolve();
  }

  get document() { return this.iframe.contentDocument; }

  // Run one change at a time, in order: a save arriving mid-swap waits its turn.
  then(step) {
    this.queue = this.queue.then(step).catch((error) => console.error(error));
    return this.queue;
  }
}

const views = [new View('phone', 390, 844, false), new View('ereader', 536, 724, true)];
const ereader = views[1];

// ------------------------------------------------------------------ the server's news

function connect() {
  const events = new EventSource('/events');
  events.addEventListener('book', (event) => {
    const book = JSON.parse(event.data);
    // The pages a save changed come with the news: no request to wait for.
    for (const [digest, text] of Object.entries(book.contents || {})) {
      preview.contents.set(digest, Promise.resolve(text));
    }
    delete book.contents;
    showBook(book);
  });
  events.onerror = () => { say('Connection lost; reconnecting…'); };
}

function showBook(book) {
  const before = preview.book;
  preview.book = book;
  document.title = `${book.title || 'Preview'} · bookmaker preview`;
  $('book-title').textContent = book.title || 'Preview';
  showNavigation(book);
  showThemes(book);
  showError(book.error);
  showWarnings(book.warnings);
  const known = book.documents.some((one) => one.href === preview.href);
  if (!known) preview.href = firstPage(book);
  say(book.error ? 'Showing the last good book' : book.settled ? 'Up to date' : 'Updating…');
  const elsewhere = changedElsewhere(before, book);
  if (elsewhere.length && !book.error) say(`Up to date; also changed: ${elsewhere.join(', ')}`);
  showCurrent();
}

// The pages a snapshot changed other than the one on screen: a save there shows nothing here.
function changedElsewhere(before, book) {
  if (!before || JSON.stringify(before.files) !== JSON.stringify(book.files)) return [];
  const digests = new Map(before.documents.map((one) => [one.href, one.digest]));
  return book.documents.filter((one) => one.href !== preview.href && digests.has(one.href) &&
                               digests.get(one.href) !== one.digest)
    .map((one) => one.label).slice(0, 3);
}

function firstPage(book) {
  const wanted = decodeURIComponent(location.hash.slice(1));
  const pages = book.documents;
  if (pages.some((one) => one.href === wanted)) return wanted;
  const chapter = pages.find((one) => one.id.startsWith('chapter-'));
  return (chapter || pages[0] || { href: null }).href;
}

function current() {
  return preview.book && preview.book.documents.find((one) => one.href === preview.href);
}

function filesKey() {
  return JSON.stringify(preview.book ? preview.book.files : {});
}

function showCurrent(where = 'start') {
  const page = current();
  if (!page) return;
  history.replaceState(null, '', `#${encodeURIComponent(page.href)}`);
  $('document').value = page.href;
  // Each view shows the newest version when its turn comes, not the one of this call.
  for (const view of views) view.then(() => show(view, current() || page, where));
  showPrint(page);
}

// ------------------------------------------------------------------ the EPUB views

async function show(view, page, where) {
  if (view.href !== page.href) {
    await load(view, page, where);
  } else if (view.digest !== page.digest) {
    await refresh(view, page);
  } else if (view.files !== filesKey()) {
    const place = placeOf(view);
    dress(view);
    await settled(view);
    restore(view, place);
  }
}

function load(view, page, where) {
  return new Promise((resolve) => {
    view.iframe.addEventListener('load', async () => {
      view.href = page.href;
      view.digest = page.digest;
      dress(view);
      await settled(view);
      if (view.paged) turnTo(view, where === 'end' ? pageCount(view) - 1 : 0);
      listen(view);
      resolve();
    }, { once: true });
    view.iframe.src = `/book/${encodeURIComponent(page.href)}`;
  });
}

async function refresh(view, page) {
  const text = await contentOf(page);
  const fresh = new DOMParser().parseFromString(text, 'application/xhtml+xml');
  const doc = view.document;
  if (!fresh.body || fresh.querySelector('parsererror') || !doc || !doc.body) {
    view.href = null;
    await load(view, page, 'start');
    return;
  }
  const place = placeOf(view);
  doc.body.replaceWith(doc.importNode(fresh.body, true));
  doc.title = fresh.title;
  for (const name of ['lang', 'dir']) {
    const value = fresh.documentElement.getAttribute(name);
    if (value) doc.documentElement.setAttribute(name, value); else doc.documentElement.removeAttribute(name);
  }
  view.digest = page.digest;
  dress(view);
  await settled(view);
  restore(view, place);
  listen(view);
  view.iframe.dispatchEvent(new CustomEvent('bookmaker-refreshed'));
}

function contentOf(page) {
  if (!preview.contents.has(page.digest)) {
    preview.contents.set(page.digest, fetch(`/book/${encodeURIComponent(page.href)}?d=${page.digest}`)
      .then((answer) => answer.text()));
    while (preview.contents.size > 8) preview.contents.delete(preview.contents.keys().next().value);
  }
  return preview.contents.get(page.digest);
}

// The reading system's part: its colours, a book face, margins, and for the e-reader the pages.
function dress(view) {
  const doc = view.document;
  if (!doc || !doc.head) return;
  let style = doc.getElementById('bookmaker-reading-system');
  if (!style) {
    style = doc.createElementNS(XHTML, 'style');
    style.id = 'bookmaker-reading-system';
    doc.head.appendChild(style);
  }
  style.textContent = readingSystem(view);
  const files = preview.book.files;
  for (const link of doc.querySelectorAll('link[rel~="stylesheet"]')) {
    const href = link.getAttribute('href').split('?')[0];
    if (files[href]) link.setAttribute('href', `${href}?d=${files[href]}`);
  }
  for (const image of doc.querySelectorAll('img')) {
    const src = image.getAttribute('src').split('?')[0];
    if (files[src] && image.getAttribute('src') !== `${src}?d=${files[src]}`) {
      image.setAttribute('src', `${src}?d=${files[src]}`);
    }
  }
  view.files = filesKey();
}

function readingSystem(view) {
  const colours = COLOURS[preview.mode];
  const faces = [['Regular', 400, 'normal'], ['It', 400, 'italic'], ['Bold', 700, 'normal'],
                 ['BoldIt', 700, 'italic']]
    .map(([name, weight, slant]) => `@font-face { font-family: "Reader Serif"; src: url("${FONT}SourceSerifPro-${name}.ttf"); font-weight: ${weight}; font-style: ${slant}; }`)
    .join('\n');
  const common = `${faces}
html { background: ${colours.background} !important; color: ${colours.color} !important;
       font-family: "Reader Serif", Georgia, serif; -webkit-text-size-adjust: 100%; }
body { background: transparent !important; color: inherit !important; }
img { max-width: 100%; }`;
  if (!view.paged) {
    return `${common}
html { font-size: 17px; padding: 20px 12px 40px; }`;
  }
  const margin = 28;
  const top = 36;
  return `${common}
html { font-size: 16px; height: 100% !important; overflow: hidden !important; }
body { box-sizing: border-box !important; height: ${view.height}px !important; margin: 0 !important;
       padding: ${top}px ${margin}px !important; column-width: ${view.width - 2 * margin}px !important;
       column-gap: ${2 * margin}px !important; column-fill: auto !important; }
img { max-height: ${view.height - 2 * top - 40}px; object-fit: contain; }`;
}

// Fonts loaded and images decoded: only then do the pages have their final length.
async function settled(view) {
  const doc = view.document;
  if (!doc) return;
  await Promise.all([...doc.images].map((image) => image.decode().catch(() => {})));
  if (doc.fonts) await doc.fonts.ready;
}

function listen(view) {
  const doc = view.document;
  if (!doc || doc.bookmakerListening) return;
  doc.bookmakerListening = true;
  doc.addEventListener('keydown', keys);
  if (view.paged) {
    doc.addEventListener('click', (event) => {
      if (event.target.closest && event.target.closest('a')) return;
      const third = view.width / 3;
      if (event.clientX < third) turn(-1); else if (event.clientX > 2 * third) turn(1);
    });
    // A footnote link scrolls to its note: land on the whole page that holds it.
    doc.addEventListener('scroll', () => {
      const scroller = doc.scrollingElement;
      if (scroller.scrollLeft % view.width !== 0) turnTo(view, Math.round(scroller.scrollLeft / view.width));
    });
  }
}

// ------------------------------------------------------------------ the reader's place

function blocksOf(view) {
  const doc = view.document;
  return doc && doc.body ? [...doc.body.querySelectorAll(BLOCKS)] : [];
}

// The first block on screen, which part of it, and where it stands.
function placeOf(view) {
  const blocks = blocksOf(view);
  for (let index = 0; index < blocks.length; index += 1) {
    const rects = [...blocks[index].getClientRects()];
    const part = rects.findIndex((rect) => (view.paged
      ? rect.width > 0 && rect.right > 1 && rect.left < view.width - 1
      : rect.height > 0 && rect.bottom > 1));
    if (part >= 0) {
      return { index, part, top: rects[part].top, text: blocks[index].textContent };
    }
  }
  return null;
}

// Back to the same block: the one at the same place in the page when its text is unchanged or
// nowhere near, else the nearest with the same text (paragraphs were added or removed above).
function restore(view, place) {
  if (!place) return;
  const blocks = blocksOf(view);
  if (!blocks.length) return;
  let found = Math.min(place.index, blocks.length - 1);
  if (blocks[found].textContent !== place.text) {
    for (let distance = 1; distance < 60; distance += 1) {
      const candidates = [place.index - distance, place.index + distance];
      const hit = candidates.find((i) => i >= 0 && i < blocks.length && blocks[i].textContent === place.text);
      if (hit !== undefined) { found = hit; break; }
    }
  }
  const rects = blocks[found].getClientRects();
  if (!rects.length) return;
  const rect = rects[Math.min(place.part, rects.length - 1)];
  const scroller = view.document.scrollingElement;
  if (view.paged) {
    turnTo(view, Math.floor((rect.left + scroller.scrollLeft + 1) / view.width));
  } else {
    scroller.scrollTop += rect.top - place.top;
  }
}

// ------------------------------------------------------------------ the e-reader's pages

function pageCount(view) {
  const doc = view.document;
  if (!doc || !doc.scrollingElement) return 1;
  return Math.max(1, Math.round(doc.scrollingElement.scrollWidth / view.width));
}

function turnTo(view, page) {
  const doc = view.document;
  if (!doc || !doc.scrollingElement) return;
  view.page = Math.max(0, Math.min(page, pageCount(view) - 1));
  doc.scrollingElement.scrollLeft = view.page * view.width;
  doc.scrollingElement.scrollTop = 0;
  $('page-number').textContent = `Page ${view.page + 1} of ${pageCount(view)}`;
}

function turn(step) {
  const last = pageCount(ereader) - 1;
  if ((step > 0 && ereader.page >= last) || (step < 0 && ereader.page <= 0)) {
    go(step, step > 0 ? 'start' : 'end');
  } else {
    turnTo(ereader, ereader.page + step);
  }
}

// Another page of the book: the one before or after, starting at its start or its end.
function go(step, where = 'start') {
  const pages = preview.book ? preview.book.documents : [];
  const index = pages.findIndex((one) => one.href === preview.href) + step;
  if (index < 0 || index >= pages.length) return;
  preview.href = pages[index].href;
  showCurrent(where);
}

function keys(event) {
  if (event.target && ['SELECT', 'INPUT', 'TEXTAREA'].includes(event.target.tagName)) return;
  if (event.key === 'ArrowRight' || event.key === 'PageDown') { turn(1); event.preventDefault(); }
  if (event.key === 'ArrowLeft' || event.key === 'PageUp') { turn(-1); event.preventDefault(); }
}

// ------------------------------------------------------------------ the print view

async function showPrint(page) {
  const key = `${page.href}@${page.digest}@${filesKey()}`;
  if (preview.print.key === key) return;
  preview.print.key = key;
  const pane = $('print');
  pane.classList.add('laying-out');
  let answer;
  try {
    answer = await (await fetch(`/print/${encodeURIComponent(page.href)}.json`)).json();
  } catch (error) {
    answer = { error: 'the print view could not be reached' };
  }
  if (preview.print.key !== key) return;  // the book moved on while this was laid out
  pane.classList.remove('laying-out');
  if (answer.error) {
    $('print-note').textContent = `Print view: ${answer.error}`;
    return;
  }
  const figures = [...pane.querySelectorAll('figure')];
  answer.pages.forEach((one, number) => {
    let figure = figures[number];
    if (!figure) {
      figure = document.createElement('figure');
      figure.append(document.createElement('img'), document.createElement('figcaption'));
      pane.append(figure);
    }
    const image = figure.querySelector('img');
    // Pages are drawn as they are asked for: those in view first, the rest when scrolled to.
    image.loading = number < 2 ? 'eager' : 'lazy';
    image.width = one.width;
    image.height = one.height;
    image.alt = `Printed page ${number + 1} of ${answer.pages.length}: ${page.label}`;
    if (image.getAttribute('src') !== one.src) image.src = one.src;
    figure.querySelector('figcaption').textContent = number % 2 === 0 ? 'right-hand page' : 'left-hand page';
  });
  figures.slice(answer.pages.length).forEach((figure) => figure.remove());
  if (pane.dataset.href !== page.href) {  // another page of the book: show where it starts
    const first = pane.querySelectorAll('figure')[answer.first || 0];
    pane.scrollTop = first ? first.offsetTop - pane.offsetTop - 12 : 0;
    pane.dataset.href = page.href;
  }
  pane.dataset.digest = answer.digest;
  $('print-note').textContent = answer.note;
}

// ------------------------------------------------------------------ the controls

function showNavigation(book) {
  const select = $('document');
  const wanted = book.documents.map((one) => `${one.href}\t${one.label}`).join('\n');
  if (select.dataset.options === wanted) return;
  select.dataset.options = wanted;
  select.replaceChildren(...book.documents.map((one) => new Option(one.label, one.href)));
  if (preview.href) select.value = preview.href;
}

function showThemes(book) {
  const select = $('theme');
  const wanted = book.themes.join('\n');
  if (select.dataset.options !== wanted) {
    select.dataset.options = wanted;
    select.replaceChildren(...book.themes.map((name) => new Option(name, name)));
  }
  select.value = book.theme;
}

function showError(message) {
  $('error').hidden = !message;
  $('error-message').textContent = message || '';
}

function showWarnings(warnings) {
  $('warnings').hidden = !warnings.length;
  $('warnings-summary').textContent = warnings.length === 1 ? '1 warning' : `${warnings.length} warnings`;
  $('warnings-list').replaceChildren(...warnings.map((text) => {
    const item = document.createElement('li');
    item.textContent = text;
    return item;
  }));
}

function say(text) {
  $('status').textContent = text;
}

function setMode(mode) {
  preview.mode = mode;
  localStorage.setItem('bookmaker-preview-mode', mode);
  document.documentElement.dataset.mode = mode;
  $('mode').setAttribute('aria-pressed', String(mode === 'dark'));
  for (const view of views) {
    view.then(async () => {
      const place = placeOf(view);
      dress(view);
      await settled(view);
      restore(view, place);
    });
  }
}

// Each view as large as the window allows: side by side on a wide screen, one above the other
// on a phone, never larger than the device it stands for.
function fit() {
  const narrow = innerWidth < 960;
  document.body.classList.toggle('narrow', narrow);
  const sections = [...document.querySelectorAll('.view')];
  const size = (section) => [Number(section.dataset.width), Number(section.dataset.height)];
  if (narrow) {
    // The screen's width, not the page's (a phone widens the page to whatever overflows it).
    const screenWidth = Math.min(innerWidth, screen.width || innerWidth);
    for (const section of sections) {
      const [width] = size(section);
      section.style.setProperty('--s', Math.min(1, (screenWidth - 24) / (width + 30)).toFixed(4));
    }
    return;
  }
  const top = document.querySelector('.views').getBoundingClientRect().top + scrollY;
  const tallest = Math.max(...sections.map((section) => size(section)[1]));
  const wide = sections.reduce((sum, section) => sum + size(section)[0] + 28, 32);
  const scale = Math.max(0.4, Math.min(1, (innerHeight - top - 90) / tallest, innerWidth / wide));
  for (const section of sections) section.style.setProperty('--s', scale.toFixed(4));
}

function start() {
  document.documentElement.dataset.mode = preview.mode;
  $('mode').setAttribute('aria-pressed', String(preview.mode === 'dark'));
  $('mode').addEventListener('click', () => setMode(preview.mode === 'dark' ? 'light' : 'dark'));
  $('document').addEventListener('change', (event) => { preview.href = event.target.value; showCurrent(); });
  $('previous').addEventListener('click', () => go(-1));
  $('next').addEventListener('click', () => go(1));
  $('page-back').addEventListener('click', () => turn(-1));
  $('page-on').addEventListener('click', () => turn(1));
  $('theme').addEventListener('change', (event) => {
    say(`Switching to ${event.target.value}…`);
    fetch('/theme', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                      body: JSON.stringify({ theme: event.target.value }) });
  });
  document.addEventListener('keydown', keys);
  addEventListener('resize', fit);
  fit();
  connect();
}

start();
