// Layout of the Int32 control words shared between http_reader.mjs (which
// blocks on them) and http_fetch_worker.mjs (which fills them and wakes it).
export const CONTROL = {
  STATE: 0,     // 0 waiting, 1 done, 2 failed
  LENGTH: 1,    // bytes written into the data buffer (or of the error text)
  TOTAL: 2,     // total size, low 31 bits
  TOTAL_HI: 3,  // total size / 2^31 (files over 2 GiB)
};
