import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface ChromiumLaunchSettings {
  /** Port of the worker's EgressProxy on 127.0.0.1: Chromium's only way out. */
  proxyPort: number;
  acceptLanguage: string;
  noSandbox: boolean;
}

/**
 * Chromium's switches. The network ones make the egress proxy the only path out:
 * - every scheme through the proxy, loopback included (`<-loopback>` removes Chromium's implicit
 *   bypass of localhost), and a fixed proxy list has no DIRECT fallback;
 * - Chromium resolves no name itself (the proxy does): a resolver that answers NOTFOUND for
 *   everything but the proxy's address, so DNS prefetch and any direct attempt go nowhere;
 * - WebRTC may not send UDP that is not proxied (an HTTP proxy carries none), QUIC is off.
 */
export function chromiumArgs(settings: ChromiumLaunchSettings): string[] {
  const lang = settings.acceptLanguage.split(',')[0]?.split(';')[0]?.trim() || 'en-US';
  const args = [
    `--proxy-server=http://127.0.0.1:${settings.proxyPort}`,
    '--proxy-bypass-list=<-loopback>',
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
    '--webrtc-ip-handling-policy=disable_non_proxied_udp',
    '--disable-quic',
    '--dns-prefetch-disable',
    '--no-pings',
    // Chromium's own calls home (autofill, optimisation hints...) have no business in a worker.
    '--disable-features=AutofillServerCommunication,OptimizationHints,OptimizationGuideModelDownloading,MediaRouter,Translate,CertificateTransparencyComponentUpdater',
    // Processes a worker never uses (docs/PERFORMANCE.md, "Cheaper renders"): every browser
    // context of headless Chromium opened a window with its omnibox popups preloaded (a second
    // renderer per context), a spare renderer was started and thrown away whenever the next
    // navigation came from another context (about 60 ms of CPU per render), and the back/forward
    // cache kept the last job's document alive after the page went blank.
    '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,SpareRendererForSitePerProcess,BackForwardCache,RenderDocument',
    // /dev/shm is 64 MB in most containers; Chromium crashes on big pages without this.
    '--disable-dev-shm-usage',
    // A page that allocates without end dies at this heap size (its render fails, the slot is
    // replaced) instead of growing its renderer towards the pod's memory limit.
    '--js-flags=--max-old-space-size=512',
    '--disable-gpu',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-default-apps',
    '--disable-domain-reliability',
    '--mute-audio',
    `--lang=${lang}`,
  ];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot || settings.noSandbox) args.push('--no-sandbox');
  return args;
}

/**
 * Profile preferences that have no switch: no network prediction (DNS prefetch, preconnect,
 * prerender), and the WebRTC policy again, as the profile setting that pages cannot change.
 */
export async function writeProfilePreferences(userDataDir: string): Promise<void> {
  const dir = path.join(userDataDir, 'Default');
  await fs.mkdir(dir, { recursive: true });
  const preferences = {
    net: { network_prediction_options: 2 },
    webrtc: {
      ip_handling_policy: 'disable_non_proxied_udp',
      multiple_routes_enabled: false,
      nonproxied_udp_enabled: false,
    },
  };
  await fs.writeFile(path.join(dir, 'Preferences'), JSON.stringify(preferences));
}
