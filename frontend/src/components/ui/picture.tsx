/** A picture from Instagram that may be missing or fail to load: then a same-sized stand-in. */
import { useState } from 'react';

export interface PictureProps {
  src: string | null | undefined;
  alt: string;
  /** A few characters shown in place of a missing picture (an initial, "Video"). */
  fallback: string;
  className: string;
  /** Added to `className` on the stand-in. */
  fallbackClassName: string;
  /** Width and height in CSS pixels, reserved before the picture loads. */
  size: number;
  /**
   * The stand-in is hidden from screen readers, when what it stands for is written beside it
   * (a username); otherwise it is an image labelled `alt`.
   */
  decorativeFallback?: boolean;
  /** Loaded at once (above the fold) rather than when scrolled near. */
  eager?: boolean;
}

export function Picture({
  src,
  alt,
  fallback,
  className,
  fallbackClassName,
  size,
  decorativeFallback = false,
  eager = false,
}: PictureProps) {
  const [failedSrc, setFailedSrc] = useState<string | null>(null);
  if (!src || failedSrc === src) {
    const label = decorativeFallback ? { 'aria-hidden': true } : { role: 'img', 'aria-label': alt };
    return (
      <span className={`${className} ${fallbackClassName}`} {...label}>
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
      loading={eager ? undefined : 'lazy'}
      decoding="async"
      referrerPolicy="no-referrer"
      onError={() => {
        setFailedSrc(src);
      }}
    />
  );
}
