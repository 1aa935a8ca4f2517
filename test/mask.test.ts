// Credentials never reach a log, a comment or a report.
import { describe, expect, it } from 'vitest';
import { maskUrl, scrub } from '../src/mask.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { twoScenarios } from './report/fixtures.js';

describe('maskUrl', () => {
  it('masks user-info and token-like query parameters, in URLs and in free text', () => {
    expect(maskUrl('postgresql://app:s3cr3t@db.internal:5432/app')).toBe('postgresql://***@db.internal:5432/app');
    expect(maskUrl('see https://x-access-token:ghs_abc@github.com/o/r.git and redis://:pw@cache:6379')).toBe(
      'see https://***@github.com/o/r.git and redis://***@cache:6379',
    );
    expect(maskUrl('https://blob.example/a?sig=zzz&page=2&X-Amz-Signature=q')).toBe('https://blob.example/a?sig=***&page=2&X-Amz-Signature=***');
    expect(maskUrl('https://preview.example.com/healthz')).toBe('https://preview.example.com/healthz');
  });

  it('scrubs a decoded password echoed in an error message', () => {
    const url = 'postgres://app:p%40ss@db/app';
    expect(scrub('password authentication failed for "app" (p@ss) at postgres://app:p%40ss@db/app', [url])).toBe(
      'password authentication failed for "app" (***) at postgres://***@db/app',
    );
  });

  it('the report shows the target without its credentials', () => {
    const { evaluation, results } = twoScenarios();
    const md = renderMarkdown({ evaluation, results, environment: { baseUrl: 'https://deploy:hunter2@pr-7.preview.example.com' } });
    expect(md).toContain('https://***@pr-7.preview.example.com');
    expect(md).not.toContain('hunter2');
  });
});
