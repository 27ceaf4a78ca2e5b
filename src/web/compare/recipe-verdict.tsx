import { SEEDS_PER_RECIPE } from '../../analysis/compare/recipe-evidence.ts';
import { plural } from '../format.ts';
import type { RunComparison } from '../../analysis/compare/run-comparison.ts';

/**
 * The verdict, and what would make it a verdict on recipes: with too few seeds a side, one click
 * queues the runs that bring both recipes to SEEDS_PER_RECIPE seeds.
 */
export function RecipeVerdict({ comparison, queued }: { comparison: RunComparison; queued?: number[] }) {
  const { recipe } = comparison;
  const untested = !recipe.sameRecipe && recipe.recipeTest === null;
  return (
    <div class="recipe-verdict">
      <p class="verdict">{comparison.verdict}.</p>
      {queued && queued.length > 0 ? (
        <p class="notice" role="status">
          Queued {plural(queued.length, 'more seed')}: {queued.map((id, i) => [i > 0 ? ', ' : '', <a href={`/runs/${id}`}>run {id}</a>])}. The test
          across seeds appears here once they have finished.
        </p>
      ) : untested ? (
        <form method="post" action="/compare/seeds">
          <input type="hidden" name="a" value={String(comparison.a.id)} />
          <input type="hidden" name="b" value={String(comparison.b.id)} />
          <button type="submit">Queue seeds so each recipe has {SEEDS_PER_RECIPE}</button>
        </form>
      ) : null}
    </div>
  );
}
