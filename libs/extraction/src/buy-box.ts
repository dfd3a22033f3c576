import type { AnyNode, Element } from 'domhandler';
import {
  ANY_STOCK_WORDING,
  Availability,
  WORDS,
  availabilityFromText,
  combineAvailability,
  normaliseAvailability,
  normaliseText,
} from './availability';

/**
 * Reads a product page the way a shopper does when the markup is silent or stale: is there an
 * enabled "add to cart" in the buy box, does the buy box say "sold out", "pre-order", "ships when
 * available"? One walk over the document that never enters what a shopper does not see as this
 * product's buy box: hidden elements, headers, footers, menus, mini-carts, modals, and the other
 * products' tiles in recommendation carousels (which carry their own buttons and badges).
 */

/** Containers that hold other products or site chrome. Tested on class and id of containers. */
const EXCLUDED =
  /recommend|carousel|related|relation|similar|also-?(?:viewed|bought|like|purchased)|you-?may|may-?also|cross-?sell|up-?sell|recently-?viewed|frequently-?bought|people-?also|sponsored|owl-item|slick-slide|swiper-slide|product-?tile|product-?card|\bplp\b|mini-?cart|mini-?bag|cart-?drawer|cart-?flyout|quick-?view|quickview|modal|popup|pop-up|lightbox|newsletter|cookie|accessor|comparison|compare-|\bfbt\b|combo-item|(?:^|\s)(?:site-?|page-?|global-?|main-?)?(?:footer|mega-?menu)(?:\s|$)/i;
const EXCLUDED_TAGS = new Set(['footer', 'nav', 'dialog']);
const SKIP_TAGS = new Set(['script', 'style', 'noscript', 'template', 'svg', 'iframe', 'head']);
/** Class tokens that hide an element (Bootstrap, Angular, utility CSS, shop themes). */
const HIDDEN_TOKEN =
  /^(?:hidden|hide|d-none|ng-hide|displaynone|display-none|invisible|no-display|is-hidden|x-hidden|u-hidden|hidden-node|js-hidden|visually-hidden-focusable)$|[-_](?:hidden|hide)$/i;
/** Containers of the product being sold: the buy box. */
const BUY_ZONE =
  /buy-?box|buybox|buy-?block|add-?to-?(?:cart|bag|basket)|addto(?:cart|bag|basket)|product-?(?:form|info|detail|details|summary|actions?|purchase|main|shop|essential|options)|pdp-?(?:main|info|form|buy)|purchase|stock|availab|inventory/i;
const STOCK_LABEL = /availab|stock|inventory|backorder|pre-?order|sold-?out/i;
/** Forms that put something in the cart, judged on the action's path (not its query string). */
const CART_FORM = /cart|basket|bag|buy|purchase|add.?to|order|checkout/i;
/** Classes and ids of add-to-cart / buy-now controls. */
const BUY_CLASS =
  /add-?to-?(?:cart|bag|basket)|addto(?:cart|bag|basket)|add2cart|add-?cart|addcart|\batc\b|btn-?atc|buy-?now|buynow|btn-?buy|buy-?button|product-?buy/i;
/** Controls that are not buying: wish lists, registries, comparisons, saved lists. */
const NOT_BUY =
  /wish|registry|favou?rite|compare|add to list|save for later|\blove|newsletter|subscribe|sign ?in|log ?in|search|coupon|zip|warranty|protection|plan\b|in[ -]store|pick ?up|check (?:store )?availability|\bhelp\b|\binfo\b/i;
const QUANTITY = /qty|quantity|country|currency|lang|sort|region|locale|shipping|delivery|store/i;
const DISABLED_TOKEN = /disabled$/i;
/** Size and colour pickers built from links, buttons or list items rather than form fields. */
const VARIANT_PICKER =
  /swatch|size-?(?:select|selector|option|picker|list|button|btn|chip|grid)|(?:^|\s)sizes(?:\s|$)|variant-?(?:select|option|picker|list)|option-?(?:value|selector|swatch)|attribute-?(?:select|option|value)/i;
/**
 * Stock messages about one size or colour ("this size is sold out", "Red: out of stock") are
 * not about the product.
 */
