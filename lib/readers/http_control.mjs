// Layout of the Int32 control words shared between http_reader.mjs (which
// blocks on them) and http_fetch_worker.mjs (which fills them and wakes it).
//
// Every request carries an id. The reader stores the id it waits for in
// CURRENT before asking; the worker writes an answer only while CURRENT still
// holds that id, and stamps ANSWER with it. So a late reply to a request the
// reader already gave up on can neither fill the buffer nor wake the reader
// as the answer to the next request.
export const CONTROL = {
  CURRENT: 0,   // id of the request the reader is waiting for
  ANSWER: 1,    // answerWord(id, failed) of the last answer written
  LENGTH: 2,    // bytes written into the data buffer (or of the error text)
  TOTAL: 3,     // total size, low 31 bits
  TOTAL_HI: 4,  // total size / 2^31 (files over 2 GiB)
};
export const CONTROL_WORDS = 5;

// Ids stay below 2^29 so an answer word fits an Int32; they wrap around.
export const nextRequestId = (id) => (id % 2 ** 29) + 1;
export const answerWord = (id, failed) => id * 2 + (failed ? 1 : 0);
export const answerId = (word) => Math.floor(word / 2);
export const answerFailed = (word) => word % 2 === 1;
