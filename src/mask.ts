// Credentials never reach a log, a comment or a report: every URL or message that may carry one
// goes through here (base URLs with user:password, source URLs such as postgres://user:pw@host,
// signed download URLs).

const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)([^/@\s]+)@/gi;
const NO_SCHEME_USERINFO = /(^|\s)(\/\/)([^/@\s]+)@/g;
const SECRET_PARAMS =
  /([?&](?:access_token|token|sig|signature|password|passwd|pass|key|api_key|apikey|secret|auth|X-Amz-Signature|X-Amz-Credential)=)[^&#\s]+/gi;

/** The text with the user-info of every URL in it and token-like query parameters replaced by `***`. */
export function maskUrl(text: string): string {
  return text.replace(USERINFO, '$1***@').replace(NO_SCHEME_USERINFO, '$1$2***@').replace(SECRET_PARAMS, '$1***');
}

/** Removes the secrets of the given URLs from a message (error texts may echo them, decoded or not). */
export function scrub(message: string, urls: string[]): string {
  let out = message;
  for (const url of urls) {
    try {
      const u = new URL(url);
      for (const secret of [u.password, u.username && u.password ? '' : u.username]) {
        if (!secret) continue;
        out = out.split(decodeURIComponent(secret)).join('***').split(secret).join('***');
      }
    } catch {
      /* not a URL */
    }
    out = out.split(url).join(maskUrl(url));
  }
  return maskUrl(out);
}
