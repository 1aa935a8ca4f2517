// Source URLs may carry credentials (postgres://user:password@host/db): anything logged goes through here.

/** The URL with its password (and any token-like query parameter) replaced by `***`. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const key of [...u.searchParams.keys()]) {
      if (/pass|token|secret|key|auth/i.test(key)) u.searchParams.set(key, '***');
    }
    return u.toString();
  } catch {
    // Not a URL: mask anything between `//user:` and `@`.
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}

/** Removes every occurrence of the source URLs' secrets from a message (error texts may echo them). */
export function scrub(message: string, urls: string[]): string {
  let out = message;
  for (const url of urls) {
    try {
      const u = new URL(url);
      if (u.password) out = out.split(decodeURIComponent(u.password)).join('***').split(u.password).join('***');
    } catch {
      /* not a URL */
    }
    out = out.split(url).join(maskUrl(url));
  }
  return out;
}