const VARIANT_WORDS =
  /\b(?:size|sizes|colou?r|colou?rs|combination|variant|variation|selection|selected|option|width|fit)\b|talla|gr[öo][ßs]e|farbe|taille|couleur|taglia|colore|tamanho|maat|kleur|rozmiar|storlek|st[øo]rrelse|velikost|サイズ|尺码|尺寸|颜色|사이즈|מידה|размер|цвет|beden/i;
/** Stock state carried by data attributes of buy-box elements. */
const DATA_STOCK = [
  'data-availability',
  'data-stock-status',
  'data-inventory-status',
  'data-product-availability',
  'data-stock',
];

export interface BuyBoxReading {
  availability: Availability;
  /** What decided: 'buybox:button', 'buybox:sold-out-button', 'buybox:text', 'buybox:disabled'. */
  source: string | null;
  /** A visible, enabled buy control (add to cart, buy now, pre-order) anywhere on the page. */
  enabledBuy: boolean;
  /** The same inside the buy box proper (cart form, product scope, buy-box container). */
  enabledBuyInBox: boolean;
  /** Out-of-stock evidence inside the cart form itself or on a control. */
  strongOutOfStock: boolean;
  /** Shopify-style product JSON: any variant available → InStock, none → OutOfStock. */
  variantJson: Availability;
}

interface Control {
  kind: 'buy' | 'oos' | 'pre' | 'back';
  disabled: boolean;
  inForm: boolean;
  /** Inside the buy box proper: a cart form, a product/offer scope or a buy-box container. */
  inZone: boolean;
}

interface TextSignal {
  value: Exclude<Availability, null>;
  inForm: boolean;
  labelled: boolean;
  long: boolean;
}

const ZONE = 1;
const FORM = 2;

const PAGE_TAGS = new Set(['html', 'body', 'main']);
/** State modifiers ("has-sponsored-products", "recommendations-visible") describe the page. */
const MODIFIER =
  /^(?:has|with|show|is|no|hide)-|-(?:visible|enabled|active|open|loaded|on|hidden)$/i;

function isExcluded(label: string): boolean {
  if (!EXCLUDED.test(label)) return false;
  return label.split(/\s+/).some((t) => !MODIFIER.test(t) && EXCLUDED.test(` ${t} `));
}

function isHidden(a: Record<string, string>): boolean {
  if (a.hidden !== undefined) return true;
  const style = a.style;
  if (
    style !== undefined &&
    /(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)/i.test(style)
  )
    return true;
  const cls = a.class;
  if (cls === undefined || !/hid|none|display|invisible/i.test(cls)) return false;
  return cls.split(/\s+/).some((t) => HIDDEN_TOKEN.test(t));
}

function textOfNode(node: AnyNode, max: number): string {
  let out = '';
  const walk = (n: AnyNode): void => {
    if (out.length >= max) return;
    if (n.type === 'text') out += (n as unknown as { data: string }).data;
    else if (n.type === 'tag') {
      const el = n as Element;
      if (SKIP_TAGS.has(el.name) || isHidden(el.attribs)) return;
      for (const c of el.children) {
        walk(c);
        if (c.type === 'tag') out += ' ';
      }
    }
  };
  walk(node);
  return out.replace(/\s+/g, ' ').trim().slice(0, max);
}

function controlLabel(el: Element): string {
  const a = el.attribs;
  const text =
    el.name === 'input' ? (a.value ?? a.alt ?? '') : textOfNode(el, 120) || (a.value ?? '');
  return (text || a['aria-label'] || a.title || '').trim();
}

/** The control's own words, without nested loaders and badges ("Buy <div>Processing…</div>"). */
function ownText(el: Element): string {
  let t = '';
  for (const c of el.children) if (c.type === 'text') t += (c as unknown as { data: string }).data;
  return normaliseText(t);
}

function hasInteractive(el: Element, depth: number): boolean {
  if (depth > 6) return true;
  for (const c of el.children) {
    if (c.type !== 'tag') continue;
    const n = (c as Element).name;
    if (n === 'button' || n === 'input' || n === 'a' || n === 'select' || n === 'form') return true;
    if (hasInteractive(c as Element, depth + 1)) return true;
  }
  return false;
}

