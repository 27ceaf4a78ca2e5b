import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { onnxruntimeMessage } from '../../../src/models/imported/onnxruntime-message.ts';

describe("onnxruntime's errors as a person reads them", () => {
  it("keeps the sentence about the model and drops the build's source path and C++ signature", async () => {
    // A model without an opset: onnxruntime's own message names its source file and a constructor.
    const raw = await ort.InferenceSession.create(Buffer.from([0x08, 0x07, 0x12, 0x00, 0x3a, 0x02, 0x0a, 0x00])).then(
      () => '',
      (err: Error) => err.message,
    );
    expect(raw).toContain('/onnxruntime_src/');
    expect(onnxruntimeMessage(raw)).toBe(
      'Missing opset in the model. All ModelProtos MUST have at least one entry that specifies which version of the ONNX OperatorSet is being imported.',
    );
  });

  it('drops colour codes and the head of a log line', () => {
    const logged =
      '\x1b[1;31m2026-12-07 15:40:26.123 [E:onnxruntime:, inference_session.cc:1234 operator()] Exception during initialization: ' +
      '/onnxruntime_src/onnxruntime/core/providers/cpu/math/gemm_helper.h:14 onnxruntime::GemmHelper::GemmHelper(const onnxruntime::TensorShape&, bool) left operand cannot broadcast on dim 0\x1b[m';
    expect(onnxruntimeMessage(logged)).toBe('Exception during initialization: left operand cannot broadcast on dim 0');
    expect(onnxruntimeMessage('Failed to load model because protobuf parsing failed.')).toBe('Failed to load model because protobuf parsing failed.');
  });
});
