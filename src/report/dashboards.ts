// Links to the team's dashboards (thresholds.yml `dashboards:`), each opened on a scenario's run: the
// report's charts show what k6 measured, the dashboards what the services did meanwhile.
import type { DashboardConfig, TimeWindow } from '../model.js';
import { isSecretParam } from '../mask.js';
import { clockRange } from './window.js';

export interface DashboardLink {
  name: string;
  url: string;
}

/** The shortest time range a link opens: a shorter run is centred in it (panels need a few scrapes to draw). */
export const MIN_RANGE_MS = 60_000;

/**
 * The dashboard's URL opened on `span` (widened to MIN_RANGE_MS around a shorter run): Grafana's `from`
 * and `to` (epoch ms) set, replacing any the URL had. The link is published in the PR comment: a user
 * name and password are dropped, and secret-looking query values (`auth_token=…`) masked — Grafana's
 * template variables (`var-…`) are kept as written.
 */
export function dashboardUrl(url: string, span: TimeWindow): string {
  const u = new URL(url);
  const pad = Math.max(0, MIN_RANGE_MS - (span.end - span.start)) / 2;
  u.username = '';
  u.password = '';
  for (const [name] of [...u.searchParams]) if (!/^var-/i.test(name) && isSecretParam(name)) u.searchParams.set(name, '***');
  u.searchParams.set('from', String(Math.floor(span.start - pad)));
  u.searchParams.set('to', String(Math.ceil(span.end + pad)));
  // a Markdown link's destination ends at an unbalanced `)`; a space ends it too (URL encodes those)
  return u.toString().replace(/\(/g, '%28').replace(/\)/g, '%29');
}

/** The scenario's links (none without a time span) and why others are missing. */
export function dashboardLinks(dashboards: readonly DashboardConfig[], span: TimeWindow | undefined): { links: DashboardLink[]; missing: string[] } {
  const links: DashboardLink[] = [];
  const missing: string[] = [];
  for (const d of dashboards) {
    if (d.url === undefined) missing.push(`${linkText(d.name)}: ${d.unavailable ?? 'no URL'}`);
    else if (span) links.push({ name: d.name, url: dashboardUrl(d.url, span) });
  }
  return { links, missing };
}

/** Link text on one line, with Markdown's link and emphasis characters escaped. */
function linkText(name: string): string {
  return name.replace(/\s+/g, ' ').replace(/[\\[\]*_`<>]/g, (c) => `\\${c}`);
}

/** The scenario section's `**Dashboards**` line, or undefined when there are none to show. */
export function dashboardsLine(dashboards: readonly DashboardConfig[] | undefined, span: TimeWindow | undefined): string | undefined {
  if (!dashboards || dashboards.length === 0) return undefined;
  const { links, missing } = dashboardLinks(dashboards, span);
  const parts: string[] = [];
  if (links.length > 0) parts.push(links.map((l) => `[${linkText(l.name)}](${l.url})`).join(' · '));
  else if (!span) parts.push('not linked: the results carry no sample times');
  if (missing.length > 0) parts.push(`not linked: ${missing.join('; ')}`);
  const when = span && links.length > 0 ? ` (${clockRange(span)})` : '';
  return `**Dashboards**${when}: ${parts.join(' · ')}`;
}