function isControlTag(el: Element): boolean {
  const a = el.attribs;
  switch (el.name) {
    case 'button':
      return true;
    case 'input':
      return /^(?:submit|button|image)$/i.test(a.type ?? '');
    case 'a':
      return true;
    case 'div':
    case 'span':
      // role=button, or a script-driven "button" named like one (<div id="addToCart">) that
      // wraps no real control of its own.
      return (
        a.role === 'button' ||
        (BUY_CLASS.test(`${a.class ?? ''} ${a.id ?? ''}`) && !hasInteractive(el, 0))
      );
    default:
      return false;
  }
}

function classifyControl(el: Element, inForm: boolean, inZone: boolean): Control | null {
  const a = el.attribs;
  const label = controlLabel(el);
  if (label.length > 80) return null;
  const ident = `${a.class ?? ''} ${a.id ?? ''} ${a.name ?? ''}`;
  const norm = normaliseText(label);
  if (NOT_BUY.test(norm)) return null;
  let kind: Control['kind'] | null = null;
  const said = norm ? availabilityFromText(norm) : null;
  if (said === 'OutOfStock' || said === 'Discontinued') kind = 'oos';
  else if (said === 'PreOrder') kind = 'pre';
  else if (said === 'BackOrder') kind = 'back';
  else if (norm && WORDS.buy.test(norm)) kind = 'buy';
  else if (el.name === 'a' && /\/cart\/add|add-?to-?cart|addtocart/i.test(a.href ?? ''))
    kind = 'buy';
  else if (WORDS.buy.test(ownText(el))) kind = 'buy';
  else if (
    BUY_CLASS.test(ident) &&
    !NOT_BUY.test(ident) &&
    !/\d/.test(norm) &&
    norm.split(' ').length <= 3
  ) {
    // An icon button or a localized label we do not know: the class says what it does. Without
    // a label only a submit control or one inside the cart form counts (a bare link or icon
    // with such a class is a cart icon or a help tooltip).
    if (norm ? el.name !== 'a' || inForm : inForm || /^(?:submit|image)$/i.test(a.type ?? ''))
      kind = 'buy';
  }
  if (kind === null) return null;
  const disabled =
    a.disabled !== undefined ||
    a['aria-disabled'] === 'true' ||
    (a.class !== undefined && a.class.split(/\s+/).some((t) => DISABLED_TOKEN.test(t)));
  return { kind, disabled, inForm, inZone };
}

/** Shopify and similar themes ship the product with its variants as JSON. */
function variantJsonAvailability(text: string): Availability {
  if (text.length > 300_000 || !/"variants"\s*:/.test(text)) return null;
  let any = false;
  let seen = false;
  for (const m of text.matchAll(/"available"\s*:\s*(true|false)/g)) {
    seen = true;
    if (m[1] === 'true') {
      any = true;
      break;
    }
  }
  if (!seen) return null;
  return any ? 'InStock' : 'OutOfStock';
}

/**
 * The buy box of this page, read as a shopper would. `trace`, when given, receives one line per
 * signal seen (controls, stock wording, selectors): for diagnosing a misread page.
 */
