/**
 * The JPEG segments before the first scan, found the way jpeg-js (the decoder used here) finds
 * them: a marker is the next two bytes wherever its last segment ended, 0xFF fill bytes are
 * skipped, a frame header (SOF0..SOF2) is read field by field whatever its length says, and a
 * stray byte before a marker is recovered from as it does. A check that walked the markers any
 * other way could be shown one frame size while the decoder read another: one fill byte after
 * the start marker hid a 65500x366 frame, and decoding it took 1 GB.
 *
 * Yields the application and comment segments' bodies (after the length) and each frame
 * header's body (from the sample precision on); stops where the decoder would decode a scan,
 * reach the end, or fail on a marker it does not know.
 */
export function* jpegSegments(bytes: Buffer): Generator<{ marker: number; body: Buffer }> {
  let at = 2; // after the start-of-image marker
  const u16 = (where: number) => ((bytes[where] ?? 0) << 8) | (bytes[where + 1] ?? 0);
  let recoveredFromMalformed = false;
  while (at + 2 <= bytes.length) {
    const marker = u16(at);
    at += 2;
    if (marker === 0xffd9 || marker === 0xffda) return; // end of image; start of scan
    if (marker === 0xff00) continue;
    if (marker === 0xffff) {
      // A fill byte: the next marker starts at the second 0xFF unless a third follows.
      if (bytes[at] !== 0xff) at--;
      continue;
    }
    if ((marker >= 0xffe0 && marker <= 0xffef) || marker === 0xfffe) {
      const length = u16(at);
      const body = bytes.subarray(at + 2, Math.max(at + 2, at + length));
      yield { marker: marker & 0xff, body };
      at += 2 + body.length;
      continue;
    }
    if (marker === 0xffdb) {
      // Quantization tables: read table by table (64 or 128 bytes) until past the stated length.
      const end = at + u16(at);
      at += 2;
      while (at < end) {
        const precision = (bytes[at] ?? 0) >> 4;
        if (precision > 1) return; // the decoder throws
        at += 1 + (precision === 0 ? 64 : 128);
      }
      continue;
    }
    if (marker >= 0xffc0 && marker <= 0xffc2) {
      const components = bytes[at + 7] ?? 0;
      yield { marker: marker & 0xff, body: bytes.subarray(at + 2, at + 8 + 3 * components) };
      at += 8 + 3 * components;
      continue;
    }
    if (marker === 0xffc4) {
      // Huffman tables: read table by table until their total reaches the stated length.
      const length = u16(at);
      let read = 2;
      at += 2;
      while (read < length && at < bytes.length) {
        let counts = 0;
        for (let i = 1; i <= 16; i++) counts += bytes[at + i] ?? 0;
        at += 17 + counts;
        read += 17 + counts;
      }
      continue;
    }
    if (marker === 0xffdd || marker === 0xffdc) {
      at += 4; // restart interval; number of lines
      continue;
    }
    // The decoder's recoveries from broken encoders: a marker whose 0xFF was eaten...
    if (bytes[at - 3] === 0xff && (bytes[at - 2] ?? 0) >= 0xc0 && (bytes[at - 2] ?? 0) <= 0xfe) {
      at -= 3;
      continue;
    }
    // ... and, once, a phone's malformed APP0/APP1 missing its 0xFF.
    if ((marker === 0xe0 || marker === 0xe1) && !recoveredFromMalformed) {
      recoveredFromMalformed = true;
      const next = u16(at);
      at += 2;
      if (bytes[at + next - 2] === 0xff) {
        at += next - 2;
        continue;
      }
    }
    return; // the decoder throws on this marker
  }
}
