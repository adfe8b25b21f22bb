import os from 'node:os';
import path from 'node:path';
import { defaultHubCacheDir, resolveHubSettings } from './hub-options';

describe('Hub settings from options and environment', () => {
  it('finds the cache like huggingface_hub: HF_HUB_CACHE, then HF_HOME/hub, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(defaultHubCacheDir({ HF_HUB_CACHE: '/a', HF_HOME: '/b', XDG_CACHE_HOME: '/c' })).toBe('/a');
    expect(defaultHubCacheDir({ HF_HOME: '/b', XDG_CACHE_HOME: '/c' })).toBe(path.join('/b', 'hub'));
    expect(defaultHubCacheDir({ XDG_CACHE_HOME: '/c' })).toBe(path.join('/c', 'huggingface', 'hub'));
    expect(defaultHubCacheDir({})).toBe(path.join(os.homedir(), '.cache', 'huggingface', 'hub'));
  });

  it('lets options win over the environment', () => {
    const env = { HF_TOKEN: 'hf_env', HF_HUB_OFFLINE: '1', HF_ENDPOINT: 'http://mirror.example/', HF_HUB_CACHE: '/env-cache' };
    expect(resolveHubSettings({}, env)).toMatchObject({ token: 'hf_env', offline: true, hubUrl: 'http://mirror.example', cacheDir: '/env-cache', revision: 'main' });
    expect(resolveHubSettings({ token: 'hf_opt', offline: false, hubUrl: 'http://x', cacheDir: '/c', revision: 'v1' }, env)).toMatchObject({
      token: 'hf_opt',
      offline: false,
      hubUrl: 'http://x',
      cacheDir: '/c',
      revision: 'v1',
    });
    expect(resolveHubSettings({}, { HUGGING_FACE_HUB_TOKEN: 'hf_old' }).token).toBe('hf_old');
    for (const value of ['1', 'true', 'YES', 'on']) expect(resolveHubSettings({}, { HF_HUB_OFFLINE: value }).offline).toBe(true);
    for (const value of ['0', '', 'false']) expect(resolveHubSettings({}, { HF_HUB_OFFLINE: value }).offline).toBe(false);
  });

  it('refuses a token that cannot be a Hub token', () => {
    expect(() => resolveHubSettings({ token: 'abc' }, {})).toThrow('the Hub token (token option) must start with "hf_"');
  });

  it('takes the time limit from timeoutSeconds, else HF_HUB_DOWNLOAD_TIMEOUT, else 60 s, and refuses nonsense', () => {
    expect(resolveHubSettings({}, {}).timeoutSeconds).toBe(60);
    expect(resolveHubSettings({}, { HF_HUB_DOWNLOAD_TIMEOUT: '7.5' }).timeoutSeconds).toBe(7.5);
    expect(resolveHubSettings({ timeoutSeconds: 3 }, { HF_HUB_DOWNLOAD_TIMEOUT: '7.5' }).timeoutSeconds).toBe(3);
    expect(() => resolveHubSettings({}, { HF_HUB_DOWNLOAD_TIMEOUT: 'soon' })).toThrow('the Hub timeout (HF_HUB_DOWNLOAD_TIMEOUT) must be a positive number of seconds');
    expect(() => resolveHubSettings({ timeoutSeconds: 0 }, {})).toThrow('the Hub timeout (timeoutSeconds) must be a positive number of seconds');
    expect(() => resolveHubSettings({ timeoutSeconds: -1 }, {})).toThrow('(timeoutSeconds)');
  });
});