export function readBuyBox(doc: AnyNode, trace?: string[]): BuyBoxReading {
  const controls: Control[] = [];
  const texts: TextSignal[] = [];
  let variantSelectors = 0;
  let variantJson: Availability = null;
  const dataValues: Availability[] = [];

  const nodes: AnyNode[] = [doc];
  const flags: number[] = [0];
  while (nodes.length) {
    const node = nodes.pop()!;
    let f = flags.pop()!;
    if (node.type === 'text') {
      if ((f & ZONE) === 0) continue;
      const raw = (node as unknown as { data: string }).data;
      if (raw.length > 400) continue;
      const t = raw.trim();
      if (t.length < 2 || t.length > 200) continue;
      const norm = normaliseText(t);
      if (!ANY_STOCK_WORDING.test(norm)) continue;
      if (WORDS.chooseVariant.test(norm)) {
        variantSelectors++;
        trace?.push(`choose: ${t.slice(0, 60)}`);
      }
      const value = availabilityFromText(t);
      if (value === null) continue;
      if ((value === 'OutOfStock' || value === 'InStock') && VARIANT_WORDS.test(t)) {
        trace?.push(`variant-level: ${t.slice(0, 60)}`);
        continue;
      }
      const parent = node.parent as Element | null;
      let labelled = false;
      for (let p: Element | null = parent, i = 0; p && p.type === 'tag' && i < 3; i++) {
        if (STOCK_LABEL.test(`${p.attribs.class ?? ''} ${p.attribs.id ?? ''}`)) labelled = true;
        p = p.parent as Element | null;
      }
      texts.push({ value, inForm: (f & FORM) !== 0, labelled, long: t.length >= 20 });
      trace?.push(`text ${value} form=${(f & FORM) !== 0} labelled=${labelled}: ${t.slice(0, 80)}`);
      continue;
    }
    if (node.type === 'script') {
      const el = node as Element;
      const a = el.attribs;
      if (
        variantJson === null &&
        /json/i.test(a.type ?? '') &&
        !/ld\+json/i.test(a.type ?? '') &&
        /product/i.test(`${a.id ?? ''} ${a.class ?? ''} ${Object.keys(a).join(' ')}`)
      ) {
        const t = el.children
          .map((c) => (c.type === 'text' ? (c as unknown as { data: string }).data : ''))
          .join('');
        variantJson = variantJsonAvailability(t);
      }
      continue;
    }
    if (node.type !== 'tag' && node.type !== 'root') continue;
    if (node.type === 'tag') {
      const el = node as Element;
      const name = el.name;
      if (SKIP_TAGS.has(name) || EXCLUDED_TAGS.has(name)) continue;
      const a = el.attribs;
      if (isHidden(a)) {
        trace?.push(`skip hidden ${name}.${(a.class ?? '').slice(0, 60)}#${a.id ?? ''}`);
        continue;
      }
      const control = isControlTag(el);
      const label = a.class === undefined ? (a.id ?? '') : `${a.class} ${a.id ?? ''}`;
      // A page header is chrome; a <header> inside the buy box (a sticky call-to-action bar) is not.
      if (name === 'header' && (f & ZONE) === 0 && !/product|pdp|item/i.test(label)) continue;
      // A control's own class ("btn modal", "popup-trigger") describes what it opens, not where
      // it sits: only containers are excluded by their labels.
      if (!control && label && !PAGE_TAGS.has(name) && isExcluded(label)) {
        trace?.push(`skip excluded ${name}.${label.slice(0, 80)}`);
        continue;
      }
      if (name === 'form') {
        const action = (a.action ?? '').split('?')[0];
        if (CART_FORM.test(action) || CART_FORM.test(label)) f |= FORM | ZONE;
      } else if (label && BUY_ZONE.test(label)) f |= ZONE;
      else if (a.itemscope !== undefined && /product|offer/i.test(a.itemtype ?? '')) f |= ZONE;
      if ((f & ZONE) !== 0) {
        if (label && VARIANT_PICKER.test(label)) variantSelectors++;
        for (const k of DATA_STOCK) {
          const v = a[k];
          if (v !== undefined) {
            const n = normaliseAvailability(v);
            if (n) dataValues.push(n);
            break;
          }
        }
      }
      if (name === 'select' || (name === 'input' && /^radio$/i.test(a.type ?? ''))) {
        if (!QUANTITY.test(`${a.name ?? ''} ${a.id ?? ''} ${a.class ?? ''}`)) {
          variantSelectors++;
          trace?.push(`selector ${name} ${a.name ?? ''} ${a.id ?? ''}`);
        }
        continue;
      }
      if (control) {
        const c = classifyControl(el, (f & FORM) !== 0, (f & ZONE) !== 0);
        if (c) {
          controls.push(c);
          trace?.push(
            `control ${c.kind} disabled=${c.disabled} form=${c.inForm} zone=${c.inZone}: ${controlLabel(el).slice(0, 60)}`,
          );
          continue;
        }
        if (name === 'input') continue;
      }
    }
    const kids = (node as Element).children;
    for (let i = kids.length - 1; i >= 0; i--) {
      nodes.push(kids[i]);
      flags.push(f);
    }
  }
  return decide(controls, texts, variantSelectors, variantJson, combineAvailability(dataValues));
}

