// Validates PNG files with c2pa-rs (the C2PA reference implementation, compiled to WebAssembly as
// @contentauth/c2pa-wasm) and prints one JSON line per file:
//   {"file":..., "present":bool, "validationState":"Valid"|"Trusted"|"Invalid"|null,
//    "failure":[codes], "success":[codes], "informational":[codes], "activeManifest":label, "error":msg}
// Usage: node check.mjs [--trust-anchors ca.pem] file.png...
// Without --trust-anchors, trust is not checked (verify.verify_trust = false).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initSync, WasmReader } from '@contentauth/c2pa-wasm';

const require = createRequire(import.meta.url);
initSync({ module: readFileSync(require.resolve('@contentauth/c2pa-wasm/c2pa.wasm')) });

const args = process.argv.slice(2);
let anchors = null;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--trust-anchors') {
    anchors = readFileSync(args[++i], 'utf8');
  } else {
    files.push(args[i]);
  }
}
if (files.length === 0) {
  console.error('usage: node check.mjs [--trust-anchors ca.pem] file.png...');
  process.exit(2);
}

const settings = anchors === null
  ? { verify: { verify_trust: false } }
  : { verify: { verify_trust: true }, trust: { trust_anchors: anchors } };
// The reader's context is c2pa-rs's Settings object itself (not wrapped in {settings: ...}).
const context = JSON.stringify(settings);

const codes = (list) => (list ?? []).map((s) => s.code);
let failed = false;
for (const file of files) {
  const result = { file };
  try {
    const reader = await WasmReader.fromBytes('image/png', new Uint8Array(readFileSync(file)), context);
    const store = JSON.parse(reader.json());
    const active = store.validation_results?.activeManifest ?? {};
    result.present = true;
    result.validationState = store.validation_state ?? null;
    result.activeManifest = store.active_manifest ?? null;
    result.failure = codes(active.failure);
    result.success = codes(active.success);
    result.informational = codes(active.informational);
    reader.free();
  } catch (e) {
    result.present = !/JumbfNotFound|no JUMBF|not found/i.test(String(e));
    result.validationState = null;
    result.error = String(e?.message ?? e);
    failed = true;
  }
  console.log(JSON.stringify(result));
}
process.exitCode = failed ? 1 : 0;
