import { afterEach, describe, expect, it } from 'vitest';
import { Octokit } from '@octokit/rest';
import { GITHUB_ACTIONS_BOT, startGithubServer, type GithubServer } from '../support/github-server.js';

let server: GithubServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('local GitHub API server', () => {
  it('paginates comments with Link headers that Octokit follows', async () => {
    server = await startGithubServer();
    server.tokens.set('t1', { user: GITHUB_ACTIONS_BOT, userEndpoint: false });
    for (let i = 0; i < 250; i++) {
      server.addComment({ owner: 'o', repo: 'r', issue: 7, body: `c${i}`, user: { login: 'someone', id: 5, type: 'User' } });
    }
    const octokit = new Octokit({ auth: 't1', baseUrl: server.url });
    const all = await octokit.paginate(octokit.rest.issues.listComments, { owner: 'o', repo: 'r', issue_number: 7, per_page: 100 });
    expect(all.map((c) => c.body)).toEqual(Array.from({ length: 250 }, (_, i) => `c${i}`));
    expect(server.requests.filter((r) => r.path === '/repos/o/r/issues/7/comments')).toHaveLength(3);
    await expect(octokit.rest.users.getAuthenticated()).rejects.toMatchObject({ status: 403 });
  });

  it('creates, updates and deletes comments as the token identity; faults come first', async () => {
    server = await startGithubServer();
    server.tokens.set('t2', { user: { login: 'octo', id: 9, type: 'User' } });
    const octokit = new Octokit({ auth: 't2', baseUrl: server.url });
    server.fault({ method: 'POST', path: /comments$/, status: 502, body: { message: 'Server Error' } });
    await expect(octokit.rest.issues.createComment({ owner: 'o', repo: 'r', issue_number: 1, body: 'x' })).rejects.toMatchObject({ status: 502 });
    const created = await octokit.rest.issues.createComment({ owner: 'o', repo: 'r', issue_number: 1, body: 'x' });
    expect(created.data.user?.login).toBe('octo');
    await octokit.rest.issues.updateComment({ owner: 'o', repo: 'r', comment_id: created.data.id, body: 'y' });
    expect(server.commentsOn('o', 'r', 1).map((c) => c.body)).toEqual(['y']);
    await octokit.rest.issues.deleteComment({ owner: 'o', repo: 'r', comment_id: created.data.id });
    expect(server.commentsOn('o', 'r', 1)).toEqual([]);
    await expect(new Octokit({ auth: 'nope', baseUrl: server.url }).rest.users.getAuthenticated()).rejects.toMatchObject({ status: 401 });
  });
});
