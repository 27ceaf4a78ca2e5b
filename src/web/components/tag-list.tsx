export function TagList({ tags }: { tags: Record<string, string> }) {
  return (
    <span class="tags">
      {Object.entries(tags).map(([key, value]) => (
        <span class="tag">
          {key}
          {value ? `=${value}` : ''}
        </span>
      ))}
    </span>
  );
}
