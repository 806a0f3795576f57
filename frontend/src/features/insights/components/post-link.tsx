/** " · View on Instagram" after a post's details, when Instagram gave the post's address. */
export function PostLink({ permalink, day }: { permalink: string | null | undefined; day: string }) {
  if (!permalink) return null;
  return (
    <>
      {' · '}
      <a href={permalink} target="_blank" rel="noopener noreferrer">
        View on Instagram
        <span className="visually-hidden">: your post of {day} (opens in a new tab)</span>
      </a>
    </>
  );
}
