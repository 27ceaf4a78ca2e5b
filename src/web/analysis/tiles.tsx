import type { TestImages } from '../test-images.ts';

/**
 * Test images (or, with `split`, training images) as the shared gallery tiles, each opening the
 * image view (for `runId`, if given) or `href`, captioned by the caller; capped, with the rest counted.
 */
export function Tiles({ indices, images, caption, runId, max = 48, split = 'test', href, wrap = false }: { indices: number[]; images: TestImages; caption: (index: number) => string; runId?: number; max?: number; split?: 'test' | 'train'; href?: (index: number) => string; /** Captions of class names: wrapped under the tile rather than on one line. */ wrap?: boolean }) {
  if (indices.length === 0) return <p class="muted">none</p>;
  const shown = indices.slice(0, max);
  return (
    <>
      <ul class="tiles">
        {shown.map((i) => (
          <li class="tile" data-index={String(i)}>
            <a href={href?.(i) ?? `/images/test/${i}${runId === undefined ? '' : `?run=${runId}`}`} title={`${split} image ${i}`}>
              <img src={images.dataUri(i)} width="56" height="56" alt={`${split} image ${i}`} />
            </a>
            <span class={wrap ? 'caption named' : 'caption'}>{caption(i)}</span>
          </li>
        ))}
      </ul>
      {indices.length > shown.length ? <p class="muted">and {indices.length - shown.length} more</p> : null}
    </>
  );
}
