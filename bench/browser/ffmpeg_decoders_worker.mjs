// Lists the video decoders of @ffmpeg/core (ffmpeg -decoders), to tell a codec it cannot decode.
import createFFmpegCore from '/node_modules/@ffmpeg/core/dist/esm/ffmpeg-core.js';

self.onmessage = async () => {
  const core = await createFFmpegCore();
  const lines = [];
  core.setLogger(({ message }) => lines.push(message));
  core.exec('-hide_banner', '-decoders');
  self.postMessage({ ok: true, decoders: lines.filter((l) => /^ V/.test(l)).map((l) => l.trim().split(/\s+/)[1]) });
};
