// Screenshots of a bookmaker EPUB in a browser reading system (epub.js in headless Chromium), at
// a phone's and an e-reader's size, light and dark, for the README.
//
//   python3 -m bookmaker build manuscripts/a-new-hero.md -o /tmp/shots
//   cd docs/screenshots && PUPPETEER_SKIP_DOWNLOAD=1 npm install
//   node take.js /tmp/shots/a-new-hero.epub ..        # writes ../epub-*.png
//
// The browser is Debian's chromium (PUPPETEER_EXECUTABLE_PATH, else `chromium` on PATH). The
// book is served from 127.0.0.1 on a free port for the page: epub.js fetches it like any web
// reader would. Nothing here is part of the test run.
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');
const { execFileSync } = require('child_process');
const puppeteer = require('puppeteer-core');

const [bookPath, outDir = '..'] = process.argv.slice(2);
if (!bookPath) {
  console.error('usage: node take.js BOOK.epub [OUT_DIR]');
  process.exit(2);
}

const DEVICES = {
  // A phone held upright (CSS pixels of a 6.1" phone) and a 6" e-ink reader (Kobo Clara,
  // Kindle Paperwhite: 1072x1448 at 300 ppi, 536x724 CSS pixels at 2x), taken at 1x to keep the
  // repository small.
  phone: { width: 390, height: 844, deviceScaleFactor: 1 },
  ereader: { width: 536, height: 724, deviceScaleFactor: 1 },
};
// What a reading system's dark mode does: its own colours on the body; the book's CSS inherits
// them (links and rules use the text colour).
const THEMES = {
  light: { body: { background: '#ffffff', color: '#1d1a16' } },
  dark: { body: { background: '#121212', color: '#e6e1d8' } },
};
// The pages shown: the chapter opening (title, summary box, first paragraphs), then the title page.
const PAGES = { chapter: 'chapter-001.xhtml', title: 'title.xhtml' };

const FILES = {
  '/book.epub': [path.resolve(bookPath), 'application/epub+zip'],
  '/jszip.min.js': [require.resolve('jszip/dist/jszip.min.js'), 'text/javascript'],
  '/epub.min.js': [require.resolve('epubjs/dist/epub.min.js'), 'text/javascript'],
};

const PAGE = `<!DOCTYPE html><html><head><meta charset="utf-8">
<style>html, body { margin: 0; height: 100%; overflow: hidden; } #viewer { height: 100%; }</style>
<script src="/jszip.min.js"></script><script src="/epub.min.js"></script></head>
<body><div id="viewer"></div><script>
async function show(target, theme, colours) {
  document.body.style.background = colours.body.background;
  const book = ePub('/book.epub');
  const rendition = book.renderTo('viewer', { width: innerWidth, height: innerHeight,
                                              flow: 'paginated', spread: 'none' });
  rendition.themes.register(theme, colours);
  rendition.themes.select(theme);
  await book.ready;
  const href = book.spine.spineItems.map(item => item.href).find(h => h.endsWith(target));
  await rendition.display(href);
  await new Promise(resolve => setTimeout(resolve, 500));  // fonts and layout settle
}
</script></body></html>`;

function serve() {
  const server = http.createServer((request, response) => {
    const file = FILES[request.url];
    if (request.url === '/') {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end(PAGE);
    } else if (file) {
      response.writeHead(200, { 'Content-Type': file[1] });
      response.end(fs.readFileSync(file[0]));
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  return new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function browserPath() {
  if (process.env.PUPPETEER_EXECUTABLE_PATH) return process.env.PUPPETEER_EXECUTABLE_PATH;
  return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'])
    .toString().trim();
}

(async () => {
  const server = await serve();
  const url = `http://127.0.0.1:${server.address().port}/`;
  const browser = await puppeteer.launch({
    executablePath: browserPath(), headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--font-render-hinting=none'],
  });
  try {
    for (const [device, viewport] of Object.entries(DEVICES)) {
      for (const [theme, colours] of Object.entries(THEMES)) {
        for (const [name, target] of Object.entries(PAGES)) {
          if (name === 'title' && theme === 'dark') continue;  // one dark page per device is enough
          const page = await browser.newPage();
          await page.setViewport(viewport);
          await page.goto(url);
          await page.evaluate((t, th, c) => window.show(t, th, c), target, theme, colours);
          const file = path.join(outDir, `epub-${device}-${theme}-${name}.png`);
          await page.screenshot({ path: file });
          console.log(file);
          await page.close();
        }
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
})().catch(error => {
  console.error(error);
  process.exit(1);
});
