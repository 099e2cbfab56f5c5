// One ffmpeg.wasm extraction in Chromium: @ffmpeg/core (the single-threaded
// core that @ffmpeg/ffmpeg loads) driven directly, as its own worker does:
// the file written into MEMFS, then ffmpeg run to take 16 frames of the 4 s
// window (fps=4), scaled to a short side of 512 like charid's, as raw RGB.
// Message: { url, count, shortSide }. Reply: { ok, ms, init_ms, fetch_ms, frames, wasm_memory_mb, out_bytes }.
import createFFmpegCore from '/node_modules/@ffmpeg/core/dist/esm/ffmpeg-core.js';

self.onmessage = async ({ data }) => {
  try {
    const count = data.count ?? 16;
    const shortSide = data.shortSide ?? 512;
    const t0 = performance.now();
    const core = await createFFmpegCore();
    const init_ms = performance.now() - t0;
    const log = [];
    core.setLogger(({ message }) => { log.push(message); if (log.length > 60) log.shift(); });
    const t1 = performance.now();
    const bytes = new Uint8Array(await (await fetch(data.url)).arrayBuffer());
    const fetch_ms = performance.now() - t1;
    const started = performance.now();
    core.FS.writeFile('input', bytes);
    const scale = `scale=w='if(gt(iw,ih),-2,${shortSide})':h='if(gt(iw,ih),${shortSide},-2)'`;
    const ret = core.exec('-threads', '1', '-t', '4', '-i', 'input', '-an', '-vf', `fps=${count / 4},${scale}`,
      '-frames:v', String(count), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'out.rgb');
    const out = ret === 0 ? core.FS.readFile('out.rgb') : null;
    const ms = performance.now() - started;
    if (ret !== 0) { self.postMessage({ ok: false, error: `ffmpeg exit ${ret}: ${log.slice(-8).join('\n')}` }); return; }
    const size = /, (\d+)x(\d+)/.exec(log.filter((l) => / Video: rawvideo/.test(l)).pop() ?? '');
    const frameBytes = size ? Number(size[1]) * Number(size[2]) * 3 : 0;
    self.postMessage({ ok: true, ms, init_ms, fetch_ms, frames: frameBytes ? out.length / frameBytes : null, frame_size: size ? `${size[1]}x${size[2]}` : null, wasm_memory_mb: core.HEAPU8.length / 2 ** 20, out_bytes: out.length });
  } catch (err) {
    self.postMessage({ ok: false, error: String(err && err.stack || err) });
  }
};
