import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';

/**
 * htmx 2 leaves 4xx/5xx responses unswapped; here a 422 carries a form with its messages and the
 * error handler retargets other failures to #flash, so every response is swapped. History
 * restores must fetch whole pages, as fragment requests are told apart by HX-Request.
 */
const HTMX_CONFIG = JSON.stringify({
  historyRestoreAsHxRequest: false,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '422', swap: true },
    { code: '[45]..', swap: true, error: true },
  ],
});

export function Layout({ title, children }: { title: string; children: Child }) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="htmx-config" content={HTMX_CONFIG} />
          <title>{title} · digitlab</title>
          <link rel="icon" href="data:," />
          <link rel="stylesheet" href="/static/app.css" />
          <script src="/static/htmx.min.js" defer></script>
          <script src="/static/app.js" defer></script>
          <script src="/static/overlay-toggle.js" defer></script>
        </head>
        <body>
          <a class="skip-link" href="#main">
            Skip to content
          </a>
          <header class="top">
            <a class="brand" href="/runs">
              digitlab
            </a>
            <nav>
              <a href="/runs">Runs</a>
              <a href="/own-digits">My digits</a>
              <a href="/sweeps">Sweeps</a>
              <a href="/dataset">Dataset</a>
            </nav>
          </header>
          <div id="flash" role="alert"></div>
          {/* tabindex -1: the skip link moves the keyboard focus here, not only the view. */}
          <main id="main" tabindex={-1}>
            {children}
          </main>
        </body>
      </html>
    </>
  );
}