function decide(
  controls: Control[],
  texts: TextSignal[],
  variantSelectors: number,
  variantJson: Availability,
  data: Availability,
): BuyBoxReading {
  const enabled = controls.filter((c) => !c.disabled);
  const enabledBuy = enabled.some((c) => c.kind === 'buy');
  const enabledPre = enabled.some((c) => c.kind === 'pre');
  const enabledBack = enabled.some((c) => c.kind === 'back');
  const soldOutControl = controls.some((c) => c.kind === 'oos');
  const disabledBuy = controls.some((c) => c.disabled && c.kind === 'buy');
  const formOutOfStock = texts.some(
    (t) => (t.value === 'OutOfStock' || t.value === 'Discontinued') && t.inForm,
  );
  const base = {
    enabledBuy: enabledBuy || enabledPre || enabledBack,
    enabledBuyInBox: enabled.some((c) => c.kind !== 'oos' && c.inZone),
    strongOutOfStock: soldOutControl || formOutOfStock,
    variantJson,
  };
  // Stock sentences ("ships when it's available", "back in stock soon") or labelled stock
  // elements qualify an orderable product; a bare "Pre-Order" next to one size does not.
  const said = (v: Availability): boolean =>
    texts.some((t) => t.value === v && (t.long || t.labelled));
  // The cart form itself says sold out (a labelled stock message) and holds no enabled buy
  // control: buttons elsewhere (sticky bars, bundles) do not sell this product.
  const formSaysOut = texts.some(
    (t) => (t.value === 'OutOfStock' || t.value === 'Discontinued') && t.inForm && t.labelled,
  );
  const fromText = (v: Exclude<Availability, null>): boolean => texts.some((t) => t.value === v);
  // Template states side by side ("In stock" and "Sold out" both in the static page, one of them
  // shown by script, or a legend explaining both): the wording decides nothing.
  const contradictory = fromText('InStock') && (fromText('OutOfStock') || fromText('Discontinued'));
  const awaitsChoice = disabledBuy && variantSelectors > 0;
  if (
    formSaysOut &&
    !contradictory &&
    !awaitsChoice &&
    !enabled.some((c) => c.inForm && c.kind !== 'oos')
  )
    return {
      ...base,
      enabledBuy: false,
      enabledBuyInBox: false,
      availability: 'OutOfStock',
      source: 'buybox:text',
    };
  if (enabledBuy || enabledPre || enabledBack) {
    if (enabledBack || said('BackOrder'))
      return { ...base, availability: 'BackOrder', source: 'buybox:text' };
    if (enabledPre && !enabledBuy)
      return { ...base, availability: 'PreOrder', source: 'buybox:button' };
    if (said('PreOrder')) return { ...base, availability: 'PreOrder', source: 'buybox:text' };
    return { ...base, availability: 'InStock', source: 'buybox:button' };
  }
  if (soldOutControl)
    return { ...base, availability: 'OutOfStock', source: 'buybox:sold-out-button' };
  // A disabled "add to cart" beside a size or colour choice waits for the choice; it says
  // nothing about stock.
  if (awaitsChoice)
    return {
      ...base,
      availability: variantJson ?? 'InStock',
      source: variantJson ? 'variants' : 'buybox:choose-variant',
    };
  if (data) return { ...base, availability: data, source: 'buybox:data' };
  if (!contradictory) {
    if (fromText('Discontinued'))
      return { ...base, availability: 'Discontinued', source: 'buybox:text' };
    if (fromText('OutOfStock'))
      return { ...base, availability: 'OutOfStock', source: 'buybox:text' };
  }
  // A disabled button is out of stock only when nothing on the page says otherwise: some shops
  // render the button disabled until their script has loaded.
  if (variantJson) return { ...base, availability: variantJson, source: 'variants' };
  if (!contradictory && fromText('InStock'))
    return { ...base, availability: 'InStock', source: 'buybox:text' };
  if (disabledBuy) return { ...base, availability: 'OutOfStock', source: 'buybox:disabled' };
  if (contradictory) return { ...base, availability: null, source: null };
  if (fromText('PreOrder')) return { ...base, availability: 'PreOrder', source: 'buybox:text' };
  if (fromText('BackOrder')) return { ...base, availability: 'BackOrder', source: 'buybox:text' };
  if (fromText('InStock')) return { ...base, availability: 'InStock', source: 'buybox:text' };
  return { ...base, availability: null, source: null };
}
