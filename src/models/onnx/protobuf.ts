import { DomainError } from '../../core/errors.ts';
/**
 * The few pieces of the protobuf wire format that reading and writing ONNX files needs. An ONNX
 * file is one ModelProto; digitlab reads a handful of its fields and writes small models, so a
 * schema compiler and its runtime would be more code than this.
 */

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

export class ProtobufError extends DomainError { readonly kind = 'invalid'; }

/** One field as it appears on the wire; `bytes` holds a length-delimited field's payload. */
export interface WireField {
  field: number;
  wireType: number;
  varint: bigint;
  bytes: Uint8Array;
}

function readVarint(buffer: Uint8Array, offset: number): [bigint, number] {
  let value = 0n;
  let shift = 0n;
  for (let i = offset; i < buffer.length && shift < 70n; i++) {
    const byte = buffer[i]!;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value, i + 1];
    shift += 7n;
  }
  throw new ProtobufError('truncated or overlong varint');
}

/** Splits one message into its fields, in file order; throws ProtobufError if it is not protobuf. */
export function readFields(buffer: Uint8Array): WireField[] {
  const fields: WireField[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const [key, afterKey] = readVarint(buffer, offset);
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (field === 0) throw new ProtobufError('field number 0');
    let varint = 0n;
    let bytes = buffer.subarray(0, 0);
    if (wireType === VARINT) {
      [varint, offset] = readVarint(buffer, afterKey);
    } else if (wireType === LENGTH_DELIMITED) {
      const [length, afterLength] = readVarint(buffer, afterKey);
      const end = afterLength + Number(length);
      if (end > buffer.length) throw new ProtobufError('length-delimited field runs past the end');
      bytes = buffer.subarray(afterLength, end);
      offset = end;
    } else if (wireType === FIXED64 || wireType === FIXED32) {
      const size = wireType === FIXED64 ? 8 : 4;
      if (afterKey + size > buffer.length) throw new ProtobufError('fixed-width field runs past the end');
      bytes = buffer.subarray(afterKey, afterKey + size);
      offset = afterKey + size;
    } else {
      throw new ProtobufError(`unsupported wire type ${wireType}`);
    }
    fields.push({ field, wireType, varint, bytes });
  }
  return fields;
}

const decoder = new TextDecoder();

export const fieldString = (field: WireField) => decoder.decode(field.bytes);

/** The values of a repeated int64 field, packed or not. */
export function int64s(fields: WireField[], number: number): number[] {
  const values: number[] = [];
  for (const f of fields.filter((f) => f.field === number)) {
    if (f.wireType === VARINT) {
      values.push(Number(BigInt.asIntN(64, f.varint)));
      continue;
    }
    for (let offset = 0; offset < f.bytes.length; ) {
      const [value, next] = readVarint(f.bytes, offset);
      values.push(Number(BigInt.asIntN(64, value)));
      offset = next;
    }
  }
  return values;
}

const encoder = new TextEncoder();

/** Builds one message field by field; nested messages are written by their own writer. */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];

  private varint(value: bigint): void {
    const bytes: number[] = [];
    let rest = BigInt.asUintN(64, value);
    do {
      const low = Number(rest & 0x7fn);
      rest >>= 7n;
      bytes.push(rest > 0n ? low | 0x80 : low);
    } while (rest > 0n);
    this.chunks.push(Uint8Array.from(bytes));
  }

  private key(field: number, wireType: number): void {
    this.varint(BigInt((field << 3) | wireType));
  }

  int(field: number, value: number): this {
    this.key(field, VARINT);
    this.varint(BigInt(value));
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, LENGTH_DELIMITED);
    this.varint(BigInt(value.length));
    this.chunks.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, encoder.encode(value));
  }

  message(field: number, message: ProtoWriter): this {
    return this.bytes(field, message.finish());
  }

  float(field: number, value: number): this {
    this.key(field, FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.chunks.push(bytes);
    return this;
  }

  /** A packed repeated int64. */
  int64s(field: number, values: number[]): this {
    const packed = new ProtoWriter();
    for (const value of values) packed.varint(BigInt(value));
    return this.bytes(field, packed.finish());
  }

  finish(): Uint8Array {
    const length = this.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const out = new Uint8Array(length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}
