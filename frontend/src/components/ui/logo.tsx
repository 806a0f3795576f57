/** The Instacrush mark: a heart. Decorative wherever the name is written beside it. */
export function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg
      className="logo"
      width={size}
      height={size}
      viewBox="0 0 32 32"
      aria-hidden="true"
      focusable="false"
    >
      <defs>
        <linearGradient id="logo-gradient" x1="0" y1="1" x2="1" y2="0">
          <stop offset="0" stopColor="#f58529" />
          <stop offset="0.5" stopColor="#dd2a7b" />
          <stop offset="1" stopColor="#8134af" />
        </linearGradient>
      </defs>
      <path
        fill="url(#logo-gradient)"
        d="M16 28.5 4.6 17.4A7.3 7.3 0 0 1 15 7.1l1 1 1-1a7.3 7.3 0 0 1 10.4 10.3Z"
      />
    </svg>
  );
}
