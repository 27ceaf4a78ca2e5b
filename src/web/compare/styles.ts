/** The comparison and sweep pages' own rules (the shared stylesheet has the rest), inline so those pages add nothing to it. */
export const COMPARE_STYLES = `
.compare-params tr.differs th { font-weight: 700; }
.compare-section { margin-top: 1.6rem; }
.compare-table th, .compare-table td { padding: 0.25rem 0.7rem; border-bottom: 1px solid var(--line); }
.verdict { font-size: 1.2rem; font-weight: 600; }
.refused { color: #b00020; font-weight: 600; }
.confusion-difference td, .confusion-difference th { width: 2.6rem; text-align: center; }
.confusion-difference td.better { background: rgba(89, 161, 79, var(--strength)); }
.confusion-difference td.worse { background: rgba(225, 87, 89, var(--strength)); }
.confusion-difference button { all: unset; cursor: pointer; display: block; width: 100%; }
.sweep-form label { display: grid; grid-template-columns: 10rem 12rem 1fr; gap: 0.5rem; align-items: baseline; margin: 0.3rem 0; }
@media (max-width: 640px) {
  /* Six columns of figures fit a phone when the run's name goes under its id and the headings wrap. */
  .compare-metrics { font-size: 0.8rem; }
  .compare-metrics th, .compare-metrics td { padding: 0.25rem 0.3rem; white-space: normal; }
  .compare-metrics th .muted { display: block; overflow-wrap: anywhere; }
}
/* Under the input and its hint on a wide screen; on a phone the label is one column already. */
@media (min-width: 641px) { .sweep-form label .field-error { grid-column: 2 / -1; } }
.sweep-form label.invalid input { border-color: var(--wrong); background: #fff7f7; }
`;
