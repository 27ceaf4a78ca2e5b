import { randomBytes } from 'node:crypto';

/** A picture read and not yet kept: its bytes as sent, its name, and the 28x28 input preprocessing made of it. */
export interface HeldPicture {
  bytes: Uint8Array;
  name: string;
  input: Float32Array;
}

const HELD_FOR_MS = 60 * 60 * 1000;
const HELD_BYTES = 64 * 1024 * 1024;

/** What the page says when a keep names a picture that is gone. */
export const NO_LONGER_HELD =
  'this picture is no longer held: it was kept already, or read over an hour ago, or before the server restarted. Read it again, then keep it';

/**
 * The pictures this server read lately, each under a random token that the keep form names. The
 * form used to carry the picture back: a 10 MB photo came back as 13 MB of base64 in the page,
 * which the server took 60 to 90 ms to render and encode, and was posted again. A picture is held
 * for an hour, at most 64 MB of them in all (the oldest go first), and not across a restart.
 */
export class HeldPictures {
  private readonly held = new Map<string, HeldPicture & { heldAt: number }>();
  private bytes = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Holds the picture; its token for the keep form. */
  hold(picture: HeldPicture): string {
    const token = randomBytes(16).toString('hex');
    this.held.set(token, { ...picture, heldAt: this.now() });
    this.bytes += picture.bytes.length;
    this.dropOld();
    return token;
  }

  /** The picture under `token`, no longer held; null when there is none (see NO_LONGER_HELD). */
  take(token: string): HeldPicture | null {
    this.dropOld();
    const picture = this.held.get(token);
    if (!picture) return null;
    this.forget(token);
    return picture;
  }

  /** Drops pictures held too long, then the oldest while the rest weigh too much (a Map keeps insertion order). */
  private dropOld(): void {
    for (const [token, picture] of this.held) {
      if (this.now() - picture.heldAt > HELD_FOR_MS || this.bytes > HELD_BYTES) this.forget(token);
    }
  }

  private forget(token: string): void {
    this.bytes -= this.held.get(token)!.bytes.length;
    this.held.delete(token);
  }
}
