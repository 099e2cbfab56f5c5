// npm test (after setup and build): every test suite, native and wasm unit
// tests through CTest, Node test files (CLI, registry, identity, browser),
// and a bounded fuzzing run. Prints one closing line "N passed, N failed".
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const totals = { passed: 0, failed: 0 };
const failedSuites = [];

function run(title, cmd, args, parse, env = {}) {
  console.log(`\n== ${title}\n$ ${cmd} ${args.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env } });
    let out = '';
    const tee = (stream) => (chunk) => { out += chunk; stream.write(chunk); };
    child.stdout.on('data', tee(process.stdout));
    child.stderr.on('data', tee(process.stderr));
    child.on('close', (code) => {
      const counts = parse(out);
      totals.passed += counts.passed;
      totals.failed += counts.failed;
      if (code !== 0 || counts.failed > 0 || counts.passed === 0) {
        failedSuites.push(title);
        if (code !== 0 && counts.failed === 0) totals.failed += 1;  // crashed or ran nothing
      }
      resolve();
    });
  });
}

function parseCtest(out) {
  const m = /(\d+)% tests passed, (\d+) tests? failed out of (\d+)/.exec(out);
  if (!m) return { passed: 0, failed: 0 };
  const total = Number(m[3]), failed = Number(m[2]);
  return { passed: total - failed, failed };
}

function parseNodeTest(out) {
  const pass = /^[#ℹ] pass (\d+)/m.exec(out);
  const fail = /^[#ℹ] fail (\d+)/m.exec(out);
  return { passed: pass ? Number(pass[1]) : 0, failed: fail ? Number(fail[1]) : 0 };
}

function testFiles(dir) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...testFiles(p));
    else if (entry.name.endsWith('.test.mjs')) found.push(path.relative(root, p));
  }
  return found.sort();
}

await run('native unit tests (Catch2)', 'ctest', ['--test-dir', 'build/native', '--output-on-failure'], parseCtest);
await run('wasm unit tests (Catch2 under Node)', 'ctest', ['--test-dir', 'build/wasm', '--output-on-failure'], parseCtest);
const files = testFiles(path.join(root, 'tests'));
await run('Node tests (CLI, registry, identity, browser)', process.execPath,
  ['--test', '--test-concurrency=1', ...files], parseNodeTest);
if (fs.existsSync(path.join(root, 'tests', 'fuzz', 'run.sh'))) {
  await run('fuzzing (bounded)', 'bash', ['tests/fuzz/run.sh'], (out) => {
    const m = /fuzz: (\d+) passed, (\d+) failed/.exec(out);
    return m ? { passed: Number(m[1]), failed: Number(m[2]) } : { passed: 0, failed: 0 };
  });
}

console.log('');
if (failedSuites.length) console.log(`failed suites: ${failedSuites.join('; ')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(failedSuites.length ? 1 : 0);
