// The local web UI's pure decisions: when a build is stale, which requests the UI answers, and which paths name a file under its root.
import { isBuildStale } from '../../local/web-build';
import { filePathIn, isWebUiRequest } from '../../local/web-ui';

describe('isBuildStale', () => {
  test('a missing build is stale', () => {
    expect(isBuildStale(undefined, [])).toBe(true);
  });

  test('a build newer than (or as old as) every source is fresh', () => {
    expect(isBuildStale(2_000, [1_000, 1_999, 2_000])).toBe(false);
    expect(isBuildStale(2_000, [])).toBe(false);
  });

  test('one source newer than the build makes it stale', () => {
    expect(isBuildStale(2_000, [1_000, 2_001])).toBe(true);
  });
});

describe('isWebUiRequest', () => {
  test.each(['/', '/alerts', '/alerts/01J', '/assets/index-abc.js', '/apiary', '/v2x'])('GET %s is the UI', (path) => {
    expect(isWebUiRequest('GET', path)).toBe(true);
    expect(isWebUiRequest('HEAD', path)).toBe(true);
  });

  test.each(['/api', '/api/', '/api/unknown', '/v2', '/v2/events'])('GET %s is the API', (path) => {
    expect(isWebUiRequest('GET', path)).toBe(false);
  });

  test.each(['POST', 'PUT', 'DELETE', 'OPTIONS'])('%s is never the UI', (method) => {
    expect(isWebUiRequest(method, '/alerts')).toBe(false);
  });
});

describe('filePathIn', () => {
  const root = '/srv/web';

  test.each([
    ['/', '/srv/web'],
    ['/index.html', '/srv/web/index.html'],
    ['/assets/index-abc.js', '/srv/web/assets/index-abc.js'],
    ['/assets/a%20b.png', '/srv/web/assets/a b.png'],
    ['//assets//x.js', '/srv/web/assets/x.js'],
  ])('%s is %s', (path, file) => {
    expect(filePathIn(root, path)).toBe(file);
  });

  test.each(['/../etc/passwd', '/assets/../../etc/passwd', '/%2e%2e/etc/passwd', '/a%2f..%2f..%2fetc', '/./index.html', '/..%5cetc', '/x%00.js', '/%E0%A4%A'])(
    '%s is refused',
    (path) => {
      expect(filePathIn(root, path)).toBeUndefined();
    },
  );
});
