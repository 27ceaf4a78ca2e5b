import type { ImageOutcome } from '../../analysis/test-outcomes.ts';
import { percent, plural } from '../format.ts';
import type { TestImages } from '../test-images.ts';
import { OverlayToggle, overlayUrl } from '../explain/attribution.tsx';
import { MiniBars } from './probability-bars.tsx';

export const GALLERY_PAGE_SIZE = 48;

/** A class name cut to fit under a 56 px tile. */
const short = (name: string) => (name.length > 5 ? `${name.slice(0, 4)}…` : name);
/** The whole name on hover, where it was cut. */
const cut = (name: string) => (name.length > 5 ? name : undefined);

/** A page of a sorted list of test images, and where its other pages are fetched from. */
export interface GalleryPage {
  /** The element id: the fragment replaces itself when paged. */
  id: string;
  title: string;
  runId: number;
  /** The run's dataset's class names, for captions. */
  classNames?: string[];
  outcomes: ImageOutcome[];
  page: number;
  /** The fragment URL of page `n`. */
  pageUrl: (n: number) => string;
  /** The image view of test image `index`, whose previous and next stay among these images where it can. */
  imageUrl: (index: number) => string;
}

function Pager({ gallery, pages }: { gallery: GalleryPage; pages: number }) {
  if (pages <= 1) return '';
  const button = (n: number, text: string) => (
    <button type="button" hx-get={gallery.pageUrl(n)} hx-target={`#${gallery.id}`} hx-swap="outerHTML" disabled={n < 1 || n > pages}>
      {text}
    </button>
  );
  return (
    <nav class="pager" aria-label="pages">
      {button(gallery.page - 1, '← previous')}
      <span>
        page {gallery.page} of {pages}
      </span>
      {button(gallery.page + 1, 'next →')}
    </nav>
  );
}

/**
 * Thumbnails inline as data URIs, so a page of them is one response; each links to the image
 * view with this run's probabilities.
 */
export function Gallery({ gallery, images }: { gallery: GalleryPage; images: TestImages }) {
  const pages = Math.ceil(gallery.outcomes.length / GALLERY_PAGE_SIZE);
  const name = (c: number) => gallery.classNames?.[c] ?? String(c);
  // Names longer than a digit take a line of their own above the confidence.
  const named = (gallery.classNames ?? []).some((n) => n.length > 2);
  const shown = gallery.outcomes.slice((gallery.page - 1) * GALLERY_PAGE_SIZE, gallery.page * GALLERY_PAGE_SIZE);
  return (
    <section id={gallery.id} class="gallery">
      <h3>
        {gallery.title} <span class="muted">· {plural(gallery.outcomes.length, 'image')}, most confident first</span>
      </h3>
      <OverlayToggle target={`#${gallery.id}`} />
      <Pager gallery={gallery} pages={pages} />
      <ul class="tiles">
        {shown.map((o) => (
          <li class={o.label === o.predicted ? 'tile' : 'tile mistaken'} data-overlay={overlayUrl(gallery.runId, 'test', o.index)}>
            <a href={gallery.imageUrl(o.index)} title={`test image ${o.index}`}>
              <img src={images.dataUri(o.index)} width="56" height="56" alt={`test image ${o.index}, labelled ${name(o.label)}`} />
            </a>
            <span class={named ? 'caption named' : 'caption'}>
              <span class="truth" title={cut(name(o.label))}>{short(name(o.label))}</span>→<span class="pred" title={cut(name(o.predicted))}>{short(name(o.predicted))}</span>
              {named ? <br /> : ' '}
              {percent(o.confidence, 1)}
            </span>
            <MiniBars probabilities={o.probabilities} label={o.label} predicted={o.predicted} classNames={gallery.classNames} />
          </li>
        ))}
      </ul>
      <Pager gallery={gallery} pages={pages} />
    </section>
  );
}
