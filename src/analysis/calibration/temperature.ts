/** Probabilities are floored here before the log: a model's exact 0 would make a logit of -Infinity. */
const FLOOR = 1e-12;

/** Log-probabilities serve as logits: softmax(log p / T) is temperature scaling of the model's own logits. */
export function scaleByTemperature(probabilities: Float32Array, temperature: number, classes = 10): Float32Array {
  const out = new Float32Array(probabilities.length);
  const K = classes;
  for (let i = 0; i < probabilities.length; i += K) {
    let max = -Infinity;
    for (let c = 0; c < K; c++) max = Math.max(max, Math.log(Math.max(probabilities[i + c]!, FLOOR)) / temperature);
    let sum = 0;
    for (let c = 0; c < K; c++) sum += out[i + c] = Math.exp(Math.log(Math.max(probabilities[i + c]!, FLOOR)) / temperature - max);
    for (let c = 0; c < K; c++) out[i + c]! /= sum;
  }
  return out;
}

export function meanNll(probabilities: Float32Array, labels: Uint8Array): number {
  let sum = 0;
  const K = labels.length > 0 ? Math.round(probabilities.length / labels.length) : 10;
  for (let i = 0; i < labels.length; i++) sum -= Math.log(Math.max(probabilities[i * K + labels[i]!]!, FLOOR));
  return sum / labels.length;
}

/**
 * The temperature that minimises the mean negative log-likelihood (Guo et al. 2017), found by
 * golden-section search on log T over [1/20, 20]: the NLL is unimodal in T.
 */
export function fitTemperature(probabilities: Float32Array, labels: Uint8Array): { temperature: number; nllBefore: number; nllAfter: number } {
  const classes = labels.length > 0 ? Math.round(probabilities.length / labels.length) : 10;
  const nllAt = (logT: number) => meanNll(scaleByTemperature(probabilities, Math.exp(logT), classes), labels);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let [low, high] = [Math.log(1 / 20), Math.log(20)];
  let [x1, x2] = [high - ratio * (high - low), low + ratio * (high - low)];
  let [f1, f2] = [nllAt(x1), nllAt(x2)];
  while (high - low > 1e-4) {
    if (f1 < f2) {
      [high, x2, f2] = [x2, x1, f1];
      x1 = high - ratio * (high - low);
      f1 = nllAt(x1);
    } else {
      [low, x1, f1] = [x1, x2, f2];
      x2 = low + ratio * (high - low);
      f2 = nllAt(x2);
    }
  }
  const temperature = Math.exp((low + high) / 2);
  return { temperature, nllBefore: meanNll(probabilities, labels), nllAfter: nllAt(Math.log(temperature)) };
}
