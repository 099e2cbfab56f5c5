// The Cache API name of the model files: the engine's Worker reads and fills it, the service
// worker precaches into it (web/build.mjs writes this value into dist/sw.js).
export const MODEL_CACHE = 'charid-models-v1';
