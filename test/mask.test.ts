// Credentials never reach a log, a comment or a report.
import { describe, expect, it } from 'vitest';
import { envSecrets, maskSecrets, maskUrl, scrub } from '../src/mask.js';
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

  it('masks a password with a raw @ whole (the user-info runs to the last @ before the host), not an @ after the host', () => {
    expect(maskUrl('sampling PostgreSQL at postgres://app:s3cr@tP4ss@127.0.0.1:5432/app')).toBe('sampling PostgreSQL at postgres://***@127.0.0.1:5432/app');
    expect(maskUrl('https://u:p@ss@prom.example/api?x=1')).toBe('https://***@prom.example/api?x=1');
    expect(maskUrl('https://host.example/users/a@b.example and mail@x.example')).toBe('https://host.example/users/a@b.example and mail@x.example');
    expect(maskUrl('https://host.example?email=a@b.example')).toBe('https://host.example?email=a@b.example');
  });

  it('a masked query value keeps the quote and punctuation after it', () => {
    expect(maskUrl('Get "https://x.example/api?token=abc123": dial tcp')).toBe('Get "https://x.example/api?token=***": dial tcp');
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

describe('maskSecrets (free text a script or k6 wrote)', () => {
  it('masks authorization headers, bearer tokens and secret-looking pairs, keeping the rest readable', () => {
    expect(maskSecrets('request failed: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig status 401')).toBe('request failed: Authorization: *** status 401');
    expect(maskSecrets('sent "Bearer abc.def-123" to /api')).toBe('sent "Bearer ***" to /api');
    expect(maskSecrets('dsn=postgres://admin:s3cret@db/app?sslmode=disable password=s3cret user=admin')).toBe(
      'dsn=postgres://***@db/app?sslmode=disable password=*** user=admin',
    );
    expect(maskSecrets('{"api_key": "k-123", "client_secret":\'zz\', "name": "acme"}')).toBe('{"api_key": "***", "client_secret":\'***\', "name": "acme"}');
    expect(maskSecrets('X-Api-Key=abc123; retry')).toBe('X-Api-Key=***; retry');
    expect(maskSecrets('TypeError: Cannot read property id of undefined at default (file:///k6/x.ts:10:3)')).toBe(
      'TypeError: Cannot read property id of undefined at default (file:///k6/x.ts:10:3)',
    );
  });

  it('masks the given secret values wherever they appear, longest first', () => {
    expect(maskSecrets('token tok-123456 and tok-1234567 seen', ['tok-123456', 'tok-1234567'])).toBe('token *** and *** seen');
    expect(maskSecrets('abc stays', ['abc'])).toBe('abc stays'); // too short to be a secret worth masking
  });

  it('envSecrets takes the values of secret-named variables only', () => {
    expect(envSecrets({ API_TOKEN: 'tok-123456', GITHUB_TOKEN: 'ghs_abcdefgh', PERF_GATE_SCALE: '0.1', PWD: '/home/runner/work', BASE_URL: 'https://x.example', DB_PASSWORD: 'short', SESSION_COOKIE: 'c00kie-v4lue' }).sort()).toEqual(
      ['c00kie-v4lue', 'ghs_abcdefgh', 'tok-123456'],
    );
  });
});
