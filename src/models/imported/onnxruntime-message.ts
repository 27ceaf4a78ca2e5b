/** Terminal colour codes, which onnxruntime's logger puts around its lines. */
const ANSI = /\x1b\[[0-9;]*m/g;
/** A log line's head: "2026-12-07 15:40:26.123 [E:onnxruntime:, inference_session.cc:1234 operator()] ". */
const LOG_HEAD = /^\d{4}-\d\d-\d\d [\d:.]+ \[[^\]]*\] /;
/** Where in onnxruntime's build the error was raised: "/onnxruntime_src/onnxruntime/core/graph/model.cc:191 ". */
const SOURCE_PLACE = /\S*\/onnxruntime_src\/\S+:\d+ /g;

/** The text after a C++ signature ("onnxruntime::Model::Model(...) ") at the start, or the text unchanged. */
function withoutSignature(text: string): string {
  const open = /^[\w:~<>,*& ]+?\(/.exec(text);
  if (!open?.[0].includes('::')) return text;
  let depth = 0;
  for (let i = open[0].length - 1; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(i + 1).trimStart();
  }
  return text;
}

/**
 * An onnxruntime error as a person reads it: without colour codes, log heads, and the build's
 * source paths and C++ signatures, which say nothing about the model and leak the build machine's
 * layout; the sentence about the model stays.
 */
export function onnxruntimeMessage(raw: string): string {
  const plain = raw.replace(ANSI, '').trim().replace(LOG_HEAD, '');
  return plain
    .split(SOURCE_PLACE)
    .map((part, i) => (i === 0 ? part : withoutSignature(part)))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}
