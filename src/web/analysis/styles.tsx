import { raw } from 'hono/html';

/** The analysis tables' spacing, kept with the analysis pages rather than in the shared stylesheet. */
export function AnalysisStyles() {
  return <style>{raw('table.analysis th, table.analysis td { padding: 0.2rem 0.6rem; } table.analysis .num { text-align: right; }')}</style>;
}
