/** Instagram's permissions in plain words, for the page that says which one is missing. */

const LABELS: Record<string, string> = {
  instagram_business_basic: 'your profile and posts',
  instagram_business_manage_comments: 'the comments on your posts and who wrote them',
};

/** The permissions named in `?missing=`, known ones only (never arbitrary text from the address). */
export function missingPermissions(param: string | null): string[] {
  if (!param) return [];
  return param.split(',').filter((permission) => Object.hasOwn(LABELS, permission));
}

/** What a permission lets Instacrush read. */
export function permissionLabel(permission: string): string {
  return LABELS[permission] ?? permission;
}
