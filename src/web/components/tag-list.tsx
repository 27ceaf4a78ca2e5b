/** A run's tags; with `href`, each tag links to the list filtered by it. */
export function TagList({ tags, href }: { tags: Record<string, string>; href?: (tag: string) => string }) {
  return (
    <span class="tags">
      {Object.entries(tags).map(([key, value]) => {
        const tag = value ? `${key}=${value}` : key;
        return href ? (
          <a class="tag" href={href(tag)} title={`show the runs tagged ${tag}`}>
            {tag}
          </a>
        ) : (
          <span class="tag">{tag}</span>
        );
      })}
    </span>
  );
}
