import type { TestImages } from '../test-images.ts';

/**
 * Test images as the shared gallery tiles, each opening the image view (for `runId`, if given),
 * captioned by the caller; capped, with the rest counted.
 */
export function Tiles({ indices, images, caption, runId, max = 48 }: { indices: number[]; images: TestImages; caption: (index: number) => string; runId?: number; max?: number }) {
  if (indices.length === 0) return <p class="muted">none</p>;
  const shown = indices.slice(0, max);
  return (
    <>
      <ul class="tiles">
        {shown.map((i) => (
          <li class="tile" data-index={String(i)}>
            <a href={`/images/test/${i}${runId === undefined ? '' : `?run=${runId}`}`} title={`test image ${i}`}>
              <img src={images.dataUri(i)} width="56" height="56" alt={`test image ${i}`} />
            </a>
            <span class="caption">{caption(i)}</span>
          </li>
        ))}
      </ul>
      {indices.length > shown.length ? <p class="muted">and {indices.length - shown.length} more</p> : null}
    </>
  );
}
