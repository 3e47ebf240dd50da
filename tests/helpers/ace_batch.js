// Ace by DAISY on many EPUBs in one Node process and one Chromium: prints one JSON line per book,
// {"path", "violations": [{"rule", "impact", "file", "description"}]}, for ace_batch.py.
// Ace (ace-core) launches and closes its axe runner for every book; the runner here launches the
// browser once and closes it after the last book, which makes a batch several times faster.
'use strict';
const os = require('os');
const fs = require('fs');
const path = require('path');
const ace = require('@daisy/ace-core');
const logger = require('@daisy/ace-logger');
const runner = require('@daisy/ace-axe-runner-puppeteer');

let launched = false;
const sharedRunner = Object.assign({}, runner, {
  launch: async () => {
    if (!launched) {
      await runner.launch();
      launched = true;
    }
  },
  close: async () => {},
});

function violations(report) {
  const found = [];
  for (const document of report.assertions || []) {
    for (const assertion of document.assertions || []) {
      const test = assertion['earl:test'] || {};
      const result = assertion['earl:result'] || {};
      found.push({
        rule: test['dct:title'],
        impact: test['earl:impact'],
        file: (document['earl:testSubject'] || {}).url,
        description: (result['dct:description'] || '').slice(0, 300),
      });
    }
  }
  return found;
}

(async () => {
  logger.initLogger({ verbose: false, silent: true });
  let failed = 0;
  for (const book of process.argv.slice(2)) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ace-'));
    try {
      const [, report] = await ace(path.resolve(book), { outdir, silent: true, jobId: '' },
                                   sharedRunner);
      console.log(JSON.stringify({ path: book, violations: violations(report) }));
    } catch (error) {
      failed += 1;
      console.log(JSON.stringify({ path: book, error: String(error && error.message || error) }));
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }
  if (launched) await runner.close();
  process.exit(failed ? 1 : 0);
})();
