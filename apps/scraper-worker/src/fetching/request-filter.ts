// Prices live in the DOM and scripts; everything heavy or decorative is skipped.
const BLOCKED_RESOURCE_TYPES = new Set([
  'image',
  'font',
  'media',
  'stylesheet',
  'ping',
  'manifest',
  'texttrack',
  'prefetch',
  'cspviolationreport',
]);

const TRACKER_DOMAINS = [
  'google-analytics.com',
  'googletagmanager.com',
  'googlesyndication.com',
  'googleadservices.com',
  'doubleclick.net',
  'facebook.net',
  'hotjar.com',
  'hotjar.io',
  'clarity.ms',
  'bat.bing.com',
  'segment.io',
  'mixpanel.com',
  'criteo.com',
  'criteo.net',
  'taboola.com',
  'outbrain.com',
  'scorecardresearch.com',
  'quantserve.com',
  'amazon-adsystem.com',
  'nr-data.net',
  'fullstory.com',
];

export function isTrackerHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return TRACKER_DOMAINS.some((d) => h === d || h.endsWith(`.${d}`));
}

/** A Puppeteer resource type (image, font, ...) that a price never needs. */
export function isBlockedResourceType(resourceType: string): boolean {
  return BLOCKED_RESOURCE_TYPES.has(resourceType);
}
