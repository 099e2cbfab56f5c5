// One embedding thread of embed_pool.mjs: embeds the clips it is sent, one at a time.
import { parentPort } from 'node:worker_threads';
import { embedClip } from './inputs.mjs';

parentPort.on('message', async ({ id, input, options }) => {
  try {
    parentPort.postMessage({ id, result: await embedClip(input, options) });
  } catch (err) {
    parentPort.postMessage({ id, error: { code: err?.code, message: err?.message, stack: err?.stack } });
  }
});
