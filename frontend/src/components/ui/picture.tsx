/** A picture from Instagram that may be missing or fail to load: then a same-sized stand-in. */
import { useState } from 'react';

export interface PictureProps {
  src: string | null | undefined;
  alt: string;
  /** A few characters shown in place of a missing picture (an initial, "Video"). */
  fallback: string;
  className: string;
  /** Width and height in CSS pixels, reserved before the picture loads. */
  size: number;
}

export function Picture({ src, alt, fallback, className, size }: PictureProps) {
  const [failedSrc, setFailedSrc] = useState<string | null>(null);
  if (!src || failedSrc === src) {
    return (
      <span className={`${className} insights-picture-fallback`} role="img" aria-label={alt}>
        {fallback}
      </span>
    );
  }
  return (
    <img
      className={className}
      src={src}
      alt={alt}
      width={size}
      height={size}
      loading="lazy"
      decoding="async"
      referrerPolicy="no-referrer"
      onError={() => {
        setFailedSrc(src);
      }}
    />
  );
}
