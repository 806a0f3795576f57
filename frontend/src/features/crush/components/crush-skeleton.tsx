/** The crush card's shape while it loads, so nothing moves when it arrives. */
import '../crush.css';

export function CrushSkeleton() {
  return (
    <div className="card crush-card crush-skeleton" aria-busy="true">
      <p className="visually-hidden" role="status">
        Loading the crush…
      </p>
      <div className="crush-pair" aria-hidden="true">
        {[0, 1].map((key) => (
          <div className="crush-person" key={key}>
            <span className="avatar skeleton" />
            <span className="skeleton skeleton-line" />
          </div>
        ))}
      </div>
      <div aria-hidden="true">
        <span className="skeleton skeleton-line skeleton-wide" />
        <span className="skeleton skeleton-block" />
      </div>
    </div>
  );
}
